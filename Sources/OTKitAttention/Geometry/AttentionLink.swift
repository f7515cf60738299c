import Foundation

/// The link of Geometric Attention's evidence kernel, `K_ij = m_ij L(s_ij)`: how a score
/// becomes evidence before the anchor normalizes it (R. Rosario Freytes, arXiv 2601.11618).
/// The exponential link gives Gibbs weights (the paper's result for multiplicative
/// evidence); the power link is Tsallis's `q`-exponential, whose kernel vanishes below a
/// score, so the weights have exact zeros.
///
/// The operator applies a link to the score chart as the log-kernel `log L(s)` (`-infinity`
/// where the kernel vanishes), so every anchor works on it unchanged: the softmax of
/// `log L(s)` is the row-normalized kernel `L(s) / sum L(s)`, Sinkhorn its plan.
public enum AttentionLink: Sendable, Equatable, Hashable, Codable {
  /// `L(s) = exp(s)`.
  case exp
  /// `L(s) = [1 + (1 - q) s]_+^(1 / (1 - q))`, `0 <= q < 1` (`q -> 1` is `exp`).
  case power(q: Double)

  /// `log L(s)`.
  @inlinable
  public func logKernel(_ s: Double) -> Double {
    switch self {
    case .exp: return s
    case .power(let q):
      let base = 1 + (1 - q) * s
      return base > 0 ? Foundation.log(base) / (1 - q) : -.infinity
    }
  }

  /// The link by name: `exp` or `power:Q` with `0 <= Q < 1`.
  public init?(name: String) {
    if name == "exp" { self = .exp; return }
    guard name.hasPrefix("power:"), let q = Double(name.dropFirst(6)), q >= 0, q < 1 else { return nil }
    self = .power(q: q)
  }

  /// The names ``init(name:)`` reads.
  public static let names = ["exp", "power:Q"]

  /// The link's name, as ``init(name:)`` reads it.
  public var name: String {
    switch self {
    case .exp: "exp"
    case .power(let q): "power:\(q)"
    }
  }
}
