import OTKitCore

/// The carrier of an attention layer: the set of key indices each query may address
/// (Geometric Attention's first input, R. Rosario Freytes, arXiv 2601.11618). The evidence
/// kernel is `K_ij = m_ij exp(S_ij)` with `m` the carrier's indicator, which the score chart
/// applies as a bias of `0` on the carrier and `-infinity` off it.
///
/// A type instead of a hand-made `-infinity` matrix: the gauge (``ScoreGauge``) and the
/// diagnostics read the carrier itself, and every query keeps at least one key.
public enum AttentionCarrier: Sendable, Equatable, Hashable, Codable {
  /// Every key.
  case full
  /// Keys `j <= i` (autoregressive).
  case causal
  /// Keys within `radius` of the query's index: `|i - j| <= radius`.
  case window(radius: Int)
  /// Explicit index sets, one per query.
  case indices([[Int]])

  /// Whether query `i` addresses key `j`.
  public func contains(_ i: Int, _ j: Int) -> Bool {
    switch self {
    case .full: true
    case .causal: j <= i
    case .window(let radius): abs(i - j) <= radius
    case .indices(let sets): i < sets.count && sets[i].contains(j)
    }
  }

  /// The indicator `m` (`1` on the carrier, `0` off it), `n x m`.
  ///
  /// - Complexity: `O(n m)` (times a set's size for explicit indices).
  public func indicator(rows n: Int, columns m: Int) -> Matrix<Double> {
    Matrix(rows: n, columns: m) { i, j in contains(i, j) ? 1 : 0 }
  }

  /// The score bias: `0` on the carrier, `-infinity` off it; `nil` for the full carrier.
  public func bias(rows n: Int, columns m: Int) -> Matrix<Double>? {
    self == .full ? nil : Matrix(rows: n, columns: m) { i, j in contains(i, j) ? 0 : -.infinity }
  }

  /// The number of addressed pairs: the carrier's size.
  public func size(rows n: Int, columns m: Int) -> Int {
    switch self {
    case .full: n * m
    default: indicator(rows: n, columns: m).elements.reduce(0) { $0 + Int($1) }
    }
  }

  /// The first query (if any) that addresses no key or a key outside `0..<m`, for `n`
  /// queries: such a carrier leaves a row of weights undefined.
  public func invalidRow(rows n: Int, columns m: Int) -> Int? {
    if case .indices(let sets) = self {
      if sets.count != n { return min(sets.count, n) }
      return sets.firstIndex { $0.isEmpty || $0.contains { $0 < 0 || $0 >= m } }
    }
    if case .window(let radius) = self, radius < 0 { return 0 }
    return (0..<n).first { i in !(0..<m).contains { self.contains(i, $0) } }
  }

  /// The carrier by name: `full`, `causal`, or `window:R` (radius `R >= 0`).
  public init?(name: String) {
    switch name {
    case "full": self = .full
    case "causal": self = .causal
    default:
      guard name.hasPrefix("window:"), let radius = Int(name.dropFirst(7)), radius >= 0 else { return nil }
      self = .window(radius: radius)
    }
  }

  /// The names ``init(name:)`` reads.
  public static let names = ["full", "causal", "window:R"]

  /// The carrier's name (`indices` for explicit index sets, which have none to read).
  public var name: String {
    switch self {
    case .full: "full"
    case .causal: "causal"
    case .window(let radius): "window:\(radius)"
    case .indices: "indices"
    }
  }
}
