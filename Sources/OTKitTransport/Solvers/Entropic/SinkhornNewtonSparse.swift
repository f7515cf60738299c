import OTKitCore
import RealModule

/// Entropic optimal transport by Sinkhorn-Newton-Sparse: Sinkhorn warm-up, then Newton
/// steps on the dual with a sparsified Hessian.
///
/// X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil, T. Xiao and
/// L. Ying, "Accelerating Sinkhorn algorithm with sparse Newton iterations", ICLR 2024.
/// The dual `L(f, g) = <a, f> + <b, g> - eps sum_ij exp((f_i + g_j - C_ij)/eps)` is concave
/// with gradient `(a - P 1, b - P^T 1)` and Hessian `-(1/eps) [[diag(P 1), P], [P^T,
/// diag(P^T 1)]]`. After ``warmUpIterations`` Sinkhorn iterations, each Newton step keeps
/// the ``entriesPerRow`` largest entries of each row of `P` in the off-diagonal blocks
/// (the diagonal blocks stay exact, which keeps the system diagonally dominant and
/// positive definite), solves it by conjugate gradients with a diagonal preconditioner,
/// and takes the longest step of a backtracking (Armijo) line search on `L`. Near the
/// solution the convergence is quadratic where Sinkhorn's is linear with a rate that
/// degrades as `eps` shrinks.
///
/// - Complexity: per Newton step `O(n m)` for the plan and each line-search trial, plus
///   `O(k (n + m))` per conjugate-gradient iteration.
public struct SinkhornNewtonSparse: Sendable {
  public var epsilon: Epsilon
  /// The tolerance on the L1 marginal error `|P 1 - a|_1 + |P^T 1 - b|_1`, relative to
  /// the total mass.
  public var tolerance: Double
  /// The most iterations in all (Sinkhorn warm-up plus Newton steps).
  public var maxIterations: Int
  /// Sinkhorn iterations before the first Newton step.
  public var warmUpIterations: Int
  /// Entries of each row of `P` kept in the sparse Hessian.
  public var entriesPerRow: Int
  /// Newton systems of at most this size (`n + m`) are solved by a dense Cholesky
  /// factorization; larger ones by preconditioned conjugate gradients. For small `eps` the
  /// system is nearly singular along the directions Sinkhorn is slow in, and the direct
  /// solve resolves them where conjugate gradients stall.
  public var directSolveLimit: Int
  /// The paper's global sparsification: keep the `λ n m` largest entries of `P` in the
  /// Hessian (about `λ n²`; `nil`: ``entriesPerRow`` per row). The largest entry of each row
  /// is always kept, so no row is cut off.
  public var globalSparsity: Double? = nil

  public init(
    epsilon: Epsilon, tolerance: Double = 1e-9, maxIterations: Int = 1000,
    warmUpIterations: Int = 20, entriesPerRow: Int = 16, directSolveLimit: Int = 4000
  ) {
    self.epsilon = epsilon
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.warmUpIterations = warmUpIterations
    self.entriesPerRow = entriesPerRow
    self.directSolveLimit = directSolveLimit
  }

  /// The costs this solver works on: dense up to 10^8 entries.
  func costs(_ problem: TransportProblem) -> EntropicCosts<Double> {
    EntropicCosts<Double>.make(problem, online: nil, denseLimit: 100_000_000)
  }

  /// The absolute epsilon this solver uses on `problem`.
  public func absoluteEpsilon(for problem: TransportProblem) -> Double {
    if case .absolute(let e) = epsilon { return e }
    return epsilon.resolved(on: costs(problem))
  }

  public func solve(_ problem: TransportProblem) -> EntropicResult {
    let costs = costs(problem)
    let eps = epsilon.resolved(on: costs)
    guard eps > 0 && eps.isFinite else { return .unresolvedEpsilon(.sns, costs: costs, problem: problem, epsilon: eps) }
    let a = problem.sourceWeights, b = problem.targetWeights
    let target = tolerance * problem.totalMass
    var history: [Double] = []
    var state = SinkhornState<Double>(costs: costs, a: a, b: b, f: nil, g: nil, kernelDomain: true)
    let warmUp = state.iterate(
      epsilon: eps, tolerance: target, maxIterations: min(warmUpIterations, maxIterations),
      history: &history)
    var iterations = warmUp.iterations
    var status = warmUp.status
    var f = state.f, g = state.g
    var lastNonZeros = 0
    if status != .converged && status != .diverged {
      var run = SparseNewtonRun(
        solver: self, costs: costs, problem: problem, epsilon: eps, target: target, f: f, g: g, iterations: iterations, history: history)
      status = run.iterate()
      (f, g, iterations, history, lastNonZeros) = (run.f, run.g, run.iterations, run.history, run.lastNonZeros)
    }
    let plan = PotentialPlan(costs: costs, f: f, g: g, epsilon: eps)
    var result = EntropicResult(
      method: .sns, status: status, plan: plan, a: a, b: b, iterations: iterations,
      errorHistory: history)
    result.newtonSteps = max(0, iterations - warmUp.iterations)
    result.hessianNonZeros = lastNonZeros
    if result.status == .converged && !(result.marginalError <= target) { result.status = .stalled }
    return result
  }

