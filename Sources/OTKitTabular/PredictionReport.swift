import Foundation

/// What `otkit predict` reports of a model's predictions: the rows, the predicted count per
/// class and, when the labels are known, the accuracy. Its JSON keys (`model`, `rows`,
/// `accuracy`, `counts`, `classLabels`, `seconds`) are a public contract.
public struct PredictionReport: Encodable, Sendable {
  /// The model's kind (`mlp`, `ot`, ...).
  public var model: String
  public var rows: Int
  /// `nil` when the data has no labels.
  public var accuracy: Double?
  public var counts: [Int]
  public var classLabels: [String]
  /// The time of the prediction alone.
  public var seconds: Double

  public init(_ predictions: Predictions, model: String, labels: [String]?, seconds: Double) {
    self.model = model
    rows = predictions.predicted.count
    accuracy = labels.flatMap { predictions.accuracy(against: $0) }
    counts = predictions.counts
    classLabels = predictions.classLabels
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey { case model, rows, accuracy, counts, classLabels, seconds }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(model, forKey: .model)
    try c.encode(rows, forKey: .rows)
    try c.encode(accuracy, forKey: .accuracy)  // null without labels
    try c.encode(counts, forKey: .counts)
    try c.encode(classLabels, forKey: .classLabels)
    try c.encode(seconds, forKey: .seconds)
  }

  /// The lines for people, given the model directory's path.
  public func lines(directory: String) -> [String] {
    ["model: \(directory) (\(model), classes \(classLabels.joined(separator: ", ")))",
     "rows: \(rows); predicted per class: " + zip(classLabels, counts).map { "\($0) \($1)" }.joined(separator: ", ")]
      + (accuracy.map { ["accuracy: \(String(format: "%.4f", $0))"] } ?? [])
  }
}
