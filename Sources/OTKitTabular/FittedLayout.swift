import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural

/// What a fitted sequence model (the OT classifier, the transformer) keeps of its training
/// data: the standardization, the classes and how a table row becomes tokens.
public struct FittedLayout: Sendable, Equatable {
  public var standardizer: Standardizer
  public var classLabels: [String]
  /// Tokens per instance.
  public var tokens: Int
  public var coordinateNames: [String]
  /// The columns of a table row, in order.
  public var featureNames: [String]
  public var labelName: String?

  init(_ data: SequenceData, standardizer: Standardizer) {
    self.standardizer = standardizer
    classLabels = data.classLabels
    tokens = data.tokens
    coordinateNames = data.coordinateNames
    featureNames = data.featureNames
    labelName = data.labelName
  }

  /// The layout of a saved configuration (validated with `path` named in errors).
  init(_ config: TabularModelConfiguration, path: String) throws {
    try config.validate(directory: path)
    let tokens = config.tokens!
    standardizer = config.standardizer
    classLabels = config.classLabels
    self.tokens = tokens
    coordinateNames = config.coordinateNames ?? []
    featureNames = config.featureNames
    labelName = config.labelName
  }

  /// The coordinates of a token.
  public var dimension: Int { featureNames.count / max(tokens, 1) }

  /// Table rows (one instance each, raw features in the training column order) as
  /// instances of tokens.
  ///
  /// - Throws: `DataError` when the column count is not the model's.
  public func sequence(of rows: Matrix<Double>) throws -> SequenceData {
    guard rows.columns == featureNames.count else {
      throw DataError(.shapeMismatch("\(rows.columns) feature columns, the model was trained on \(featureNames.count)"), file: "<data>")
    }
    return SequenceData(rows: rows, tokens: tokens, classLabels: classLabels, coordinateNames: coordinateNames, featureNames: featureNames)
  }

  /// The saved description of a model of this layout.
  func configuration(
    model: String, ot: OTClassifierSettings? = nil, transformer: TransformerSettings? = nil, dummies: ClassGaussians? = nil
  ) -> TabularModelConfiguration {
    TabularModelConfiguration(
      model: model, featureNames: featureNames, labelName: labelName, classLabels: classLabels, standardizer: standardizer,
      tokens: tokens, coordinateNames: coordinateNames, ot: ot, transformer: transformer, dummies: dummies)
  }
}

extension SequenceData {
  /// A stratified hold-out of a share of the instances (`nil` when the share is 0 or
  /// leaves either part empty).
  func validationSplit(fraction: Double, seed: UInt64) -> (fit: SequenceData, validation: SequenceData?) {
    var generator = SeededGenerator(seed: seed)
    return validationSplit(fraction: fraction, generator: &generator)
  }

  /// The same, drawing from `generator`.
  func validationSplit(fraction: Double, generator: inout SeededGenerator) -> (fit: SequenceData, validation: SequenceData?) {
    guard fraction > 0 else { return (self, nil) }
    let split = StratifiedSplit(labels: labels, testFraction: fraction, generator: &generator)
    guard !split.test.isEmpty && !split.train.isEmpty else { return (self, nil) }
    return (subset(split.train), subset(split.test))
  }
}

/// A classifier of instances in the layout it was fitted on (the OT classifier, the
/// transformer): table rows reach it through that layout.
public protocol SequenceClassifier: TabularClassifier {
  /// The layout fitted with the model (`nil` before fitting).
  var layout: FittedLayout? { get }
  /// Class probabilities of each instance.
  func predictProbabilities(_ data: SequenceData) throws -> Matrix<Double>
}

extension SequenceClassifier {
  /// Class probabilities of table rows (one instance per row).
  public func predictProbabilities(_ features: Matrix<Double>) throws -> Matrix<Double> {
    guard let layout else { throw TabularModelError("the model is not fitted") }
    return try predictProbabilities(try layout.sequence(of: features))
  }
}
