import Foundation
import Testing

@testable import otkit

@Suite("otkit train and predict")
struct TrainCommandTests {
  static let data: String = {
    var lines = ["a,b,label"]
    var state: UInt64 = 12345
    func noise() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53) - 0.5
    }
    for i in 0..<90 {
      let c = i % 3
      lines.append("\(Double(c * 4) + noise()),\(noise()),\(["cat", "dog", "eel"][c])")
    }
    return file("train.csv", lines.joined(separator: "\n") + "\n")
  }()

  @Test("Train, save, then predict with the saved model")
  func trainPredict() throws {
    let model = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-cli-model-\(getpid())").path
    #expect(failure(["train", Self.data, "--label", "label", "--model", "mlp", "--hidden", "8", "--epochs", "30", "--batch-size", "16", "--save", model, "--json"]) == nil)
    #expect(FileManager.default.fileExists(atPath: model + "/model.safetensors"))
    let output = file("predictions.csv", "")
    #expect(failure(["predict", model, Self.data, "--output", output, "--json"]) == nil)
    let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 91)
    #expect(lines[0] == "predicted,p_cat,p_dog,p_eel")
    // Columns are picked by name: reordered columns give the same predictions.
    let reordered = file("reordered.csv", "label,b,a\ncat,0.1,0.2\neel,0,8\n")
    let output2 = file("predictions2.csv", "")
    #expect(failure(["predict", model, reordered, "--output", output2]) == nil)
    let predicted = try String(contentsOfFile: output2, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
    #expect(predicted == ["cat", "eel"])
    // --classes 2 keeps cat and dog; full batch.
    #expect(failure(["train", Self.data, "--label", "2", "--classes", "2", "--batch-size", "0", "--epochs", "5"]) == nil)
  }

  @Test("Bad input fails with a message naming the file and the problem", arguments: [
    (["--label", "nope"], "has no column \"nope\""),
    (["--label", "label", "--hidden", "8,x"], "The value '8,x' is invalid for '--hidden"),
    (["--label", "label", "--hidden", "8,0"], "--hidden takes 1 to"),
    (["--label", "label", "--classes", "4"], "fewer than --classes 4"),
    (["--label", "label", "--classes", "1"], "--classes must be at least 2"),
    (["--label", "label", "--test-fraction", "1"], "--test-fraction must lie in (0, 1)"),
    (["--label", "label", "--learning-rate", "0"], "--learning-rate must be positive"),
    (["--label", "label", "--model", "forest"], "forest"),
  ])
  func badTrain(options: [String], message: String) {
    let error = failure(["train", Self.data] + options)
    #expect(error?.contains(message) == true, "\(error ?? "no error")")
  }

  @Test("Predict errors: no model, missing feature column")
  func badPredict() {
    let missing = failure(["predict", "/nonexistent/model", Self.data])
    #expect(missing?.contains("config.json") == true, "\(missing ?? "")")
    let model = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-cli-model2-\(getpid())").path
    #expect(failure(["train", Self.data, "--label", "label", "--epochs", "2", "--save", model]) == nil)
    let noColumn = file("nocolumn.csv", "a,c\n1,2\n")
    let error = failure(["predict", model, noColumn])
    #expect(error?.contains("has no column \"b\"") == true, "\(error ?? "")")
  }
}
