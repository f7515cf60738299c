import Foundation
import OTKitCore
import OTKitData
import OTKitNeural

/// A tabular model to fit, with its settings: the one choice behind `otkit train --model`
/// and every run of the study.
public enum TabularModel: Sendable {
  /// The MLP baseline (``MLPClassifier``), on table rows.
  case mlp(MLPSettings)
  /// The OT classifier (``OTClassifier``).
  case ot(OTClassifierSettings)
  /// The transformer (``TabularTransformer``); its pretrained variant when
  /// ``TransformerSettings/pretrained`` is set.
  case transformer(TransformerSettings)

  /// The pretrained transformer: the head is trained on dummy classes first, then frozen.
  public static func pretrained(_ settings: TransformerSettings) -> TabularModel {
    var s = settings
    s.pretrained = true
    return .transformer(s)
  }

  /// The name in model files, JSON and reports: `mlp`, `ot`, `transformer`, `pretrained`.
  public var name: String {
    switch self {
    case .mlp: "mlp"
    case .ot: "ot"
    case .transformer(let s): s.pretrained ? "pretrained" : "transformer"
    }
  }

  /// The same model with another seed.
  public func seeded(_ seed: UInt64) -> TabularModel {
    switch self {
    case .mlp(var s):
      s.seed = seed
      return .mlp(s)
    case .ot(var s):
      s.seed = seed
      return .ot(s)
    case .transformer(var s):
      s.seed = seed
      return .transformer(s)
    }
  }

  /// Fits the model on the training part and evaluates it on both parts: the one
  /// "fit, evaluate, record" path of the command line and the study.
  ///
  /// - Parameters:
  ///   - train: the training rows (the MLP needs them; the others read `sequenceTrain`).
  ///   - trace: record the transformer's trajectory and the OT metrics of training.
  /// - Throws: ``TabularModelError`` (an MLP without rows, a trace of the feature layout),
  ///   `DataError`, or an error of training.
  /// - Complexity: the model's training plus one prediction pass over each part.
  public func fit(
    train: LabeledData? = nil, sequenceTrain: SequenceData, sequenceTest: SequenceData, trace: Bool = false,
    showsProgress: Bool = false
  ) throws -> TrainingOutcome {
    switch self {
    case .mlp(let settings):
      guard let train else { throw TabularModelError("the MLP is fitted on table rows") }
      let classifier = MLPClassifier(settings: settings)
      let history = try classifier.fit(train, showsProgress: showsProgress)
      func evaluate(_ data: SequenceData) throws -> SequenceEvaluation {
        let p = try classifier.predictProbabilities(data.points)
        return SequenceEvaluation(pointProbabilities: p, instanceProbabilities: p, data: data)
      }
      let sizes = [train.featureNames.count] + settings.hidden + [train.classCount]
      let description = "mlp \(sizes.map(String.init).joined(separator: "-")) (Adam, learning rate \(settings.learningRate), batch \(settings.batchSize.map(String.init) ?? "full"))"
      return TrainingOutcome(
        model: name, description: description, history: history, test: try evaluate(sequenceTest),
        train: try evaluate(sequenceTrain), classifier: classifier)
    case .ot(let settings):
      let classifier = OTClassifier(settings: settings)
      let history = try classifier.fit(sequenceTrain, showsProgress: showsProgress)
      let d = sequenceTrain.dimension
      let description = "ot classifier, map \(([d] + settings.hidden + [d]).map(String.init).joined(separator: "-")), \(settings.dummyPlacement.rawValue) dummies, assignment batches of \(settings.assignmentBatchSize.map { "\($0) instances" } ?? "all instances")"
        + (settings.mongeGap.map { ", Monge gap lambda \($0.weight) on \($0.points) points per step" } ?? "")
      return TrainingOutcome(
        model: name, description: description, history: history, test: try classifier.evaluate(sequenceTest),
        train: try classifier.evaluate(sequenceTrain), otClassifier: classifier, classifier: classifier)
    case .transformer(let settings):
      let classifier = TabularTransformer(settings: settings)
      let history = try classifier.fit(sequenceTrain, trace: trace, showsProgress: showsProgress)
      let anchor = settings.anchor ?? .softmax
      let tokens = settings.layout == .feature
        ? "feature tokens of width \(settings.featureWidth)" : "\(sequenceTrain.tokens) token(s) of \(sequenceTrain.dimension)"
      let description = "\(settings.pretrained ? "pretrained transformer (frozen head)" : "transformer"), \(settings.blocks) \(settings.normPlacement.rawValue)-norm block(s), \(settings.heads) heads, \(anchor.name) attention, key size \(settings.keySize), \(tokens); RMSprop, learning rate \(settings.learningRate), batch \(settings.batchSize.map(String.init) ?? "full")"
      return TrainingOutcome(
        model: name, description: description, history: history, test: try classifier.evaluate(sequenceTest),
        train: try classifier.evaluate(sequenceTrain), metrics: try classifier.recorder?.metrics(),
        recorder: classifier.recorder, classifier: classifier)
    }
  }
}

/// One trained model: the classifier, its training history, its evaluations on the
/// training and test parts, and (a traced transformer) the OT metrics of training.
public struct TrainingOutcome {
  /// ``TabularModel/name``.
  public var model: String
  /// The architecture and training in words.
  public var description: String
  public var history: TrainingHistory
  public var test: SequenceEvaluation
  public var train: SequenceEvaluation
  public var metrics: TrainingTransportMetrics?
  public var recorder: TrajectoryRecorder?
  public var otClassifier: OTClassifier?
  /// The fitted classifier (to save or to predict with).
  public var classifier: (any TabularClassifier)?

  public init(
    model: String, description: String, history: TrainingHistory, test: SequenceEvaluation, train: SequenceEvaluation,
    metrics: TrainingTransportMetrics? = nil, recorder: TrajectoryRecorder? = nil, otClassifier: OTClassifier? = nil,
    classifier: (any TabularClassifier)? = nil
  ) {
    self.model = model
    self.description = description
    self.history = history
    self.test = test
    self.train = train
    self.metrics = metrics
    self.recorder = recorder
    self.otClassifier = otClassifier
    self.classifier = classifier
  }
}
