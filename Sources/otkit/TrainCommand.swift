import ArgumentParser
import Foundation
import OTKit

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a classifier on a CSV data set and report its test accuracy.",
    discussion: """
      DATA is a CSV file with a label column (--label, by name or 0-based index). The rows \
      are split into training and test parts, stratified by class (--test-fraction, --seed); \
      features are standardized with the training statistics. --classes k keeps the rows \
      whose label is one of the first k labels in sorted order. The MLP trains with Adam on \
      mini-batches, holds out a stratified share of the training rows for early stopping \
      (--validation-fraction, --patience) and restores its best weights. A progress bar is \
      drawn on standard error when it is a terminal.
      """
  )

  @Argument(help: "The data set (CSV).")
  var data: String

  @Option(help: "The label column: a name from the header or a 0-based index.")
  var label: String

  @Option(help: "The model: mlp.")
  var model: ModelOption = .mlp

  @Option(help: "Keep the rows of the first k labels in sorted order.")
  var classes: Int?

  @Option(help: "The hidden widths of the MLP, comma-separated.")
  var hidden: String = "32,32"

  @Option(help: "The most epochs.")
  var epochs: Int = 200

  @Option(help: "Rows per step (0: full batch).")
  var batchSize: Int = 64

  @Option(help: "Adam's learning rate.")
  var learningRate: Double = 1e-2

  @Option(help: "The stratified share of the rows kept for testing.")
  var testFraction: Double = 0.2

  @Option(help: "The stratified share of the training rows held out for early stopping (0: monitor the training loss).")
  var validationFraction: Double = 0.1

  @Option(help: "Epochs without improvement before early stopping.")
  var patience: Int = 20

  @Option(help: "The seed of the split, the initialization and the batches.")
  var seed: UInt64 = 0

  @Option(help: "Save the trained model into this directory (config.json and model.safetensors).")
  var save: String?

  @Flag(help: "Skip rows with a missing or non-numeric value instead of failing.")
  var dropInvalid = false

  @Flag(help: "Print one JSON object on the last line of standard output.")
  var json = false

  enum ModelOption: String, ExpressibleByArgument, CaseIterable {
    case mlp
  }

  func hiddenWidths() throws -> [Int] {
    let parts = hidden.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let widths = parts.compactMap { Int($0) }
    guard widths.count == parts.count, widths.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--hidden must be positive integers separated by commas, got \"\(hidden)\"")
    }
    return widths
  }

  func validate() throws {
    _ = try hiddenWidths()
    guard epochs >= 1 else { throw ValidationError("--epochs must be positive") }
    guard batchSize >= 0 else { throw ValidationError("--batch-size must be positive (0: full batch)") }
    guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--learning-rate must be positive") }
    guard testFraction > 0 && testFraction < 1 else { throw ValidationError("--test-fraction must lie in (0, 1)") }
    guard validationFraction >= 0 && validationFraction < 1 else { throw ValidationError("--validation-fraction must lie in [0, 1)") }
    guard patience >= 1 else { throw ValidationError("--patience must be positive") }
    if let classes, classes < 2 { throw ValidationError("--classes must be at least 2") }
  }

  func run() throws {
    let labelled: LabeledData
    do {
      let table = try CSV.read(
        data, options: CSVReadOptions(label: .init(parsing: label), dropInvalidRows: dropInvalid))
      labelled = try LabeledData(table: table, file: data, classes: classes)
    } catch let error as DataError {
      throw CLIError(error.description)
    }
    let (train, test) = labelled.split(testFraction: testFraction, seed: seed)
    guard train.count > 0, test.count > 0 else {
      throw CLIError("\(data): \(labelled.count) rows are too few to split into training and test parts")
    }
    var settings = MLPSettings()
    settings.hidden = try hiddenWidths()
    settings.epochs = epochs
    settings.batchSize = batchSize == 0 ? nil : batchSize
    settings.learningRate = learningRate
    settings.validationFraction = validationFraction
    settings.patience = patience
    settings.seed = seed
    let classifier = MLPClassifier(settings: settings)
    let history = try classifier.fit(train, showsProgress: true)
    let testMetrics = try classifier.evaluate(test)
    let trainMetrics = try classifier.evaluate(train)
    if let save {
      do {
        try classifier.save(to: save)
      } catch {
        throw CLIError("\(error)")
      }
    }
    let recall = testMetrics.recall
    print("model: mlp \(([labelled.featureNames.count] + settings.hidden + [labelled.classCount]).map(String.init).joined(separator: "-")) (Adam, learning rate \(learningRate), batch \(batchSize == 0 ? "full" : String(batchSize)))")
    print("data: \(data), \(labelled.count) rows, \(labelled.featureNames.count) features, classes \(labelled.classLabels.joined(separator: ", ")); train \(train.count), test \(test.count)")
    print("epochs: \(history.epochs)\(history.stoppedEarly ? " (early stop)" : ""), best \(history.bestEpoch + 1)")
    print("train accuracy: \(String(format: "%.4f", trainMetrics.accuracy))")
    print("test accuracy: \(String(format: "%.4f", testMetrics.accuracy))")
    print("test recall: " + zip(labelled.classLabels, recall).map { "\($0) \(String(format: "%.4f", $1))" }.joined(separator: ", "))
    print("confusion (rows true, columns predicted): \(testMetrics.confusion)")
    print("train time: \(String(format: "%.3f", history.seconds)) s")
    if let save { print("saved: \(save)") }
    if json {
      let object: [String: JSONValue] = [
        "model": .string("mlp"),
        "accuracy": .number(testMetrics.accuracy),
        "trainAccuracy": .number(trainMetrics.accuracy),
        "recall": .array(recall.map { .number($0) }),
        "confusion": .array(testMetrics.confusion.map { .array($0.map { .number(Double($0)) }) }),
        "classLabels": .array(labelled.classLabels.map { .string($0) }),
        "trainSeconds": .number(history.seconds),
        "epochs": .number(Double(history.epochs)),
        "bestEpoch": .number(Double(history.bestEpoch + 1)),
        "stoppedEarly": .bool(history.stoppedEarly),
        "trainRows": .number(Double(train.count)),
        "testRows": .number(Double(test.count)),
        "hidden": .array(settings.hidden.map { .number(Double($0)) }),
        "seed": .number(Double(seed)),
        "saved": save.map { .string($0) } ?? .null,
      ]
      print(JSONValue.object(object).serialized())
    }
  }
}

struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Predict classes with a model saved by otkit train --save.",
    discussion: """
      DATA is a CSV file. With a header, the model's feature columns are picked by name and, \
      when the model's label column is present, the accuracy is reported; without one, the \
      file must hold exactly the model's features in order (or name the label column with \
      --label). --output writes one row per data row: the predicted label and the \
      probability of each class.
      """
  )

  @Argument(help: "The model directory.")
  var model: String

  @Argument(help: "The data (CSV).")
  var data: String

  @Option(help: "Write the predictions to this CSV file.")
  var output: String?

  @Option(help: "The label column, to report accuracy (default: the model's label column when the header has it).")
  var label: String?

  @Flag(help: "Print one JSON object on the last line of standard output.")
  var json = false

  func run() throws {
    let classifier: MLPClassifier
    do {
      classifier = try MLPClassifier.load(from: model)
    } catch {
      throw CLIError("\(error)")
    }
    let features: Matrix<Double>
    var labels: [String]?
    do {
      // The label column: the one given, else the model's when the file's header has it.
      var table: CSVTable
      if let label {
        table = try CSV.read(data, options: CSVReadOptions(label: .init(parsing: label)))
      } else if let name = classifier.labelName {
        do {
          table = try CSV.read(data, options: CSVReadOptions(label: .name(name)))
        } catch let error as DataError {
          guard case .unknownLabelColumn = error.kind else { throw error }
          table = try CSV.read(data)
        }
      } else {
        table = try CSV.read(data)
      }
      labels = table.labels
      if table.hadHeader {
        var columns: [Int] = []
        for name in classifier.featureNames {
          guard let index = table.featureNames.firstIndex(of: name) else {
            throw CLIError("\(data): has no column \"\(name)\", a feature of the model (its features: \(classifier.featureNames.joined(separator: ", ")))")
          }
          columns.append(index)
        }
        features = columns == Array(0..<table.features.columns) ? table.features : table.features.columns(at: columns)
      } else {
        guard table.features.columns == classifier.featureNames.count else {
          throw CLIError("\(data): has \(table.features.columns) feature columns, the model needs \(classifier.featureNames.count)")
        }
        features = table.features
      }
    } catch let error as DataError {
      throw CLIError(error.description)
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let probabilities = try classifier.predictProbabilities(features)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let predicted = argmaxRows(probabilities)
    let classLabels = classifier.classLabels
    var accuracy: Double?
    if let labels {
      // Match label texts numerically when both are numbers ("1" and "1.0").
      func same(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x == y }
        return a == b
      }
      let right = zip(predicted, labels).filter { same(classLabels[$0], $1) }.count
      accuracy = labels.isEmpty ? nil : Double(right) / Double(labels.count)
    }
    if let output {
      var lines = ["predicted," + classLabels.map { "p_\($0)" }.joined(separator: ",")]
      lines.reserveCapacity(predicted.count + 1)
      for i in 0..<predicted.count {
        lines.append(classLabels[predicted[i]] + "," + (0..<classLabels.count).map { "\(probabilities[i, $0])" }.joined(separator: ","))
      }
      guard FileManager.default.createFile(atPath: output, contents: (lines.joined(separator: "\n") + "\n").data(using: .utf8)) else {
        throw CLIError("\(output): cannot be written")
      }
    }
    var counts = [Int](repeating: 0, count: classLabels.count)
    for p in predicted { counts[p] += 1 }
    print("model: \(model) (mlp, classes \(classLabels.joined(separator: ", ")))")
    print("rows: \(predicted.count); predicted per class: " + zip(classLabels, counts).map { "\($0) \($1)" }.joined(separator: ", "))
    if let accuracy { print("accuracy: \(String(format: "%.4f", accuracy))") }
    if let output { print("predictions: \(output)") }
    if json {
      let object: [String: JSONValue] = [
        "model": .string("mlp"), "rows": .number(Double(predicted.count)),
        "accuracy": accuracy.map { .number($0) } ?? .null,
        "counts": .array(counts.map { .number(Double($0)) }),
        "classLabels": .array(classLabels.map { .string($0) }),
        "seconds": .number(seconds),
      ]
      print(JSONValue.object(object).serialized())
    }
  }
}
