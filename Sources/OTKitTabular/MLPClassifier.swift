import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural

/// How an ``MLPClassifier`` is built and trained.
public struct MLPSettings: Sendable, Equatable, Codable {
  /// The hidden widths.
  public var hidden: [Int] = [32, 32]
  public var activation: Activation = .relu
  public var dropout: Double = 0
  public var epochs: Int = 200
  /// Rows per step; `nil` is full batch.
  public var batchSize: Int? = 64
  /// Adam's learning rate.
  public var learningRate: Double = 1e-2
  /// Decoupled weight decay (AdamW) when positive.
  public var weightDecay: Double = 0
  /// The stratified share of the training rows held out to monitor early stopping (0: the
  /// training loss is monitored).
  public var validationFraction: Double = 0.1
  /// Epochs without improvement before stopping; the best weights are restored.
  public var patience: Int = 20
  public var seed: UInt64 = 0

  public init() {}
}

/// What a saved tabular model is: written to `config.json` by `ModelFile`.
public struct TabularModelConfiguration: Sendable, Equatable, Codable {
  public var format: String = "otkit-model"
  public var version: Int = 1
  /// The model kind: `mlp`, `ot`, `transformer` or `pretrained`.
  public var model: String
  public var featureNames: [String]
  public var labelName: String?
  public var classLabels: [String]
  /// Standardization fitted on the training data (per feature for the MLP, per token
  /// coordinate for the sequence models).
  public var standardizer: Standardizer
  public var mlp: MLPSettings?
  /// Tokens per instance (sequence models): a row of features is `tokens` tokens of
  /// `featureNames.count / tokens` coordinates.
  public var tokens: Int?
  public var coordinateNames: [String]?
  public var ot: OTClassifierSettings?
  public var transformer: TransformerSettings?
  /// The dummy classes of the OT classifier or of the pretrained head.
  public var dummies: ClassGaussians?

  public init(
    model: String, featureNames: [String], labelName: String?, classLabels: [String], standardizer: Standardizer,
    mlp: MLPSettings? = nil, tokens: Int? = nil, coordinateNames: [String]? = nil, ot: OTClassifierSettings? = nil,
    transformer: TransformerSettings? = nil, dummies: ClassGaussians? = nil
  ) {
    self.model = model
    self.featureNames = featureNames
    self.labelName = labelName
    self.classLabels = classLabels
    self.standardizer = standardizer
    self.mlp = mlp
    self.tokens = tokens
    self.coordinateNames = coordinateNames
    self.ot = ot
    self.transformer = transformer
    self.dummies = dummies
  }


}

/// A fitted classifier of table rows: the MLP, the OT classifier or the transformer.
///
/// A classifier is a class that holds its weights (`Parameter` objects) and is not
/// `Sendable`: fitting mutates it. For predictions from many tasks, give each task its own
/// (``TabularModels/load(from:)`` of a saved model, as `ConcurrencyTests` does); the
/// settings, data and results are values and cross tasks freely.
public protocol TabularClassifier: AnyObject {
  /// The saved description of the model (`nil` before fitting).
  var configuration: TabularModelConfiguration? { get }
  /// Class probabilities of each row of raw (unstandardized) features; a row is one
  /// instance.
  func predictProbabilities(_ features: Matrix<Double>) throws -> Matrix<Double>
  /// Saves the model into a directory (see `ModelFile`).
  func save(to directory: String) throws
}

extension TabularClassifier {
  /// The class index of each row.
  public func predict(_ features: Matrix<Double>) throws -> [Int] { argmaxRows(try predictProbabilities(features)) }
}

/// Loading any saved tabular model.
public enum TabularModels {
  /// Loads a model saved by `otkit train --save` or a classifier's `save(to:)`.
  ///
  /// - Throws: `ModelFileError` for a missing, corrupt or mismatched model.
  public static func load(from directory: String) throws -> any TabularClassifier {
    let config = try ModelFile.configuration(TabularModelConfiguration.self, from: directory)
    switch config.model {
    case "mlp": return try MLPClassifier.load(from: directory)
    case "ot": return try OTClassifier.load(from: directory)
    case "transformer", "pretrained": return try TabularTransformer.load(from: directory)
    default: throw ModelFileError(path: directory, reason: "holds an unknown model kind \"\(config.model)\"")
    }
  }
}

/// A model used before it was fitted, or a saved model of another kind.
public struct TabularModelError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The MLP baseline of the study: standardization fitted on the training rows, an MLP from
/// the features to class logits, cross-entropy, Adam, mini-batches, a stratified validation
/// split with early stopping and restore of the best weights.
public final class MLPClassifier: TabularClassifier {
  public var settings: MLPSettings
  public private(set) var network: MLP?
  public private(set) var standardizer: Standardizer?
  public private(set) var classLabels: [String] = []
  public private(set) var featureNames: [String] = []
  public private(set) var labelName: String?

