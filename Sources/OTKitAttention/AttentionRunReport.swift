import OTKitCore

/// What one attention run computed, as `otkit attention --json` prints it: the anchor (and
/// entmax's alpha, `null` for the others), the temperature, the sizes, the time, each head's
/// diagnostics, the files written (`null` when not) and the precision.
public struct AttentionRunReport: Encodable, Sendable {
  public var anchor: AttentionAnchor
  public var temperature: Double
  public var heads: Int
  public var queries: Int
  public var keys: Int
  public var seconds: Double
  public var diagnostics: [AttentionDiagnostics]
  public var weights: String?
  public var output: String?
  /// `float32` or `float64`.
  public var precision: String

  public init(
    anchor: AttentionAnchor, temperature: Double, heads: Int, queries: Int, keys: Int, seconds: Double,
    diagnostics: [AttentionDiagnostics], weights: String?, output: String?, precision: String
  ) {
    (self.anchor, self.temperature, self.heads, self.queries, self.keys) = (anchor, temperature, heads, queries, keys)
    (self.seconds, self.diagnostics, self.weights, self.output, self.precision) = (seconds, diagnostics, weights, output, precision)
  }

  enum CodingKeys: String, CodingKey {
    case anchor, alpha, temperature, heads, queries, keys, seconds, diagnostics, weights, output, precision
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(anchor.name, forKey: .anchor)
    try anchor.entmaxAlpha.map { try c.encode($0, forKey: .alpha) } ?? c.encodeNil(forKey: .alpha)
    try c.encode(temperature, forKey: .temperature)
    try c.encode(heads, forKey: .heads)
    try c.encode(queries, forKey: .queries)
    try c.encode(keys, forKey: .keys)
    try c.encode(seconds, forKey: .seconds)
    try c.encode(diagnostics, forKey: .diagnostics)
    try weights.map { try c.encode($0, forKey: .weights) } ?? c.encodeNil(forKey: .weights)
    try output.map { try c.encode($0, forKey: .output) } ?? c.encodeNil(forKey: .output)
    try c.encode(precision, forKey: .precision)
  }
}
