extension AttentionAnchor {
  /// The parameters an anchor may read when it is built from its name: entmax's `alpha`,
  /// Sinkhorn's normalizations and tolerance. Each anchor reads only its own.
  public struct Parameters: Sendable, Equatable {
    public var alpha: Double
    public var iterations: Int
    public var tolerance: Double?

    public init(alpha: Double = 1.5, iterations: Int = 10, tolerance: Double? = nil) {
      self.alpha = alpha
      self.iterations = iterations
      self.tolerance = tolerance
    }
  }

  /// The command-line name (the named rule's ``AnchorRule/name``).
  public var name: String { type(of: namedRule).name }

  /// The names of the anchors (``name``), as the command line takes them.
  public static var names: [String] { rules.map { $0.name } }

  /// The anchor of a name (``names``) with its parameters; `nil` for an unknown name.
  public init?(name: String, parameters: Parameters = Parameters()) {
    guard let rule = Self.rules.first(where: { $0.name == name }) else { return nil }
    self = rule.anchor(parameters)
  }

  /// The anchor's parameters for people: ` (alpha 1.5)`, ` (10 iterations, tolerance
  /// 1e-06)`, or nothing.
  public var parameterDescription: String { namedRule.parameterDescription }

  /// Whether the anchor needs as many keys as queries (the orthostochastic anchor's QR of
  /// square scores).
  public var needsSquareScores: Bool { namedRule.needsSquareScores }

  /// The `n x m` matrices the backward pass keeps per head beside the weights (the
  /// orthostochastic anchor's QR factors), for memory estimates.
  public var savedPlanes: Int { namedRule.savedPlanes }
  /// Whether each row of weights depends on its own row of scores alone (``AnchorRule/isRowwise``).
  public var isRowwise: Bool { rule.isRowwise }
  /// The most keys the anchor takes (``AnchorRule/maximumKeys``).
  public var maximumKeys: Int? { rule.maximumKeys }
}