  public init(settings: MLPSettings = .init()) {
    self.settings = settings
  }

  /// Fits the model; returns the training history.
  ///
  /// - Parameter showsProgress: draw a progress bar when standard error is a terminal.
  @discardableResult
  public func fit(_ data: LabeledData, showsProgress: Bool = false, onEpoch: ((EpochRecord) -> Void)? = nil) throws -> TrainingHistory {
    guard data.count > 0 else { throw TabularModelError("no training rows") }
    let scaler = Standardizer(fitting: data.features)
    let x = try scaler.transform(data.features)
    let network = Self.network(settings, features: data.features.columns, classes: data.classCount)
    let config = TrainingConfiguration(
      epochs: settings.epochs, batchSize: settings.batchSize, patience: settings.patience, seed: settings.seed &+ 1,
      showsProgress: showsProgress)
    var trainX = x, trainY = data.labels
    var validation: (inputs: Matrix<Double>, labels: [Int])?
    if settings.validationFraction > 0 {
      var splitGenerator = SeededGenerator(seed: settings.seed &+ 2)
      let split = StratifiedSplit(labels: data.labels, testFraction: settings.validationFraction, generator: &splitGenerator)
      if !split.test.isEmpty {
        validation = (x.rows(at: split.test), split.test.map { data.labels[$0] })
        trainX = x.rows(at: split.train)
        trainY = split.train.map { data.labels[$0] }
      }
    }
    let optimizer = Adam(learningRate: settings.learningRate, weightDecay: settings.weightDecay)
    let history = try Trainer(config).fitClassifier(
      network, optimizer: optimizer, inputs: trainX, labels: trainY, validation: validation, onEpoch: onEpoch)
    self.network = network
    self.standardizer = scaler
    self.classLabels = data.classLabels
    self.featureNames = data.featureNames
    self.labelName = data.labelName
    return history
  }

  /// The network of the settings, initialized from their seed.
  static func network(_ settings: MLPSettings, features: Int, classes: Int) -> MLP {
    var generator = SeededGenerator(seed: settings.seed)
    return MLP(
      sizes: [features] + settings.hidden + [classes], activation: settings.activation,
      dropout: settings.dropout, generator: &generator)
  }

  /// Class probabilities for each row of raw (unstandardized) features.
  public func predictProbabilities(_ features: Matrix<Double>) throws -> Matrix<Double> {
    guard let network, let standardizer else { throw TabularModelError("the model is not fitted") }
    guard features.columns == featureNames.count else {
      throw DataError(.shapeMismatch("\(features.columns) feature columns, the model was trained on \(featureNames.count)"), file: "<data>")
    }
    return network.predictProbabilities(try standardizer.transform(features))
  }

  /// The class index of each row.
  public func predict(_ features: Matrix<Double>) throws -> [Int] {
    argmaxRows(try predictProbabilities(features))
  }

  /// Accuracy, recall and confusion on labelled data.
  public func evaluate(_ data: LabeledData) throws -> ClassificationMetrics {
    ClassificationMetrics(predicted: try predict(data.features), labels: data.labels, classes: classLabels.count)
  }

  /// The saved description of the model.
  public var configuration: TabularModelConfiguration? {
    guard let standardizer else { return nil }
    return TabularModelConfiguration(
      model: "mlp", featureNames: featureNames, labelName: labelName, classLabels: classLabels,
      standardizer: standardizer, mlp: settings)
  }

  /// Saves the model into a directory (see `ModelFile`).
  public func save(to directory: String) throws {
    guard let network, let configuration else { throw TabularModelError("the model is not fitted") }
    try ModelFile.save(network, configuration: configuration, to: directory)
  }

  /// Loads a model saved by ``save(to:)``.
  public static func load(from directory: String) throws -> MLPClassifier {
    let config = try ModelFile.configuration(TabularModelConfiguration.self, from: directory)
    guard config.model == "mlp", let settings = config.mlp else {
      throw TabularModelError("\(directory) holds a \(config.model) model, not an mlp")
    }
    try config.validate(directory: directory)
    let model = MLPClassifier(settings: settings)
    let network = network(settings, features: config.featureNames.count, classes: config.classLabels.count)
    try ModelFile.loadParameters(into: network, from: directory)
    model.network = network
    model.standardizer = config.standardizer
    model.classLabels = config.classLabels
    model.featureNames = config.featureNames
    model.labelName = config.labelName
    return model
  }
}