  /// Solves `[[diag r, P~], [P~^T, diag s]] x = rhs` (plus a ridge) directly.
  static func directSolve(n: Int, m: Int, r: [Double], s: [Double], ridge: Double, plan: SparseRows, rhs: [Double]) -> [Double] {
    let size = n + m
    var system = Matrix<Double>(rows: size, columns: size)
    for i in 0..<n { system[i, i] = r[i] + ridge }
    for j in 0..<m { system[n + j, n + j] = s[j] + ridge }
    for i in 0..<n {
      for e in plan.start[i]..<plan.start[i + 1] {
        let j = plan.columns[e]
        system[i, n + j] += plan.values[e]
        system[n + j, i] += plan.values[e]
      }
    }
    return system.solvingPositiveDefinite(rhs)
  }

  /// Solves `[[diag r, P~], [P~^T, diag s]] x = rhs` (plus a ridge) by conjugate gradients
  /// with the diagonal as preconditioner.
  static func conjugateGradient(
    n: Int, m: Int, r: [Double], s: [Double], ridge: Double, plan: SparseRows, rhs: [Double], maxIterations: Int
  ) -> [Double] {
    let size = n + m
    func apply(_ x: [Double]) -> [Double] {
      var y = [Double](repeating: 0, count: size)
      for i in 0..<n { y[i] = (r[i] + ridge) * x[i] }
      for j in 0..<m { y[n + j] = (s[j] + ridge) * x[n + j] }
      for i in 0..<n {
        for e in plan.start[i]..<plan.start[i + 1] {
          let j = plan.columns[e], p = plan.values[e]
          y[i] += p * x[n + j]
          y[n + j] += p * x[i]
        }
      }
      return y
    }
    let diagonal = (0..<size).map { t in (t < n ? r[t] : s[t - n]) + ridge }
    return ConjugateGradient.solve(rhs: rhs, diagonal: diagonal, relativeTolerance: 1e-7, maxIterations: maxIterations, apply: apply)
  }
}

/// The kept entries of the plan, row by row (compressed sparse rows).
struct SparseRows {
  var start: [Int]
  var columns: [Int]
  var values: [Double]

  /// From `k` slots per row (column `-1`: unused).
  init(perRow slots: [Int], values slotValues: [Double], k: Int, rows n: Int) {
    start = [0]
    columns = []
    values = []
    for i in 0..<n {
      for slot in 0..<k where slots[i * k + slot] >= 0 {
        columns.append(slots[i * k + slot])
        values.append(slotValues[i * k + slot])
      }
      start.append(columns.count)
    }
  }

  /// The `keep` largest entries of `plan`, and each row's largest (from `rowBest`, `k`
  /// slots per row, the first the largest).
  init(global plan: Matrix<Double>, keep: Int, rowBest: [Int], k: Int) {
    let (n, m) = (plan.rows, plan.columns)
    let keep = max(1, min(keep, n * m))
    // The threshold: the keep-th largest value.
    var sorted = plan.elements
    let index = n * m - keep
    var (low, high) = (0, sorted.count - 1)
    while low < high {
      // Quickselect (Hoare) for the index-th smallest.
      let pivot = sorted[(low + high) / 2]
      var (i, j) = (low, high)
      while i <= j {
        while sorted[i] < pivot { i += 1 }
        while sorted[j] > pivot { j -= 1 }
        if i <= j {
          sorted.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      if index <= j { high = j } else if index >= i { low = i } else { break }
    }
    let threshold = sorted[index]
    start = [0]
    columns = []
    values = []
    for i in 0..<n {
      let best = rowBest[i * k]
      for j in 0..<m where plan[i, j] >= threshold && plan[i, j] > 0 || j == best {
        columns.append(j)
        values.append(plan[i, j])
      }
      start.append(columns.count)
    }
  }
}

extension SinkhornNewtonSparse: TransportSolver {
  public var method: TransportMethod { .sns }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }
  public static func settings(for method: TransportMethod) -> Set<String> { ["epsilon"] }

  /// Its peak: the dense path of Sinkhorn's warm-up (`24 n m` from point clouds) and, for
  /// `n + m` up to the direct-solve limit, the Newton system `8 (n + m)^2`.
  public static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) throws -> Self {
    var solver = SinkhornNewtonSparse(epsilon: options.epsilon!, tolerance: options.tolerance)
    let size = problem.n + problem.m
    let system = size <= solver.directSolveLimit ? MemoryBudget.bytes(size, size) : 0
    try problem.checkMemory(
      MemoryBudget.sum(Sinkhorn.denseBytes(problem, useFloat: false), system), method: .sns, wayOut: problem.onlineWayOut())
    if let limit = options.maxIterations { solver.maxIterations = limit }
    solver.epsilon = try OT.resolved(solver.epsilon, keepRelative: false) { solver.absoluteEpsilon(for: problem) }
    return solver
  }
}
