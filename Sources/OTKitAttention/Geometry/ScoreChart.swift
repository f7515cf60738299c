import Foundation
import OTKitCore

/// How a head's unary score fields enter the operator: one of Geometric Attention's regime
/// choices (R. Rosario Freytes, arXiv 2601.11618), made explicit instead of inherited from
/// the chart.
public enum UnaryRegime: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
  /// The dot-product chart as it comes, with whatever row and column fields its
  /// projections carry (standard attention).
  case chart
  /// The interaction alone: the chart's row and column fields quotiented out, `H S H` with
  /// `H = I - 1 1^T / n` (the rank-`d_k` normal form's regime).
  case interaction
  /// The chart plus a learned column field `u_j = w^T x_j + c`, one per head: a unary
  /// operator on each key token (an FFN-style field), which a row anchor does not ignore.
  case field
}

/// Geometric Attention's evidence-kernel rule for one head, as the autograd tape and the
/// inspection both run it: from the proto-scores `s = q k^T / tau` to the anchor's input
/// (the log-kernel):
///
/// 1. the unary regime (``UnaryRegime``): keep `s`, quotient it to `H s H`, or add a
///    learned column field `1 u^T`;
/// 2. a constant bias (ALiBi's locality cost, `-infinity` off a fixed carrier);
/// 3. the link, as the log-kernel `log L(.)`, each row measured from its largest score
///    (``AttentionLink/logKernel(rows:)``);
/// 4. an adaptive carrier's soft mask `log m_ij(w)` (``AdaptiveWindow``).
///
/// The anchor then turns `log K = log m + log L(s)` into weights. ``pullback(_:gradient:window:width:)``
/// is the vector-Jacobian product of all four steps.
public struct ScoreChart: Sendable, Equatable, Hashable, Codable {
  public var link: AttentionLink
  public var unary: UnaryRegime

  public init(link: AttentionLink = .exp, unary: UnaryRegime = .chart) {
    (self.link, self.unary) = (link, unary)
  }

  /// Whether the chart is the identity (exponential link, the chart's own fields).
  public var isStandard: Bool { link == .exp && unary != .interaction }

  /// The scores after the unary regime and the bias (steps 1 and 2), the link's argument.
  ///
  /// - Complexity: `O(n m)`.
  public func linkArgument(_ s: Matrix<Double>, columnField u: [Double]? = nil, bias: Matrix<Double>? = nil) -> Matrix<Double> {
    var x = s
    if unary == .interaction { x = Self.doubleCentered(x) }
    if let u {
      precondition(u.count == x.columns, "One field value per key")
      for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] += u[j] } }
    }
    if let bias { x = x + bias }
    return x
  }

  /// The anchor's input: the log-kernel of the link argument plus the adaptive carrier's
  /// log-mask at width `width`.
  ///
  /// - Complexity: `O(n m)`.
  public func evidence(
    _ s: Matrix<Double>, columnField u: [Double]? = nil, bias: Matrix<Double>? = nil, window: AdaptiveWindow? = nil, width: Double = 0
  ) -> Matrix<Double> {
    var l = linkArgument(s, columnField: u, bias: bias)
    l = link.logKernel(rows: l)
    if let window { l = l + window.logMask(rows: l.rows, columns: l.columns, width: width) }
    return l
  }

  /// The vector-Jacobian product of ``evidence(_:columnField:bias:window:width:)``: from
  /// `G = dL/d(evidence)` to the gradients of the proto-scores, of the column field
  /// (column sums) and of the window's width. `linkArgument` is the value
  /// ``linkArgument(_:columnField:bias:)`` returned in the forward pass.
  ///
  /// - Complexity: `O(n m)`.
  public func pullback(
    _ linkArgument: Matrix<Double>, gradient g: Matrix<Double>, window: AdaptiveWindow? = nil, width: Double = 0
  ) -> (scores: Matrix<Double>, columnField: [Double], width: Double) {
    let dWidth = window?.widthGradient(g, width: width) ?? 0
    var d = link.pullback(rows: linkArgument, gradient: g)
    if unary == .interaction { d = Self.doubleCentered(d) }
    return (d, d.columnSums(), dWidth)
  }

  /// `H S H`: `S` minus its row and column means plus its mean (self-adjoint, so also the
  /// pullback of itself).
  ///
  /// - Complexity: `O(n m)`.
  public static func doubleCentered(_ s: Matrix<Double>) -> Matrix<Double> {
    let rows = s.rowMeans(), columns = s.columnMeans()
    let mean = rows.reduce(0, +) / Double(Swift.max(rows.count, 1))
    return Matrix(rows: s.rows, columns: s.columns) { i, j in s[i, j] - rows[i] - columns[j] + mean }
  }
}
