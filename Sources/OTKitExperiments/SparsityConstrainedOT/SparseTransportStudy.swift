import OTKitCore
import OTKitTransport

/// Spec §6.1 and §6.3 (regularized-ot.md): sparsity-constrained OT between exact and
/// quadratically regularized OT on a deterministic instance (T. Liu, J. Puigcerver,
/// M. Blondel, "Sparsity-constrained optimal transport", ICLR 2023).
///
/// The instance: `x_i = (frac(0.618... i), frac(0.754... i))`, `y_j = (1 + 0.5 frac(0.569... j),
/// 0.3 + 0.5 frac(0.324... j))`, 40 points each, squared Euclidean costs, uniform weights.
public enum SparseTransportStudy {
  /// One row of the table: the semi-dual at `(γ, k)`.
  public struct Row: Sendable, Codable {
    public var gamma: Double
    /// The cap on non-zeros per column (`nil`: quadratic OT).
    public var maxNonZeros: Int?
    public var semiDual: Double
    /// L-BFGS iterations with SciPy's function tolerance `1e-10` (the spec's measure).
    public var iterations: Int
    public var maxNonZerosPerColumn: Int
    public var nonZeros: Int
    public var rowMarginalError: Double
    public var status: String
  }

  /// The study's figures.
  public struct Summary: Sendable, Codable {
    public var exactCost: Double
    public var rows: [Row]
    /// The dual at γ = 1, k = 2 (a relaxation below the semi-dual).
    public var dualGamma1K2: Double
    /// Non-zeros of the quadratic plan (γ = 1) and of Sinkhorn's plan at ε = γ / n above
    /// `1e-12` of its largest entry, out of `n m`.
    public var quadraticNonZeros: Int
    public var sinkhornNonZeros: Int
    public var sinkhornPositive: Int
    public var entries: Int
  }

  /// The spec's instance of `n` points per side.
  public static func instance(_ n: Int = 40) throws -> TransportProblem {
    func frac(_ v: Double) -> Double { v - v.rounded(.down) }
    var x = Matrix<Double>(rows: n, columns: 2), y = Matrix<Double>(rows: n, columns: 2)
    for i in 0..<n {
      let t = Double(i)
      x[i, 0] = frac(0.6180339887 * t)
      x[i, 1] = frac(0.7548776662 * t)
      y[i, 0] = 1 + 0.5 * frac(0.5698402910 * t)
      y[i, 1] = 0.3 + 0.5 * frac(0.3247179572 * t)
    }
    return try TransportProblem(source: x, target: y)
  }

  /// The table for `gammas` and `ks` (`nil`: no cap).
  ///
  /// - Complexity: one L-BFGS solve per cell, `O(n m)` per evaluation.
  public static func run(gammas: [Double] = [1, 0.1], ks: [Int?] = [1, 2, 3, 4, 6, nil]) throws -> Summary {
    let problem = try instance()
    let exact = NetworkSimplex().solve(problem)
    var rows: [Row] = []
    for gamma in gammas {
      for k in ks {
        let regularizer: TransportRegularizer = k.map { .sparse(gamma: gamma, maxNonZeros: $0) } ?? .squaredL2(gamma: gamma)
        // The optimum to the solver's tolerance; the iterations to SciPy's ftol (spec).
        let full = SmoothTransport(regularizer: regularizer).solve(problem)
        let counted = SmoothTransport(regularizer: regularizer, functionTolerance: 1e-10).solve(problem)
        rows.append(Row(
          gamma: gamma, maxNonZeros: k, semiDual: full.objective, iterations: counted.iterations,
          maxNonZerosPerColumn: full.maxNonZerosPerColumn, nonZeros: full.nonZeros, rowMarginalError: full.rowMarginalError,
          status: full.status.rawValue))
      }
    }
    let dual = SmoothTransport(regularizer: .sparse(gamma: 1, maxNonZeros: 2), formulation: .dual).solve(problem)
    let quadratic = SmoothTransport(regularizer: .squaredL2(gamma: 1)).solve(problem)
    var sinkhorn = Sinkhorn(epsilon: .absolute(1.0 / Double(problem.n)), tolerance: 1e-9)
    sinkhorn.acceleration = .none
    let plan = sinkhorn.solve(problem).densePlan().elements
    let largest = plan.max() ?? 0
    return Summary(
      exactCost: exact.cost, rows: rows, dualGamma1K2: dual.objective, quadraticNonZeros: quadratic.nonZeros,
      sinkhornNonZeros: plan.filter { $0 > 1e-12 * largest }.count, sinkhornPositive: plan.filter { $0 > 0 }.count,
      entries: plan.count)
  }
}
