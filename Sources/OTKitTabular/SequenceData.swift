import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural

/// Instances that are sequences of `tokens` points in `R^dimension`, one class label per
/// instance (A. Candelieri and A. Quadrio, arXiv 2512.09530, section 1).
///
/// The points are stored as one `(instances * tokens) x dimension` matrix, the tokens of an
/// instance consecutive; every token carries its instance's label ("point-wise" labels).
public struct SequenceData: Sendable, Equatable {
  public var points: Matrix<Double>
  /// Tokens per instance.
  public var tokens: Int
  /// One class index per instance.
  public var labels: [Int]
  public var classLabels: [String]
  /// The names of the `dimension` coordinates of a token.
  public var coordinateNames: [String]
  /// The names of the `tokens * dimension` columns of an instance as a table row.
  public var featureNames: [String]
  public var labelName: String?

  public init(
    points: Matrix<Double>, tokens: Int, labels: [Int], classLabels: [String], coordinateNames: [String]? = nil,
    featureNames: [String]? = nil, labelName: String? = nil
  ) {
    precondition(tokens > 0 && points.rows == labels.count * tokens, "\(points.rows) points are not \(labels.count) instances of \(tokens) tokens")
    self.points = points
    self.tokens = tokens
    self.labels = labels
    self.classLabels = classLabels
    self.coordinateNames = coordinateNames ?? (0..<points.columns).map { "x\($0 + 1)" }
    self.featureNames = featureNames ?? (0..<tokens).flatMap { t in (0..<points.columns).map { "t\(t + 1)_x\($0 + 1)" } }
    self.labelName = labelName
  }

  /// The sequence layout of tabular rows: a row of `p` columns is `p / tokenDimension`
  /// tokens of `tokenDimension` consecutive columns (`tokenDimension = p`: one token per
  /// row; `2`: points in the plane).
  ///
  /// - Throws: `DataError` when `tokenDimension` does not divide the column count.
  public init(_ data: LabeledData, tokenDimension: Int? = nil) throws {
    let p = data.features.columns
    let d = tokenDimension ?? p
    guard d > 0, p % d == 0 else {
      throw DataError(.tokenSize(d, columns: p), file: "<data>")
    }
    let t = p / d
    self.init(
      points: data.features.reshaped(rows: data.count * t, columns: d), tokens: t, labels: data.labels,
      classLabels: data.classLabels, coordinateNames: t == 1 ? data.featureNames : (0..<d).map { "x\($0 + 1)" },
      featureNames: data.featureNames, labelName: data.labelName)
  }

  public var instances: Int { labels.count }
  public var dimension: Int { points.columns }
  public var classCount: Int { classLabels.count }
  /// The label of every point (its instance's).
  public var pointLabels: [Int] { labels.flatMap { Array(repeating: $0, count: tokens) } }

  /// The point rows of the given instances.
  public static func pointRows(of instances: [Int], tokens: Int) -> [Int] {
    instances.flatMap { i in (i * tokens)..<((i + 1) * tokens) }
  }

  /// The instances at `indices`.
  public func subset(_ indices: [Int]) -> SequenceData {
    SequenceData(
      points: points.rows(at: Self.pointRows(of: indices, tokens: tokens)), tokens: tokens,
      labels: indices.map { labels[$0] }, classLabels: classLabels, coordinateNames: coordinateNames,
      featureNames: featureNames, labelName: labelName)
  }

  /// A split stratified by class.
  public func split(testFraction: Double, seed: UInt64) -> (train: SequenceData, test: SequenceData) {
    var generator = SeededGenerator(seed: seed)
    let split = StratifiedSplit(labels: labels, testFraction: testFraction, generator: &generator)
    return (subset(split.train), subset(split.test))
  }

  /// The study's split of simulated data: odd positions (1st, 3rd, ...) train, even test.
  public func alternatingSplit() -> (train: SequenceData, test: SequenceData) {
    (subset(Array(stride(from: 0, to: instances, by: 2))), subset(Array(stride(from: 1, to: instances, by: 2))))
  }

  /// Instances given as table rows of `tokens * dimension` features (labels unknown: 0).
  public init(rows: Matrix<Double>, tokens: Int, classLabels: [String], coordinateNames: [String], featureNames: [String]) {
    self.init(
      points: rows.reshaped(rows: rows.rows * tokens, columns: rows.columns / tokens), tokens: tokens,
      labels: Array(repeating: 0, count: rows.rows), classLabels: classLabels, coordinateNames: coordinateNames,
      featureNames: featureNames)
  }

  /// The same instances with standardized points.
  public func standardized(_ standardizer: Standardizer) throws -> SequenceData {
    var copy = self
    copy.points = try standardizer.transform(points)
    return copy
  }
}

/// Accuracy of a sequence classifier, per point (token) and per instance.
public struct SequenceEvaluation: Sendable, Equatable {
  /// The share of tokens whose own prediction is their instance's label.
  public var pointAccuracy: Double
  /// The metrics of the instance predictions (`accuracy` is the instance-wise accuracy).
  public var instances: ClassificationMetrics

  public var accuracy: Double { instances.accuracy }
  public var recall: [Double] { instances.recall }

  public init(pointProbabilities: Matrix<Double>, instanceProbabilities: Matrix<Double>, data: SequenceData) {
    // A model may see more tokens per instance than the data's layout (feature tokens).
    let perInstance = max(pointProbabilities.rows / max(data.instances, 1), 1)
    let pointLabels = data.labels.flatMap { Array(repeating: $0, count: perInstance) }
    let points = ClassificationMetrics(predicted: argmaxRows(pointProbabilities), labels: pointLabels, classes: data.classCount)
    pointAccuracy = points.accuracy
    instances = ClassificationMetrics(predicted: argmaxRows(instanceProbabilities), labels: data.labels, classes: data.classCount)
  }
}
