import OTKitCore

/// What `otkit train --json` prints, as a library value: test and training accuracy, recall
/// and confusion, the training history's figures, the data's sizes, and (a traced
/// transformer) the OT metrics of training, totals over classes. Its keys are a public
/// contract; non-finite numbers encode as `null`.
public struct TrainingReport: Encodable {
  public var outcome: TrainingOutcome
  public var classLabels: [String]
  public var trainRows: Int
  public var testRows: Int
  /// Tokens per instance of the training data.
  public var tokens: Int
  public var seed: UInt64
  /// Where the model was saved and the report written, when they were.
  public var saved: String?
  public var report: String?
  /// The hidden widths of the MLP or of the OT classifier's map.
  public var hidden: [Int]?

  public init(
    outcome: TrainingOutcome, classLabels: [String], trainRows: Int, testRows: Int, tokens: Int, seed: UInt64,
    saved: String? = nil, report: String? = nil, hidden: [Int]? = nil
  ) {
    self.outcome = outcome
    self.classLabels = classLabels
    self.trainRows = trainRows
    self.testRows = testRows
    self.tokens = tokens
    self.seed = seed
    self.saved = saved
    self.report = report
    self.hidden = hidden
  }

  struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(outcome.model, forKey: Key("model"))
    try c.encodeFinite(outcome.test.accuracy, forKey: Key("accuracy"))
    try c.encodeFinite(outcome.test.pointAccuracy, forKey: Key("pointAccuracy"))
    try c.encodeFinite(outcome.train.accuracy, forKey: Key("trainAccuracy"))
    // null for a class without test rows: its recall is undefined.
    try c.encode(outcome.test.instances.definedRecall.map { $0.flatMap { $0.isFinite ? $0 : nil } }, forKey: Key("recall"))
    try c.encode(outcome.test.instances.confusion, forKey: Key("confusion"))
    try c.encode(classLabels, forKey: Key("classLabels"))
    try c.encodeFinite(outcome.history.seconds, forKey: Key("trainSeconds"))
    try c.encode(outcome.history.epochs, forKey: Key("epochs"))
    try c.encode(outcome.history.bestEpoch + 1, forKey: Key("bestEpoch"))
    try c.encode(outcome.history.stoppedEarly, forKey: Key("stoppedEarly"))
    try c.encode(trainRows, forKey: Key("trainRows"))
    try c.encode(testRows, forKey: Key("testRows"))
    try c.encode(tokens, forKey: Key("tokens"))
    try c.encode(seed, forKey: Key("seed"))
    if let saved { try c.encode(saved, forKey: Key("saved")) } else { try c.encodeNil(forKey: Key("saved")) }
    if let report { try c.encode(report, forKey: Key("report")) } else { try c.encodeNil(forKey: Key("report")) }
    if let hidden { try c.encode(hidden, forKey: Key("hidden")) }
    if let metrics = outcome.metrics {
      for (name, value) in metrics.total.figures { try c.encodeFinite(value, forKey: Key(name)) }
    }
    if let gradientStructure { try c.encode(gradientStructure, forKey: Key("gradientStructure")) }
  }

  /// The transformer's gradient structure per epoch and head, when it was logged.
  public var gradientStructure: [HeadGradientStructure]? {
    guard let structure = (outcome.classifier as? TabularTransformer)?.gradientStructure, !structure.isEmpty else { return nil }
    return structure
  }
}
