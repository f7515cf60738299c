import OTKitCore

/// A certificate that an exact transport plan is optimal, checked without re-solving.
///
/// Linear programming duality: a plan `P` and potentials `(f, g)` are both optimal exactly
/// when (1) `P` is feasible (non-negative with marginals `a` and `b`), (2) the potentials
/// are dual feasible (`C_ij - f_i - g_j >= 0` for every pair), and (3) complementary
/// slackness holds (`C_ij - f_i - g_j = 0` wherever `P_ij > 0`); then `<P, C> =
/// <a, f> + <b, g>`. Each condition is measured, and the certificate holds when every
/// measure is within a tolerance scaled to the problem.
public struct OptimalityCertificate: Sendable, Equatable {
  /// The largest absolute difference between a marginal of the plan and its weight.
  public var marginalError: Double
  /// The most negative entry of the plan (0 when none is negative).
  public var mostNegativeMass: Double
  /// The smallest reduced cost `min_ij C_ij - f_i - g_j` (non-negative when dual feasible).
  public var minimumReducedCost: Double
  /// The largest `|C_ij - f_i - g_j|` over the plan's support.
  public var complementarySlackness: Double
  /// `|<P, C> - (<a, f> + <b, g>)|`.
  public var dualityGap: Double
  /// The tolerance the measures were checked against: `1e-9` times the cost scale
  /// (`max |C|`), at least ``absoluteFloor``, for the potentials; `1e-9` times the total
  /// mass for the marginals.
  public var tolerance: Double
  /// Whether every condition holds within the tolerance.
  public var holds: Bool
  /// Whether dual feasibility was checked over all `n m` pairs; problems with more than
  /// ``dualCheckLimit`` pairs whose cost matrix was never built (1-D problems of a million
  /// points) skip that check, and ``minimumReducedCost`` is then NaN.
  public var dualFeasibilityChecked: Bool

  /// The floor of the cost tolerance, in cost units: the tolerance is `1e-9` times the cost
  /// scale but never below this.
  public static let absoluteFloor = 1e-12

  /// The largest number of pairs checked for dual feasibility without a built cost matrix.
  public static let dualCheckLimit = 50_000_000

  /// Checks a plan and potentials against the problem.
  ///
  /// - Complexity: `O(n m)` for dual feasibility, `O(nnz)` for the rest.
  public init(problem: TransportProblem, plan: SparsePlan, f: [Double], g: [Double]) {
    self.init(problem: problem, plan: plan, f: f, g: g, entryCosts: nil)
  }

  /// As ``init(problem:plan:f:g:)``, with the costs of the plan's entries when the solver
  /// has them (saves evaluating them again).
  init(problem: TransportProblem, plan: SparsePlan, f: [Double], g: [Double], entryCosts: [Double]?) {
    let (n, m) = (problem.n, problem.m)
    let rowSums = plan.rowSums()
    let columnSums = plan.columnSums()
    var marginal = 0.0
    for i in 0..<n { marginal = max(marginal, abs(rowSums[i] - problem.sourceWeights[i])) }
    for j in 0..<m { marginal = max(marginal, abs(columnSums[j] - problem.targetWeights[j])) }
    let mostNegativeMass = min(0, plan.masses.min() ?? 0)

    // Dual feasibility over all pairs, rows in parallel.
    let dualFeasibilityChecked = problem.hasCostMatrix || n * m <= Self.dualCheckLimit
    let minimumReducedCost: Double
    var scale = 0.0
    if dualFeasibilityChecked {
      var rowMinima = [Double](repeating: .infinity, count: n)
      var rowScales = [Double](repeating: 0, count: n)
      let c = problem.cost
      c.withUnsafeBufferPointer { cp in
        rowMinima.withUnsafeMutableBufferPointer { out in
          rowScales.withUnsafeMutableBufferPointer { sc in
            let (cb, ob, sb) = (cp.baseAddress!, out.baseAddress!, sc.baseAddress!)
            Parallel.forEachRange(count: n, cost: m) { range in
              for i in range {
                var best = Double.infinity
                var largest = 0.0
                let fi = f[i]
                for j in 0..<m {
                  best = Swift.min(best, cb[i * m + j] - fi - g[j])
                  largest = Swift.max(largest, abs(cb[i * m + j]))
                }
                ob[i] = best
                sb[i] = largest
              }
            }
          }
        }
      }
      minimumReducedCost = rowMinima.min() ?? 0
      scale = rowScales.max() ?? 0
    } else {
      minimumReducedCost = .nan
    }
    var slack = 0.0
    var primal = 0.0
    for k in 0..<plan.nonZeroCount {
      let (i, j) = (plan.rows[k], plan.columns[k])
      let cij = entryCosts?[k] ?? problem.cost(i, j)
      primal += plan.masses[k] * cij
      if !dualFeasibilityChecked { scale = max(scale, abs(cij)) }
      if plan.masses[k] > 0 { slack = max(slack, abs(cij - f[i] - g[j])) }
    }
    var dual = 0.0
    for i in 0..<n { dual += problem.sourceWeights[i] * f[i] }
    for j in 0..<m { dual += problem.targetWeights[j] * g[j] }
    self.init(
      marginalError: marginal, mostNegativeMass: mostNegativeMass,
      minimumReducedCost: minimumReducedCost, complementarySlackness: slack,
      dualityGap: abs(primal - dual), costScale: scale, totalMass: problem.totalMass,
      dualFeasibilityChecked: dualFeasibilityChecked)
  }

  /// A certificate from measures a solver computed itself (the 1-D solver measures them in
  /// its sorted order); the tolerance and the verdict follow the same rules.
  init(
    marginalError: Double, mostNegativeMass: Double, minimumReducedCost: Double,
    complementarySlackness: Double, dualityGap: Double, costScale: Double, totalMass: Double,
    dualFeasibilityChecked: Bool
  ) {
    self.marginalError = marginalError
    self.mostNegativeMass = mostNegativeMass
    self.minimumReducedCost = minimumReducedCost
    self.complementarySlackness = complementarySlackness
    self.dualityGap = dualityGap
    self.dualFeasibilityChecked = dualFeasibilityChecked
    // Relative to the costs, with an absolute floor: a problem whose costs are all 0 (or
    // tiny) is judged at 1e-12, not at a tolerance of 0 that round-off in the potentials
    // would fail.
    let costTolerance = Swift.max(1e-9 * costScale, Self.absoluteFloor)
    tolerance = costTolerance
    holds =
      marginalError <= 1e-9 * totalMass && mostNegativeMass >= -1e-12 * totalMass
      && (!dualFeasibilityChecked || minimumReducedCost >= -costTolerance)
      && complementarySlackness <= costTolerance && dualityGap <= costTolerance * totalMass
  }
}
