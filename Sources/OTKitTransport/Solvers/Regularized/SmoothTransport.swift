import OTKitCore
import RealModule

/// Regularized optimal transport through a smooth dual solved by L-BFGS: quadratically
/// regularized, sparsity-constrained and (for comparison with Sinkhorn) entropic OT.
///
/// Solves `min over T ∈ U(a, b) of <T, C> + Σ_j Ω(t_j)` for a ``TransportRegularizer`` `Ω`
/// (M. Blondel, V. Seguy, A. Rolet, "Smooth and sparse optimal transport", AISTATS 2018;
/// T. Liu, J. Puigcerver, M. Blondel, "Sparsity-constrained optimal transport", ICLR 2023)
/// by maximizing one of its two concave duals with ``LBFGS`` from zero potentials:
///
/// - the **semi-dual** (default) over `α ∈ Rⁿ`: `S(α) = <α, a> - Σ_j b_j max_Ω(α - c_j; b_j)`,
///   gradient `a - T 1`; the plan `T_{:,j} = b_j ∇max_Ω(α - c_j; b_j)` has exact column sums
///   at every iterate, its row sums match `a` at the optimum;
/// - the **dual** over `(α, β)`: `D = <α, a> + <β, b> - Σ_j δ_Ω(α + β_j - c_j)`, gradient
///   `(a - T 1, b - Tᵀ 1)`.
///
/// Both gradients are marginal violations: the run stops when their L1 norm is at most
/// ``tolerance`` times the total mass, and the status is ``SolverStatus/converged`` only when
/// the returned plan's measured L1 marginal error is within it. For the sparsity-constrained
/// regularizer at intermediate `k` the objective is nonsmooth at its optimum: the plan's row
/// sums stay off (the paper's relaxation), and the result says so (status
/// ``SolverStatus/stalled`` or ``SolverStatus/iterationLimit`` with its
/// ``RegularizedResult/rowMarginalError``) instead of repairing the plan, which would break
/// the cap on non-zeros.
///
/// - Complexity: per evaluation `O(n m)` for the quadratic and entropic regularizers (the
///   simplex threshold by Michelot's passes, no sort), plus a top-`k` selection per column
///   for the sparse one; columns run in parallel. Memory: the transposed costs (`n m`
///   values in the working precision) and the plan's non-zeros.
public struct SmoothTransport: Sendable {
  /// Which dual is maximized.
  public enum Formulation: String, Sendable, Codable, CaseIterable {
    /// Over the source potential only (`n` variables).
    case semiDual = "semi-dual"
    /// Over both potentials (`n + m` variables).
    case dual
  }

  public var regularizer: TransportRegularizer
  public var formulation: Formulation
  /// The tolerance on the L1 marginal error, relative to the total mass.
  public var tolerance: Double
  /// The most L-BFGS iterations.
  public var maxIterations: Int
  /// L-BFGS correction pairs.
  public var memory: Int
  /// Stop also when the relative decrease of the objective falls below this (SciPy's
  /// `ftol`; 0: never). A stop on it with the marginals out of tolerance is reported as
  /// ``SolverStatus/stalled``.
  public var functionTolerance: Double
  /// Evaluate the columns in `Float` (the optimizer and the potentials stay in `Double`).
  public var useFloat: Bool
  /// L-BFGS restarts (memory cleared) after a failed line search that still improve the
  /// objective.
  public var maxRestarts: Int = 20
  /// The optimizer of the dual: L-BFGS to convergence (default), or a fixed number of Adam
  /// steps from zero, the deliberately approximate solver of V-MoE's sparsity-constrained
  /// router (Liu, Puigcerver, Blondel: Adam, learning rate `1e-2`, 20 steps).
  public var optimizer: Optimizer = .lbfgs

  /// The optimizer of ``SmoothTransport``.
  public enum Optimizer: Sendable, Equatable {
    case lbfgs
    /// Adam (Kingma and Ba, 2015; β = 0.9, 0.999) on the negated dual for `steps` steps.
    case adam(learningRate: Double, steps: Int)
  }
  /// Potentials to start from (`α`, and `β` for the dual); zero by default.
  public var initialPotentials: (f: [Double], g: [Double]?)?

  public init(
    regularizer: TransportRegularizer, formulation: Formulation = .semiDual, tolerance: Double = 1e-9,
    maxIterations: Int = 1000, memory: Int = 10, functionTolerance: Double = 0, useFloat: Bool = false,
    initialPotentials: (f: [Double], g: [Double]?)? = nil
  ) {
    self.regularizer = regularizer
    self.formulation = formulation
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.memory = memory
    self.functionTolerance = functionTolerance
    self.useFloat = useFloat
    self.initialPotentials = initialPotentials
  }

