import OTKitCore

/// The Newton phase of ``SinkhornNewtonSparse`` after its Sinkhorn warm-up: at each step the
/// plan's marginals and the sparsified Hessian at the current potentials, the Newton
/// direction (direct or conjugate-gradient solve), and a backtracking line search on the
/// concave dual; one Sinkhorn iteration when no step ascends.
///
/// - Complexity: `O(n m)` per step for the marginals and the objective, plus the sparse
///   solve (`O((n + m)^3)` direct, `O(nnz)` per conjugate-gradient iteration).
struct SparseNewtonRun {
  let solver: SinkhornNewtonSparse
  let costs: EntropicCosts<Double>
  let problem: TransportProblem
  let a: [Double]
  let b: [Double]
  let n: Int
  let m: Int
  let eps: Double
  /// The L1 marginal error to reach (the tolerance times the mass).
  let target: Double
  /// Largest entries kept per row.
  let k: Int
  var f: [Double]
  var g: [Double]
  var iterations: Int
  var history: [Double]
  var lastNonZeros = 0
  // The plan's marginals and each row's largest entries at the last measured point.
  var r: [Double]
  var s: [Double]
  var topColumns: [Int]
  var topValues: [Double]
  /// The dual objective at (f, g).
  var current = 0.0

  init(
    solver: SinkhornNewtonSparse, costs: EntropicCosts<Double>, problem: TransportProblem, epsilon: Double, target: Double,
    f: [Double], g: [Double], iterations: Int, history: [Double]
  ) {
    (self.solver, self.costs, self.problem, eps, self.target) = (solver, costs, problem, epsilon, target)
    (a, b, n, m) = (problem.sourceWeights, problem.targetWeights, problem.sourceWeights.count, problem.targetWeights.count)
    k = max(1, min(solver.entriesPerRow, m))
    (self.f, self.g, self.iterations, self.history) = (f, g, iterations, history)
    (r, s) = ([Double](repeating: 0, count: n), [Double](repeating: 0, count: m))
    (topColumns, topValues) = ([Int](repeating: -1, count: n * k), [Double](repeating: 0, count: n * k))
  }

  /// Newton steps until the marginal error is within the target, it is not finite, or the
  /// iterations run out.
  mutating func iterate() -> SolverStatus {
    measure(f, g)
    current = objective(f, g)
    while iterations < solver.maxIterations {
      let error = marginalError()
      if !error.isFinite { return .diverged }
      if error <= target { return .converged }
      let (direction, rhs) = newtonDirection()
      if !lineSearch(direction: direction, rhs: rhs, error: error) { sinkhornStep() }
      iterations += 1
      history.append(error)
    }
    return .iterationLimit
  }

  /// Newton's system `M d = eps * gradient`, `M = [[diag r, P~], [P~^T, diag s]]`, solved
  /// on the sparsified plan; the direction and the right-hand side.
  mutating func newtonDirection() -> (direction: [Double], rhs: [Double]) {
    var rhs = [Double](repeating: 0, count: n + m)
    for i in 0..<n { rhs[i] = a[i] > 0 ? eps * (a[i] - r[i]) : 0 }
    for j in 0..<m { rhs[n + j] = b[j] > 0 ? eps * (b[j] - s[j]) : 0 }
    let ridge = 1e-12 * max(r.max() ?? 1, s.max() ?? 1)
    let sparse = sparsePlan()
    let direction =
      n + m <= solver.directSolveLimit
      ? SinkhornNewtonSparse.directSolve(n: n, m: m, r: r, s: s, ridge: ridge, plan: sparse, rhs: rhs)
      : SinkhornNewtonSparse.conjugateGradient(n: n, m: m, r: r, s: s, ridge: ridge, plan: sparse, rhs: rhs, maxIterations: 2 * (n + m))
    lastNonZeros = sparse.columns.count
    return (direction, rhs)
  }

