import OTKitCore
import RealModule

/// Wasserstein barycenters: of histograms on a fixed support (entropic), and of point
/// clouds with a free support (exact or entropic OT at each step).
public enum Barycenter {
  /// The outcome of a barycenter computation.
  public struct Result: Sendable {
    /// The barycenter's weights on the support (fixed support), or its points' weights.
    public var weights: [Double]
    /// The barycenter's points (free support; the support itself for a fixed one).
    public var points: Matrix<Double>?
    public var iterations: Int
    /// The last change (L1 of the weights, or the largest move of a point).
    public var change: Double
    public var status: SolverStatus
  }

  /// The entropic barycenter of histograms `measures[k]` on one support with cost `cost`
  /// (`N x N`), weighted by `lambdas`: iterative Bregman projections in the log domain
  /// (J.-D. Benamou, G. Carlier, M. Cuturi, L. Nenna, G. Peyré, "Iterative Bregman
  /// projections for regularized transportation problems", SIAM J. Sci. Comput. 37, 2015;
  /// POT's `ot.bregman.barycenter`, `method='sinkhorn_log'`). Stops when the L1 change of the
  /// barycenter is at most `tolerance`.
  ///
  /// - Complexity: `O(K N²)` per iteration for `K` measures.
  public static func fixedSupport(
    _ measures: [[Double]], cost: Matrix<Double>, epsilon: Double, lambdas: [Double]? = nil, tolerance: Double = 1e-9,
    maxIterations: Int = 10_000
  ) -> Result {
    let k = measures.count, n = cost.rows
    precondition(k > 0 && cost.columns == n && measures.allSatisfy { $0.count == n }, "histograms of the support's size and a square cost")
    precondition(epsilon > 0, "the barycenter needs a positive epsilon")
    let lambda = lambdas ?? [Double](repeating: 1 / Double(k), count: k)
    let logK = cost.map { -$0 / epsilon }
    var logV = [[Double]](repeating: [Double](repeating: 0, count: n), count: k)
    var logP = [Double](repeating: -Double.log(Double(n)), count: n)
    var change = Double.infinity
    var iteration = 0
    var buffer = [Double](repeating: 0, count: n)
    var logKtU = [[Double]](repeating: [Double](repeating: 0, count: n), count: k)
    while iteration < maxIterations {
      iteration += 1
      for m in 0..<k {
        // log u = log b - LSE_j(log K_ij + log v_j); log (Kᵀ u)_j = LSE_i(log K_ij + log u_i).
        var logU = [Double](repeating: -.infinity, count: n)
        for i in 0..<n where measures[m][i] > 0 {
          for j in 0..<n { buffer[j] = logK[i, j] + logV[m][j] }
          logU[i] = Double.log(measures[m][i]) - Kernels.logSumExp(buffer)
        }
        for j in 0..<n {
          for i in 0..<n { buffer[i] = logK[i, j] + logU[i] }
          logKtU[m][j] = Kernels.logSumExp(buffer)
        }
      }
      var next = [Double](repeating: 0, count: n)
      for j in 0..<n { next[j] = (0..<k).reduce(0) { $0 + lambda[$1] * logKtU[$1][j] } }
      for m in 0..<k { for j in 0..<n { logV[m][j] = next[j] - logKtU[m][j] } }
      change = (0..<n).reduce(0) { $0 + abs(Double.exp(next[$1]) - Double.exp(logP[$1])) }
      logP = next
      guard change.isFinite else { return Result(weights: logP.map(Double.exp), points: nil, iterations: iteration, change: change, status: .diverged) }
      if change <= tolerance { break }
    }
    let weights = logP.map(Double.exp)
    return Result(
      weights: weights, points: nil, iterations: iteration, change: change,
      status: change <= tolerance ? .converged : .iterationLimit)
  }

  /// The free-support barycenter of point clouds (M. Cuturi, A. Doucet, "Fast computation
  /// of Wasserstein barycenters", ICML 2014; POT's `ot.lp.free_support_barycenter`): from
  /// `start` (with `weights`, uniform by default), each step moves every barycenter point to
  /// `Σ_k λ_k (T_k Y_k)_i / w_i`, with `T_k` the optimal plan to measure `k` (exact by
  /// default, or any method and options of ``OT/solve(_:method:options:)``), until no point
  /// moves more than `tolerance`.
  ///
  /// - Throws: ``TransportProblemError`` or ``SolveError`` from the solves.
  /// - Complexity: one transport solve per measure per iteration.
  public static func freeSupport(
    _ measures: [(points: Matrix<Double>, weights: [Double]?)], start: Matrix<Double>, weights: [Double]? = nil,
    lambdas: [Double]? = nil, method: TransportMethod = .auto, options: SolveOptions = .init(), tolerance: Double = 1e-7,
    maxIterations: Int = 100
  ) throws -> Result {
    let k = measures.count
    precondition(k > 0, "the barycenter needs measures")
    let lambda = lambdas ?? [Double](repeating: 1 / Double(k), count: k)
    let w = weights ?? [Double](repeating: 1 / Double(start.rows), count: start.rows)
    var x = start
    var change = Double.infinity
    var iteration = 0
    var status = SolverStatus.iterationLimit
    while iteration < maxIterations {
      iteration += 1
      var next = Matrix<Double>(rows: x.rows, columns: x.columns)
      for m in 0..<k {
        let problem = try TransportProblem(
          source: x, target: measures[m].points, sourceWeights: w, targetWeights: measures[m].weights, rescale: true)
        let plan = try OT.solve(problem, method: method, options: options)
        guard plan.status.isSuccess else { return Result(weights: w, points: x, iterations: iteration, change: change, status: plan.status) }
        let y = measures[m].points
        for c in 0..<y.columns {
          let moved = plan.applyPlan((0..<y.rows).map { y[$0, c] })
          for i in 0..<x.rows { next[i, c] += lambda[m] * moved[i] / w[i] }
        }
      }
      change = 0
      for i in 0..<x.rows {
        var d = 0.0
        for c in 0..<x.columns { d += (next[i, c] - x[i, c]) * (next[i, c] - x[i, c]) }
        change = max(change, d.squareRoot())
      }
      x = next
      if change <= tolerance {
        status = .converged
        break
      }
    }
    return Result(weights: w, points: x, iterations: iteration, change: change, status: status)
  }
}