  /// The method name of the regularizer's results.
  public var method: TransportMethod {
    switch regularizer {
    case .negentropy: .entropicLBFGS
    case .squaredL2: .quadratic
    case .sparse: .sparse
    }
  }

  /// Solves the regularized problem.
  public func solve(_ problem: TransportProblem) -> RegularizedResult {
    useFloat ? run(problem, Float.self) : run(problem, Double.self)
  }

  func run<T: MatrixScalar>(_ problem: TransportProblem, _: T.Type) -> RegularizedResult {
    let (n, m) = (problem.n, problem.m)
    let c = problem.cost
    // Columns of C, contiguous.
    let columns = c.transposed().elements.map { T($0) }
    let evaluator = ColumnEvaluator<T>(
      regularizer: regularizer, columns: columns, n: n, m: m, a: problem.sourceWeights, b: problem.targetWeights)
    var optimizer = LBFGS(memory: memory, maxIterations: maxIterations, gradientTolerance: tolerance * problem.totalMass)
    optimizer.gradientNorm = .absoluteL1
    optimizer.functionTolerance = functionTolerance
    if T.self == Float.self { optimizer.roundoff = 1e-6 }
    let start: [Double]
    switch formulation {
    case .semiDual: start = initialPotentials?.f ?? [Double](repeating: 0, count: n)
    case .dual: start = (initialPotentials?.f ?? [Double](repeating: 0, count: n)) + (initialPotentials?.g ?? [Double](repeating: 0, count: m))
    }
    precondition(start.count == (formulation == .semiDual ? n : n + m), "initial potentials of the wrong length")
    // L-BFGS minimizes: the negated dual and its negated gradient.
    func objective(_ x: [Double], _ gradient: inout [Double]) -> Double {
      let value = formulation == .semiDual ? evaluator.semiDual(x, gradient: &gradient) : evaluator.dual(x, gradient: &gradient)
      for i in gradient.indices { gradient[i] = -gradient[i] }
      return -value
    }
    if case .adam(let rate, let steps) = self.optimizer {
      return finish(problem, evaluator, Self.adam(start, objective, rate: rate, steps: steps, tolerance: tolerance * problem.totalMass), T.self)
    }
    var run = optimizer.minimize(start, objective)
    // A failed line search on a nonsmooth objective (the sparse regularizer at intermediate
    // k) often means stale curvature pairs: restart from the point reached with an empty
    // memory while that still improves the objective.
    var restarts = 0
    while run.status == .lineSearchFailed && restarts < maxRestarts && run.iterations < maxIterations {
      var again = optimizer
      again.maxIterations = maxIterations - run.iterations
      let next = again.minimize(run.x, objective)
      guard next.value < run.value else { break }
      let (iterations, evaluations) = (run.iterations + next.iterations, run.evaluations + next.evaluations)
      run = next
      run.iterations = iterations
      run.evaluations = evaluations
      restarts += 1
    }
    return finish(problem, evaluator, run, T.self)
  }

  /// The plan and the result at the optimizer's last point.
  func finish<T: MatrixScalar>(
    _ problem: TransportProblem, _ evaluator: ColumnEvaluator<T>, _ run: LBFGS.Result, _: T.Type
  ) -> RegularizedResult {
    let n = problem.n
    let alpha = Array(run.x[0..<n])
    let beta: [Double]
    let plan: SparsePlan
    switch formulation {
    case .semiDual:
      (plan, beta) = evaluator.semiDualPlan(alpha)
    case .dual:
      beta = Array(run.x[n...])
      plan = evaluator.dualPlan(alpha, beta)
    }
    return RegularizedResult(
      regularizer: regularizer, formulation: formulation, method: method, run: run, plan: plan, problem: problem,
      sourcePotential: alpha, targetPotential: beta, tolerance: tolerance, precision: T.dtypeName)
  }
}

