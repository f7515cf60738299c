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

  /// The names of the anchors (``name``), as the command line takes them.
  public static let names = ["softmax", "sinkhorn", "sparsemax", "entmax", "orthostochastic"]

  /// The anchor of a name (``names``) with its parameters; `nil` for an unknown name.
  public init?(name: String, parameters: Parameters = Parameters()) {
    switch name {
    case "softmax": self = .softmax
    case "sinkhorn": self = .sinkhorn(SinkhornAnchorSettings(iterations: parameters.iterations, tolerance: parameters.tolerance))
    case "sparsemax": self = .sparsemax
    case "entmax": self = .entmax(alpha: parameters.alpha)
    case "orthostochastic": self = .orthostochastic
    default: return nil
    }
  }

  /// The anchor's parameters for people: ` (alpha 1.5)`, ` (10 iterations, tolerance
  /// 1e-06)`, or nothing.
  public var parameterDescription: String {
    switch self {
    case .entmax(let alpha): " (alpha \(alpha))"
    case .sinkhorn(let s): " (\(s.iterations) iterations\(s.tolerance.map { ", tolerance \($0)" } ?? ""))"
    default: ""
    }
  }

  /// Whether the anchor needs as many keys as queries (the orthostochastic anchor's QR of
  /// square scores).
  public var needsSquareScores: Bool {
    if case .orthostochastic = self { return true }
    return false
  }

  /// Entmax's alpha; `nil` for the other anchors.
  public var entmaxAlpha: Double? {
    if case .entmax(let alpha) = self { return alpha }
    return nil
  }
}