  /// Backtracking (Armijo) along the direction; near the optimum, where the dual's ascent
  /// falls below its round-off, a full step is judged by the marginal error instead. Sets
  /// the potentials and returns `true` when a step is accepted.
  mutating func lineSearch(direction: [Double], rhs: [Double], error: Double) -> Bool {
    var slope = 0.0
    for t in 0..<(n + m) { slope += rhs[t] / eps * direction[t] }
    var step = 1.0
    var newF = f, newG = g
    for _ in 0..<30 {
      for i in 0..<n where a[i] > 0 { newF[i] = f[i] + step * direction[i] }
      for j in 0..<m where b[j] > 0 { newG[j] = g[j] + step * direction[n + j] }
      let value = objective(newF, newG)
      if value.isFinite && value >= current + 1e-4 * step * slope {
        (current, f, g) = (value, newF, newG)
        measure(f, g)
        return true
      }
      if step == 1, value.isFinite, abs(value - current) <= 1e-11 * max(abs(current), eps * problem.totalMass) {
        measure(newF, newG)
        if marginalError() < error {
          (current, f, g) = (value, newF, newG)
          return true
        }
        measure(f, g)
      }
      step *= 0.5
    }
    return false
  }

  /// No ascent along the Newton direction: one Sinkhorn iteration instead.
  mutating func sinkhornStep() {
    var sinkhorn = SinkhornState<Double>(costs: costs, a: a, b: b, f: f, g: g, kernelDomain: false)
    var scratch: [Double] = []
    _ = sinkhorn.iterate(epsilon: eps, tolerance: 0, maxIterations: 1, history: &scratch)
    (f, g) = (sinkhorn.f, sinkhorn.g)
    current = objective(f, g)
    measure(f, g)
  }

  /// The plan's marginals and each row's `k` largest entries at (f, g).
  mutating func measure(_ f: [Double], _ g: [Double]) {
    let (eps, k) = (eps, k)
    costs.withSource { source in
      f.withUnsafeBufferPointer { fp in
        g.withUnsafeBufferPointer { gp in
          r.withUnsafeMutableBufferPointer { rp in
            s.withUnsafeMutableBufferPointer { sp in
              topColumns.withUnsafeMutableBufferPointer { cp in
                topValues.withUnsafeMutableBufferPointer { vp in
                  SinkhornKernels.sinkhornSparsify(
                    costs: source, f: fp.baseAddress!, g: gp.baseAddress!, epsilon: eps, k: k, rowSums: rp.baseAddress!,
                    columnSums: sp.baseAddress!, columns: cp.baseAddress!, values: vp.baseAddress!)
                }
              }
            }
          }
        }
      }
    }
  }

  /// The Hessian's sparse off-diagonal block: per row (`k` slots), or the globally largest
  /// entries.
  func sparsePlan() -> SparseRows {
    guard let lambda = solver.globalSparsity else { return SparseRows(perRow: topColumns, values: topValues, k: k, rows: n) }
    let dense = PotentialPlan(costs: costs, f: f, g: g, epsilon: eps).dense()
    return SparseRows(global: dense, keep: Int((lambda * Double(n) * Double(m)).rounded(.up)), rowBest: topColumns, k: k)
  }

  /// The dual objective at (f, g).
  func objective(_ f: [Double], _ g: [Double]) -> Double {
    let (rows, _, _) = PotentialPlan(costs: costs, f: f, g: g, epsilon: eps).summary()
    var value = -eps * rows.reduce(0, +)
    for i in 0..<n where a[i] > 0 { value += a[i] * f[i] }
    for j in 0..<m where b[j] > 0 { value += b[j] * g[j] }
    return value
  }

  /// The L1 marginal error of the last measured point.
  func marginalError() -> Double {
    var error = 0.0
    for i in 0..<n { error += abs(r[i] - a[i]) }
    for j in 0..<m { error += abs(s[j] - b[j]) }
    return error
  }
}