extension SmoothTransport {
  /// Adam on `objective` from `start` for `steps` steps (stopping early when the L1 norm of
  /// the gradient is within `tolerance`), reported as an L-BFGS result: status
  /// `converged` or `iterationLimit`, `nonFinite` at a non-finite value (the last finite
  /// point kept).
  static func adam(
    _ start: [Double], _ objective: ([Double], inout [Double]) -> Double, rate: Double, steps: Int, tolerance: Double
  ) -> LBFGS.Result {
    let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8)
    var x = start
    var gradient = [Double](repeating: 0, count: x.count)
    var first = gradient, second = gradient
    var value = objective(x, &gradient)
    var evaluations = 1
    var status = LBFGS.Status.iterationLimit
    var step = 0
    while step < steps {
      guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
        status = .nonFinite
        break
      }
      if gradient.reduce(0, { $0 + abs($1) }) <= tolerance {
        status = .converged
        break
      }
      step += 1
      let c1 = 1 - Double.pow(beta1, Double(step)), c2 = 1 - Double.pow(beta2, Double(step))
      let previous = x
      for i in x.indices {
        first[i] = beta1 * first[i] + (1 - beta1) * gradient[i]
        second[i] = beta2 * second[i] + (1 - beta2) * gradient[i] * gradient[i]
        x[i] -= rate * (first[i] / c1) / ((second[i] / c2).squareRoot() + epsilon)
      }
      var next = gradient
      let nextValue = objective(x, &next)
      evaluations += 1
      guard nextValue.isFinite, next.allSatisfy(\.isFinite) else {
        x = previous
        status = .nonFinite
        break
      }
      (value, gradient) = (nextValue, next)
    }
    if status == .iterationLimit && gradient.reduce(0, { $0 + abs($1) }) <= tolerance { status = .converged }
    return LBFGS.Result(x: x, value: value, gradient: gradient, iterations: step, evaluations: evaluations, status: status)
  }
}

/// The objectives of both duals over the columns of `C`, in parallel.
struct ColumnEvaluator<T: MatrixScalar>: Sendable {
  let regularizer: TransportRegularizer
  /// `C` transposed: column `j` at `j * n`.
  let columns: [T]
  let n: Int
  let m: Int
  let a: [Double]
  let b: [Double]

  /// Per-worker scratch: a column, 3 n values, n indices, n partial sums.
  func withWorkers(_ body: (_ worker: Int, _ range: Range<Int>, _ x: UnsafeMutablePointer<T>, _ scratch: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int>, _ partial: UnsafeMutablePointer<Double>) -> Void) -> (partial: ScratchMemory<Double>, workers: Int) {
    let ranges = Parallel.workerRanges(count: m, cost: 30 * n)
    let workers = ranges.count
    let values = ScratchMemory<T>(count: workers * 4 * n)
    let indices = ScratchMemory<Int>(count: workers * n)
    let partial = ScratchMemory<Double>(repeating: 0, count: workers * (n + 1))
    Parallel.forEachWorker(count: m, cost: 30 * n) { worker, range in
      body(worker, range, values.base + worker * 4 * n, values.base + worker * 4 * n + n, indices.base + worker * n, partial.base + worker * (n + 1))
    }
    withExtendedLifetime((values, indices)) {}
    return (partial, workers)
  }

  /// `S(α)`, with `∇S` written to `gradient` (n values).
  func semiDual(_ alpha: [Double], gradient: inout [Double]) -> Double {
    let alphaT = alpha.map { T($0) }
    let (partial, workers) = columns.withUnsafeBufferPointer { cp in
      alphaT.withUnsafeBufferPointer { ap in
        withWorkers { _, range, x, scratch, indices, partial in
          for j in range where b[j] > 0 {
            let column = cp.baseAddress! + j * n
            for i in 0..<n { x[i] = ap[i] - column[i] }
            let value = regularizer.semiDualColumn(x, count: n, mass: T(b[j]), scratch: scratch, indices: indices)
            partial[n] += b[j] * Double(value)
            for i in 0..<n where x[i] != 0 { partial[i] += b[j] * Double(x[i]) }
          }
        }
      }
    }
    var value = 0.0
    for i in 0..<n { value += alpha[i] * a[i] }
    for i in 0..<n { gradient[i] = a[i] }
    for w in 0..<workers {
      let p = partial.base + w * (n + 1)
      value -= p[n]
      for i in 0..<n { gradient[i] -= p[i] }
    }
    withExtendedLifetime(partial) {}
    return value
  }

