import ArgumentParser
import Foundation
import OTKit

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

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func run() throws {
    let (classifier, config) = try reported {
      let classifier = try TabularModels.load(from: model)
      guard let config = classifier.configuration else { throw TabularModelError("the model is not fitted") }
      return (classifier, config)
    }
    var (labels, predictions, seconds): ([String]?, Predictions?, Double) = (nil, nil, 0)
    do {
      let features: Matrix<Double>
      (features, labels) = try config.read(data, label: label)
      seconds = try Stopwatch.time { predictions = try classifier.predictions(features, file: data) }
    } catch let error as DataError {
      throw CLIError(error.trainingDescription)
    } catch {
      throw CLIError("\(error)")
    }
    guard let predictions else { return }
    if let output { try reported { try predictions.writeCSV(to: output) } }
    let summary = PredictionReport(predictions, model: config.model, labels: labels, seconds: seconds)
    for line in summary.lines(directory: model) { print(line) }
    if let output { print("predictions: \(output)") }
    if json { print(JSONValue(encoding: summary).serialized()) }
  }
}
