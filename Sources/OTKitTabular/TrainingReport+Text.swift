import Foundation

extension TrainingReport {
  /// The lines a person reads of the run (`otkit train` prints them): the model, the data
  /// and its split, the epochs, the accuracies (per point too for sequences of several
  /// tokens and for the transformers), recall, confusion, the training time, the OT
  /// metrics of training, and where the model and the report went.
  public func lines(data: String, rows: Int, features: Int) -> [String] {
    let points = tokens > 1 || outcome.model == "transformer" || outcome.model == "pretrained"
    let recall = outcome.test.instances.definedRecall
    var lines = [
      "model: \(outcome.description)",
      "data: \(data), \(rows) rows, \(features) features, classes \(classLabels.joined(separator: ", ")); train \(trainRows), test \(testRows)",
      "epochs: \(outcome.history.epochs)\(outcome.history.stoppedEarly ? " (early stop)" : ""), best \(outcome.history.bestEpoch + 1)",
      "train accuracy: \(String(format: "%.4f", outcome.train.accuracy))",
      "test accuracy: \(String(format: "%.4f", outcome.test.accuracy))" + (points ? " (instances), \(String(format: "%.4f", outcome.test.pointAccuracy)) (points)" : ""),
      "test recall: " + zip(classLabels, recall).map { "\($0) \($1.map { String(format: "%.4f", $0) } ?? "undefined (no test rows)")" }.joined(separator: ", "),
      "confusion (rows true, columns predicted): \(outcome.test.instances.confusion)",
      "train time: \(String(format: "%.3f", outcome.history.seconds)) s",
    ]
    if let metrics = outcome.metrics {
      lines.append("OT metrics of training (P_0 to best epoch \(metrics.epoch + 1)): " + metrics.total.figures.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", "))
    }
    if let structure = gradientStructure, let first = structure.first, let last = structure.last {
      let error = structure.map(\.structure.advantageMaxError).largestErrorPropagatingNaN()
      func ratio(_ epoch: Int) -> Double {
        let rows = structure.filter { $0.epoch == epoch }
        return rows.map(\.structure.varianceNaive).reduce(0, +) / Swift.max(rows.map(\.structure.varianceBaselined).reduce(0, +), 1e-300)
      }
      lines.append(
        "gradient structure (\(Set(structure.map(\.epoch)).count) epochs, every head): largest advantage-form error \(String(format: "%.2e", error)); "
          + "variance of the unbaselined estimate over the baselined one \(String(format: "%.3g", ratio(first.epoch))) at the first epoch, \(String(format: "%.3g", ratio(last.epoch))) at the last")
    }
    if let saved { lines.append("saved: \(saved)") }
    if let report { lines.append("report: \(report)") }
    return lines
  }
}
