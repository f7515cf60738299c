import Foundation
import OTKitTestSupport
import OTKitCore
import OTKitData
import OTKitAutograd
import OTKitNeural
import Testing

@testable import OTKitTabular

/// `../shared/data/beed.csv`, when the shared folder is beside the project.
/// The BEED data set beside the repository (skipped with a printed notice when absent).
let beedPath = TestConditions.beedPath

/// The BEED tests need the data set.
let beedPresent = ConditionTrait.enabled(if: beedPath != nil, Comment(rawValue: TestConditions.beedReason))
/// Heavy accuracy checks run in optimized builds (CI's `swift test -c release`).
let heavy = ConditionTrait.enabled(if: TestConditions.heavy, Comment(rawValue: TestConditions.heavyReason))

func temporaryDirectory(_ name: String) -> String {
  TemporaryFiles.removeAtExit()
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-tabular-\(getpid())-\(name)")
  try? FileManager.default.removeItem(at: dir)
  return dir.path
}

@Suite("MLP classifier")
struct MLPClassifierTests {
  @Test("BEED, 80/20 stratified, seed 0: the issue's accuracy thresholds", beedPresent, heavy, arguments: [(2, 0.99), (4, 0.94)])
  func heavyBEED(classes: Int, threshold: Double) throws {
    let table = try CSV.read(beedPath!, options: CSVReadOptions(label: .name("y")))
    let data = try LabeledData(table: table, file: beedPath!, classes: classes)
    #expect(data.classLabels == (0..<classes).map(String.init))
    let (train, test) = data.split(testFraction: 0.2, seed: 0)
    #expect(train.count == 1600 * classes && test.count == 400 * classes)
    let model = MLPClassifier()
    try model.fit(train)
    let accuracy = try model.evaluate(test).accuracy
    #expect(accuracy >= threshold, "\(classes) classes: \(accuracy)")
  }

  static func smallData() -> LabeledData {
    var g = SeededGenerator(seed: 9)
    var x = Matrix<Double>(rows: 120, columns: 2)
    var labels: [Int] = []
    for i in 0..<120 {
      let c = i % 3
      labels.append(c)
      x[i, 0] = 100 + 10 * Double(c) + g.normal()
      x[i, 1] = -5 + g.normal()
    }
    return LabeledData(features: x, labels: labels, classLabels: ["a", "b", "c"], featureNames: ["u", "v"], labelName: "y")
  }

  @Test("A saved model predicts the same after loading")
  func saveLoad() throws {
    let data = Self.smallData()
    var settings = MLPSettings()
    settings.epochs = 40
    let model = MLPClassifier(settings: settings)
    try model.fit(data)
    let dir = temporaryDirectory("save")
    try model.save(to: dir)
    let loaded = try MLPClassifier.load(from: dir)
    #expect(try loaded.predictProbabilities(data.features) == model.predictProbabilities(data.features))
    #expect(loaded.classLabels == ["a", "b", "c"] && loaded.featureNames == ["u", "v"] && loaded.labelName == "y")
    #expect(try model.evaluate(data).accuracy > 0.9)
  }

  @Test("A truncated, corrupt or mismatched model file is an error, not a crash")
  func badFiles() throws {
    let data = Self.smallData()
    var settings = MLPSettings()
    settings.epochs = 2
    let model = MLPClassifier(settings: settings)
    try model.fit(data)
    let dir = temporaryDirectory("bad")
    try model.save(to: dir)
    let weights = dir + "/model.safetensors"
    let original = FileManager.default.contents(atPath: weights)!
    // Truncated parameters.
    _ = FileManager.default.createFile(atPath: weights, contents: original.prefix(original.count - 9))
    #expect(throws: DataError.self) { _ = try MLPClassifier.load(from: dir) }
    // Parameters of another architecture.
    let other = MLP(sizes: [2, 4, 3], generator: &SeededGeneratorBox.shared.generator)
    try ModelFile.save(other, configuration: model.configuration!, to: dir)
    do {
      _ = try MLPClassifier.load(from: dir)
      Issue.record("loaded mismatched parameters")
    } catch let error as ModelFileError {
      #expect(error.description.contains("has shape"), "\(error)")
    }
    // A corrupt configuration.
    _ = FileManager.default.createFile(atPath: dir + "/config.json", contents: Data("{\"model\": 3".utf8))
    #expect(throws: ModelFileError.self) { _ = try MLPClassifier.load(from: dir) }
    // No model at all.
    #expect(throws: ModelFileError.self) { _ = try MLPClassifier.load(from: temporaryDirectory("none")) }
    // Predicting before fitting.
    #expect(throws: TabularModelError.self) { _ = try MLPClassifier().predict(data.features) }
  }

  @Test("Classes: labels sorted numerically, --classes keeps the first k, errors name the file")
  func classes() throws {
    let table = CSVTable(
      featureNames: ["x"], features: Matrix(column: [1, 2, 3, 4, 5]), labelName: "y", labels: ["10", "9", "2", "9", "10"])
    let data = try LabeledData(table: table, file: "f.csv", classes: 2)
    #expect(data.classLabels == ["2", "9"])
    #expect(data.labels == [1, 0, 1])
    #expect(data.features == Matrix(column: [2, 3, 4]))
    #expect(throws: DataError.self) { try LabeledData(table: table, file: "f.csv", classes: 4) }
    var one = table
    one.labels = ["a", "a", "a", "a", "a"]
    #expect(throws: DataError.self) { try LabeledData(table: one, file: "f.csv") }
  }
}

final class SeededGeneratorBox: @unchecked Sendable {
  static let shared = SeededGeneratorBox()
  var generator = SeededGenerator(seed: 1)
}
