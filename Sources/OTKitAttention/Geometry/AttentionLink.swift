import Foundation
import OTKitCore

/// The link of Geometric Attention's evidence kernel, `K_ij = m_ij L(s_ij)`: how a score
/// becomes evidence before the anchor normalizes it (R. Rosario Freytes, arXiv 2601.11618).
/// The exponential link gives Gibbs weights (the paper's result for multiplicative
/// evidence); the power link is Tsallis's `q`-exponential, whose kernel vanishes below a
/// score, so the weights have exact zeros.
///
/// The operator applies a link to the score chart as the log-kernel (`-infinity` where the
/// kernel vanishes), so every anchor works on it unchanged: the softmax of the log-kernel is
/// the row-normalized kernel, Sinkhorn its plan. The power link is not shift invariant, so
/// its kernel needs a reference score: ``logKernel(rows:)`` measures each score from its
/// row's largest, `K_ij = L(s_ij - max_k s_ik)`. Each query then keeps its best key with
/// kernel 1 and no row of weights is ever empty (for the exponential link the shift is a
/// row field, which the row-wise anchors ignore; the exponential link is applied unshifted).
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

  /// The log-kernel of a score matrix, each row measured from its largest finite score
  /// (the exponential link: the scores themselves).
  ///
  /// - Complexity: `O(n m)`.
  public func logKernel(rows s: Matrix<Double>) -> Matrix<Double> {
    guard case .power = self else { return s }
    var l = s
    for i in 0..<s.rows {
      let top = Self.rowMaximum(s, i)
      for j in 0..<s.columns { l[i, j] = top.isFinite ? logKernel(s[i, j] - top) : -.infinity }
    }
    return l
  }

  /// The vector-Jacobian product of ``logKernel(rows:)`` at `s`: `G_ij r_ij` with
  /// `r_ij = 1 / (1 + (1 - q)(s_ij - max))` on the support (0 off it), and minus the row's
  /// total on the row's maximum (the reference moves with it; a subgradient at ties).
  ///
  /// - Complexity: `O(n m)`.
  public func pullback(rows s: Matrix<Double>, gradient g: Matrix<Double>) -> Matrix<Double> {
    guard case .power(let q) = self else { return g }
    var d = Matrix<Double>(rows: s.rows, columns: s.columns)
    for i in 0..<s.rows {
      let top = Self.rowMaximum(s, i)
      guard top.isFinite, let argmax = (0..<s.columns).first(where: { s[i, $0] == top }) else { continue }
      var total = 0.0
      for j in 0..<s.columns {
        let base = 1 + (1 - q) * (s[i, j] - top)
        guard base > 0, g[i, j].isFinite else { continue }
        d[i, j] = g[i, j] / base
        total += d[i, j]
      }
      d[i, argmax] -= total
    }
    return d
  }

  static func rowMaximum(_ s: Matrix<Double>, _ i: Int) -> Double {
    var top = -Double.infinity
    for j in 0..<s.columns where s[i, j].isFinite { top = Swift.max(top, s[i, j]) }
    return top
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