  /// `D(α, β)` for `x = α ++ β`, with `∇D` written to `gradient` (n + m values).
  func dual(_ x: [Double], gradient: inout [Double]) -> Double {
    let alphaT = x[0..<n].map { T($0) }
    var columnSums = [Double](repeating: 0, count: m)
    let (partial, workers) = columns.withUnsafeBufferPointer { cp in
      alphaT.withUnsafeBufferPointer { ap in
        columnSums.withUnsafeMutableBufferPointer { sp in
          withWorkers { _, range, buffer, scratch, indices, partial in
            for j in range {
              let column = cp.baseAddress! + j * n
              let beta = T(x[n + j])
              for i in 0..<n { buffer[i] = ap[i] + beta - column[i] }
              let value = regularizer.dualColumn(buffer, count: n, scratch: scratch, indices: indices)
              partial[n] += Double(value)
              var sum = 0.0
              for i in 0..<n where buffer[i] != 0 {
                partial[i] += Double(buffer[i])
                sum += Double(buffer[i])
              }
              sp[j] = sum
            }
          }
        }
      }
    }
    var value = 0.0
    for i in 0..<n { value += x[i] * a[i] }
    for j in 0..<m { value += x[n + j] * b[j] }
    for i in 0..<n { gradient[i] = a[i] }
    for j in 0..<m { gradient[n + j] = b[j] - columnSums[j] }
    for w in 0..<workers {
      let p = partial.base + w * (n + 1)
      value -= p[n]
      for i in 0..<n { gradient[i] -= p[i] }
    }
    withExtendedLifetime(partial) {}
    return value
  }

  /// The semi-dual's plan at `α` and the target potential `β_j = -max_Ω(α - c_j; b_j)`
  /// (so that `S(α) = <α, a> + <β, b>`; `-∞` for a column of zero mass).
  func semiDualPlan(_ alpha: [Double]) -> (SparsePlan, [Double]) {
    var plan = SparsePlan(n: n, m: m)
    var beta = [Double](repeating: -.infinity, count: m)
    let values = ScratchMemory<T>(count: 4 * n)
    let indices = ScratchMemory<Int>(count: n)
    defer { withExtendedLifetime((values, indices)) {} }
    let x = values.base
    for j in 0..<m where b[j] > 0 {
      columns.withUnsafeBufferPointer { cp in
        for i in 0..<n { x[i] = T(alpha[i]) - cp[j * n + i] }
      }
      let value = regularizer.semiDualColumn(x, count: n, mass: T(b[j]), scratch: values.base + n, indices: indices.base)
      beta[j] = -Double(value)
      for i in 0..<n where x[i] > 0 { plan.append(row: i, column: j, mass: b[j] * Double(x[i])) }
    }
    return (plan, beta)
  }

  /// The dual's plan at `(α, β)`.
  func dualPlan(_ alpha: [Double], _ beta: [Double]) -> SparsePlan {
    var plan = SparsePlan(n: n, m: m)
    let values = ScratchMemory<T>(count: 2 * n)
    let indices = ScratchMemory<Int>(count: n)
    defer { withExtendedLifetime((values, indices)) {} }
    let x = values.base
    for j in 0..<m {
      columns.withUnsafeBufferPointer { cp in
        for i in 0..<n { x[i] = T(alpha[i]) + T(beta[j]) - cp[j * n + i] }
      }
      _ = regularizer.dualColumn(x, count: n, scratch: values.base + n, indices: indices.base)
      for i in 0..<n where x[i] > 0 { plan.append(row: i, column: j, mass: Double(x[i])) }
    }
    return plan
  }
}

extension SmoothTransport: TransportSolver {
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }

  /// Gamma and Float for the three regularizers; the sparse one also its `maxNonZeros`.
  public static func settings(for method: TransportMethod) -> Set<String> {
    method == .sparse ? ["gamma", "useFloat", "maxNonZeros"] : ["gamma", "useFloat"]
  }

  public static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) throws -> Self {
    guard let gamma = options.gamma else { throw SolveError.missingSetting("gamma", method: method) }
    // The cost matrix when it is built, the transposed costs and the plan in the solver's
    // precision (24 n m in Double from point clouds, measured 23.8 at n = m = 3000).
    try problem.checkMemory(
      MemoryBudget.sum(problem.costMatrixBytes, problem.planes(2, scalar: options.useFloat ? 4 : 8)), method: method,
      wayOut: problem.onlineWayOut())
    let regularizer: TransportRegularizer
    switch method {
    case .quadratic: regularizer = .squaredL2(gamma: gamma)
    case .entropicLBFGS: regularizer = .negentropy(gamma: gamma)
    default:
      guard let k = options.maxNonZeros else { throw SolveError.missingSetting("maxNonZeros", method: method) }
      regularizer = .sparse(gamma: gamma, maxNonZeros: k)
    }
    return SmoothTransport(
      regularizer: regularizer, formulation: options.formulation, tolerance: options.tolerance,
      maxIterations: options.maxIterations ?? 1000, useFloat: options.useFloat)
  }
}
