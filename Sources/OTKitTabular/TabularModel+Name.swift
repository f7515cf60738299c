import OTKitAttention
import OTKitNeural

extension TabularModel {
  /// The names of the models (``name``), as the command line takes them.
  public static let names = ["mlp", "ot", "transformer", "pretrained"]

  /// What a caller changes of a model's default settings; `nil` keeps the default. Each
  /// model reads the fields that apply to it (``init(name:changes:)``).
  public struct Changes: Sendable {
    public var hidden: [Int]?
    public var dummies: DummyPlacement = .automatic
    public var blocks = 1
    public var heads = 10
    public var feedForward: Int?
    public var headDropout: Double?
    /// Start the transformer from the study's original settings.
    public var studySettings = false
    /// The transformer's anchor (`nil`: softmax).
    public var anchor: AttentionAnchor?
    /// The multiplier of the transformer's attention temperature (`nil`: 1).
    public var temperature: Double?
    /// One anchor per head (`nil`: ``anchor`` for every head).
    public var headAnchors: [AttentionAnchor]?
    /// Whether every head learns its temperature.
    public var learnsTemperature = false
    /// ALiBi's slope (`nil`: none).
    public var alibi: Double?
    /// Geometric Attention's regime of the transformer (`nil`: standard attention).
    public var regime: AttentionRegime?
    /// Whether the transformer logs its gradient structure every epoch.
    public var logsGradientStructure = false
    public var norm: NormPlacement = .post
    public var layout: TokenLayout = .sequence
    /// Rows or instances per step; 0: full batch (the OT classifier keeps its own then).
    public var batchSize: Int?
    public var learningRate = 1e-2
    public var validationFraction: Double?
    public var patience: Int?
    public var epochs = 200
    public var seed: UInt64 = 0
    /// The weight of the Monge gap on the OT classifier's map (`nil` or 0: none).
    public var mongeGap: Double?

    public init() {}
  }

  /// The model of a name (``names``) with its default settings changed; `nil` for an
  /// unknown name.
  public init?(name: String, changes c: Changes = Changes()) {
    switch name {
    case "mlp":
      var s = MLPSettings()
      (s.hidden, s.epochs, s.learningRate, s.seed) = (c.hidden ?? s.hidden, c.epochs, c.learningRate, c.seed)
      if let batch = c.batchSize { s.batchSize = batch == 0 ? nil : batch }
      (s.validationFraction, s.patience) = (c.validationFraction ?? s.validationFraction, c.patience ?? s.patience)
      self = .mlp(s)
    case "ot":
      var s = OTClassifierSettings()
      (s.hidden, s.dummyPlacement, s.epochs, s.learningRate, s.seed) = (c.hidden ?? s.hidden, c.dummies, c.epochs, c.learningRate, c.seed)
      (s.validationFraction, s.patience) = (c.validationFraction ?? s.validationFraction, c.patience ?? s.patience)
      if let batch = c.batchSize, batch > 0 { s.assignmentBatchSize = batch }
      if let lambda = c.mongeGap, lambda > 0 { s.mongeGap = MongeGapPenalty(weight: lambda) }
      self = .ot(s)
    case "transformer", "pretrained":
      var s = c.studySettings ? TransformerSettings.study : TransformerSettings()
      (s.layout, s.blocks, s.heads, s.normPlacement) = (c.layout, c.blocks, c.heads, c.norm)
      s.anchor = c.anchor == .softmax ? nil : c.anchor
      s.temperature = c.temperature
      (s.headAnchors, s.learnsTemperature, s.alibi) = (c.headAnchors, c.learnsTemperature ? true : nil, c.alibi)
      s.logsGradientStructure = c.logsGradientStructure ? true : nil
      s.regime = c.regime?.isStandard == false ? c.regime : nil
      (s.feedForward, s.headDropout) = (c.feedForward ?? s.feedForward, c.headDropout ?? s.headDropout)
      (s.epochs, s.learningRate, s.dummyPlacement, s.seed) = (c.epochs, c.learningRate, c.dummies, c.seed)
      if let batch = c.batchSize { s.batchSize = batch == 0 ? nil : batch }
      (s.validationFraction, s.patience) = (c.validationFraction ?? s.validationFraction, c.patience ?? s.patience)
      s.pretrained = name == "pretrained"
      self = .transformer(s)
    default: return nil
    }
  }

