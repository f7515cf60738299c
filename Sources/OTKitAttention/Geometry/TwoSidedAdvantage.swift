import OTKitCore

/// The gradient of two-sided (Sinkhorn) attention as probability times an advantage with a
/// row and a column baseline, seed 002's second open question.
///
/// At the fixed point `P = diag(u) exp(S) diag(v)` with fixed marginals, a change `dS` of
/// the scores moves the plan by `P * (dS - df 1^T - 1 dg^T)`, the fields chosen to keep the
/// marginals: the map is `P` times the projection off the row and column fields in the
/// `P`-weighted inner product, which is self-adjoint there. So for `U = dL/dP`,
///
/// `dL/dS = P * (U - alpha 1^T - 1 beta^T)`,
///
/// with `(alpha, beta)` the `P`-weighted least-squares fit of `U` by a row field and a column
/// field: the row baseline `alpha_i` and the column baseline `beta_j` (REINFORCE with two
/// baselines). With the row constraint alone (one normalization: the softmax) the fit is
/// `alpha_i = E_{P_i}[U_i]`, `beta = 0`: the one-sided advantage form.
public struct TwoSidedAdvantage: Sendable {
  /// `dL/dS` for scores already divided by the temperature.
  public var gradient: Matrix<Double>
  /// `alpha` (the row baseline).
  public var rowBaseline: [Double]
  /// `beta` (the column baseline; zero weighted mean, the constant is in `alpha`).
  public var columnBaseline: [Double]
  /// The alternating sweeps of the fit, and whether the fit met `1e-13` of `U`'s scale.
  public var sweeps: Int
  public var converged: Bool

  /// The decomposition for a plan `p` (every entry positive on the rows and columns that
  /// carry mass) and an upstream gradient `u`; `columns: false` gives the one-sided form.
  ///
  /// - Complexity: `O(n m)` per sweep (alternating weighted row and column means).
  public init(plan p: Matrix<Double>, upstream u: Matrix<Double>, columns: Bool = true) {
    let (rowMass, columnMass) = (p.rowSums(), p.columnSums())
    var alpha = [Double](repeating: 0, count: p.rows), beta = [Double](repeating: 0, count: p.columns)
    let scale = Swift.max(u.elements.map(\.magnitude).max() ?? 0, 1e-300)
    (sweeps, converged) = (10_000, false)
    for sweep in 1...10_000 {
      var change = 0.0
      for i in 0..<p.rows where rowMass[i] > 0 {
        var sum = 0.0
        for j in 0..<p.columns { sum += p[i, j] * (u[i, j] - beta[j]) }
        change = Swift.max(change, abs(sum / rowMass[i] - alpha[i]))
        alpha[i] = sum / rowMass[i]
      }
      if columns {
        for j in 0..<p.columns where columnMass[j] > 0 {
          var sum = 0.0
          for i in 0..<p.rows { sum += p[i, j] * (u[i, j] - alpha[i]) }
          change = Swift.max(change, abs(sum / columnMass[j] - beta[j]))
          beta[j] = sum / columnMass[j]
        }
      }
      if change <= 1e-13 * scale { (sweeps, converged) = (sweep, true); break }
    }
    let total = columnMass.reduce(0, +)
    let shift = total > 0 ? zip(beta, columnMass).reduce(0) { $0 + $1.0 * $1.1 } / total : 0
    (rowBaseline, columnBaseline) = (alpha.map { $0 + shift }, beta.map { $0 - shift })
    let (a, b) = (rowBaseline, columnBaseline)
    gradient = Matrix(rows: p.rows, columns: p.columns) { i, j in p[i, j] * (u[i, j] - a[i] - b[j]) }
  }
}
