import Foundation
import OTKitCore

/// A score matrix split into a constant, unary row and column fields, and the interaction:
/// `S_ij = mu + a_i + b_j + I_ij` on the carrier, the least-squares fit
/// `min sum m_ij (S_ij - mu - a_i - b_j)^2` (Geometric Attention's unary quotient,
/// R. Rosario Freytes, arXiv 2601.11618).
///
/// The fields are what the probes cannot see: a row anchor (the softmax) ignores `mu` and
/// every row field `a` (`softmax(S + c 1^T) = softmax(S)`), a plan anchor (Sinkhorn) ignores
/// both fields; only the column field `b` and the interaction move a row anchor's weights.
/// The interaction's rank-`r` truncation by SVD is its normal form (Eckart-Young); a
/// dot-product chart `Q K^T / tau` with keys of width `d_k` has interaction rank `<= d_k`.
///
/// On the full carrier the fit is closed: `mu` the mean, `a` the row means minus `mu`,
/// `b` the column means minus `mu`, `I = H S H` with `H = I - 1 1^T / n`. On another
/// carrier the fields are backfitted (masked row and column means in turn) until they
/// change by less than `1e-12` of the scores' scale.
public struct ScoreGauge: Sendable {
  /// `mu`.
  public var mean: Double
  /// `a` (zero weighted mean over the carrier).
  public var rowField: [Double]
  /// `b` (zero weighted mean over the carrier).
  public var columnField: [Double]
  /// `I`, zero off the carrier.
  public var interaction: Matrix<Double>
  /// The backfitting sweeps (0 on the full carrier).
  public var sweeps: Int
  /// Whether the backfit met its tolerance (always on the full carrier).
  public var converged: Bool

  /// The gauge of finite `scores` on `carrier`.
  ///
  /// - Complexity: `O(n m)` on the full carrier; `O(n m)` per backfitting sweep otherwise.
  public init(scores s: Matrix<Double>, carrier: AttentionCarrier = .full) {
    let mask = carrier.indicator(rows: s.rows, columns: s.columns)
    let rowCounts = mask.rowSums(), columnCounts = mask.columnSums()
    let total = rowCounts.reduce(0, +)
    var mu = 0.0
    for index in s.elements.indices where mask.elements[index] > 0 { mu += s.elements[index] }
    mu /= Swift.max(total, 1)
    var a = [Double](repeating: 0, count: s.rows), b = [Double](repeating: 0, count: s.columns)
    (sweeps, converged) = carrier == .full
      ? (0, Self.closedFields(s, mu, &a, &b))
      : Self.backfit(s, mask, mu, rowCounts, columnCounts, &a, &b)
    // The constant of the fields goes into mu: zero weighted means.
    let shiftA = zip(a, rowCounts).reduce(0) { $0 + $1.0 * $1.1 } / Swift.max(total, 1)
    let shiftB = zip(b, columnCounts).reduce(0) { $0 + $1.0 * $1.1 } / Swift.max(total, 1)
    a = a.map { $0 - shiftA }
    b = b.map { $0 - shiftB }
    mean = mu + shiftA + shiftB
    (rowField, columnField) = (a, b)
    let m = mean
    interaction = Matrix(rows: s.rows, columns: s.columns) { i, j in mask[i, j] > 0 ? s[i, j] - m - a[i] - b[j] : 0 }
  }

  /// Row and column means minus `mu` (the full carrier's exact fit).
  static func closedFields(_ s: Matrix<Double>, _ mu: Double, _ a: inout [Double], _ b: inout [Double]) -> Bool {
    (a, b) = (s.rowMeans().map { $0 - mu }, s.columnMeans().map { $0 - mu })
    return true  // exact: no iteration to converge
  }

  /// Alternating masked row and column means until the largest change is below `1e-12` of
  /// the scores' scale (at most 10,000 sweeps).
  static func backfit(
    _ s: Matrix<Double>, _ mask: Matrix<Double>, _ mu: Double, _ rowCounts: [Double], _ columnCounts: [Double],
    _ a: inout [Double], _ b: inout [Double]
  ) -> (Int, Bool) {
    var scale = 1e-300
    for index in s.elements.indices where mask.elements[index] > 0 { scale = Swift.max(scale, s.elements[index].magnitude) }
    for sweep in 1...10_000 {
      var change = 0.0
      for i in 0..<s.rows where rowCounts[i] > 0 {
        var sum = 0.0
        for j in 0..<s.columns where mask[i, j] > 0 { sum += s[i, j] - mu - b[j] }
        let new = sum / rowCounts[i]
        change = Swift.max(change, abs(new - a[i]))
        a[i] = new
      }
      for j in 0..<s.columns where columnCounts[j] > 0 {
        var sum = 0.0
        for i in 0..<s.rows where mask[i, j] > 0 { sum += s[i, j] - mu - a[i] }
        let new = sum / columnCounts[j]
        change = Swift.max(change, abs(new - b[j]))
        b[j] = new
      }
      if change < 1e-12 * scale { return (sweep, true) }
    }
    return (10_000, false)
  }

  /// `||a 1^T + 1 b^T||^2 / ||S - mu||^2` over the carrier (0 for constant scores).
  public func unaryFraction(carrier: AttentionCarrier = .full) -> Double {
    energy(carrier) { i, j in rowField[i] + columnField[j] }
  }

  /// `||1 b^T||^2 / ||S - mu||^2` over the carrier: the share of the only unary field a row
  /// anchor keeps.
  public func columnFieldShare(carrier: AttentionCarrier = .full) -> Double {
    energy(carrier) { _, j in columnField[j] }
  }

  /// The squared norm of `part` over the carrier, relative to that of `S - mu`.
  func energy(_ carrier: AttentionCarrier, _ part: (Int, Int) -> Double) -> Double {
    var (numerator, denominator) = (0.0, 0.0)
    for i in 0..<interaction.rows {
      for j in 0..<interaction.columns where carrier.contains(i, j) {
        let p = part(i, j), centered = rowField[i] + columnField[j] + interaction[i, j]
        numerator += p * p
        denominator += centered * centered
      }
    }
    return denominator > 0 ? numerator / denominator : 0
  }
}