  /// Whether the model is a transformer (plain or pretrained): the models with an encoder
  /// whose trajectory can be traced.
  public var isTransformer: Bool {
    if case .transformer = self { return true }
    return false
  }

  /// The hidden widths of the MLP or of the OT classifier's map; `nil` for the transformer.
  public var hiddenWidths: [Int]? {
    switch self {
    case .mlp(let s): s.hidden
    case .ot(let s): s.hidden
    case .transformer: nil
    }
  }

  /// A change of a model's settings that is out of range or does not apply to the model;
  /// `setting` is the field of ``Changes``.
  public struct InvalidChange: Error, Equatable, Sendable, CustomStringConvertible {
    public var setting: String
    public var reason: String
    public var description: String { "\(setting) \(reason)" }
  }
}

extension TabularModel.Changes {
  /// Checks the changes for the model of a name: each value in its range (the limits of a
  /// saved model's configuration, so that what trains also loads), and the transformer's
  /// settings only for a transformer.
  ///
  /// - Throws: ``TabularModel/InvalidChange`` naming the setting.
  /// - Complexity: O(1).
  public func check(model name: String) throws {
    func invalid(_ setting: String, _ reason: String) -> TabularModel.InvalidChange { .init(setting: setting, reason: reason) }
    if let hidden, hidden.isEmpty || hidden.count > TabularModelLimits.depth || !hidden.allSatisfy({ (1...TabularModelLimits.width).contains($0) }) {
      throw invalid("hidden", "takes 1 to \(TabularModelLimits.depth) widths from 1 to \(TabularModelLimits.width)")
    }
    if let batchSize, batchSize < 0 { throw invalid("batchSize", "must be positive (0: full batch)") }
    guard learningRate > 0 && learningRate.isFinite else { throw invalid("learningRate", "must be positive") }
    if let validationFraction, !(validationFraction >= 0 && validationFraction < 1) { throw invalid("validationFraction", "must lie in [0, 1)") }
    if let patience, patience < 1 { throw invalid("patience", "must be positive") }
    for (setting, value, limit) in [("blocks", blocks, TabularModelLimits.depth), ("heads", heads, TabularModelLimits.heads), ("feedForward", feedForward ?? 1, TabularModelLimits.width)] {
      guard value >= 1 else { throw invalid(setting, "must be positive") }
      guard value <= limit else { throw invalid(setting, "must be at most \(limit)") }
    }
    if let headDropout, !(headDropout >= 0 && headDropout < 1) { throw invalid("headDropout", "must lie in [0, 1)") }
    if studySettings && !(name == "transformer" || name == "pretrained") { throw invalid("studySettings", "applies to the transformer and pretrained models") }
    if let headAnchors, headAnchors.count != heads { throw invalid("anchor", "lists \(headAnchors.count) anchors for \(heads) heads (one, or one per head)") }
    if let alibi, !(alibi >= 0 && alibi.isFinite) { throw invalid("alibi", "must be 0 or more") }
    if let temperature, !(temperature > 0 && temperature.isFinite) { throw invalid("temperature", "must be positive") }
    for anchor in (headAnchors ?? []) + [anchor].compactMap({ $0 }) {
      if case .entmax(let alpha) = anchor, !(alpha > 1 && alpha.isFinite) { throw invalid("alpha", "must be greater than 1") }
      if case .sinkhorn(let s) = anchor, s.iterations < 1 { throw invalid("iterations", "must be positive") }
    }
    if let mongeGap, !(mongeGap >= 0 && mongeGap.isFinite) { throw invalid("mongeGap", "must be 0 or more") }
    if mongeGap != nil && name != "ot" { throw invalid("mongeGap", "regularizes the OT classifier's map: use it with --model ot") }
    if let problem = regime?.problem(blocks: blocks) { throw invalid(problem.option, problem.reason) }
    if regime?.isStandard == false && !(name == "transformer" || name == "pretrained") { throw invalid("link", "and the other attention regime options apply to the transformer and pretrained models") }
  }
}
