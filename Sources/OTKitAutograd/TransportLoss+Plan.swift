import OTKitCore
import OTKitTransport
import RealModule

extension TransportLoss {
  /// The entropic plan of a cost tensor and how its solve ended.
  public struct Plan {
    /// `P` (`n x m`), on the tape.
    public var plan: Tensor
    public var status: SolverStatus
    public var epsilon: Double
    public var iterations: Int
  }

  /// The entropic plan `P` of a cost tensor `C` (`n x m`) with optional weight tensors, as a
  /// tensor whose backward pass is the vector-Jacobian product of the plan with respect to
  /// `C`, `a` and `b`: by implicit differentiation of the marginal conditions (default) or
  /// through unrolled log-domain Sinkhorn iterations.
  ///
  /// Implicit: with `P = exp((f + g - C) / eps)`, linearizing `P 1 = a`, `P^T 1 = b` gives
  /// `H (df, dg) = eps (da, db) + ((P o dC) 1, (P o dC)^T 1)` with `H = [[diag(P 1), P],
  /// [P^T, diag(P^T 1)]]`, positive semi-definite with the null vector `(1, -1)`. For an
  /// upstream `G`, `W = G o P / eps` and `(u, v)` solving `H (u, v) = (W 1, W^T 1)` by
  /// conjugate gradients, `dL/dC = P o (u 1^T + 1 v^T - G / eps)`, `dL/da = eps u`,
  /// `dL/db = eps v` (weight gradients centered: the total mass is fixed).
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid data; ``AutogradError``
  ///   for the envelope choice (a plan has no envelope gradient).
  /// - Complexity: the solve; the backward pass `O(n m)` per conjugate-gradient step.
  public static func entropicPlan(
    costs c: Tensor, sourceWeights a: Tensor? = nil, targetWeights b: Tensor? = nil, solver: Sinkhorn,
    gradient: TransportGradient = .implicit
  ) throws -> Plan {
    let problem = try TransportProblem(cost: c.value, sourceWeights: weights(a), targetWeights: weights(b))
    let result = solver.solve(problem)
    switch gradient {
    case .envelope:
      throw AutogradError.noBackwardRule("the envelope gradient of a plan (use implicit or unrolled)")
    case .unrolled:
      return unrolledPlan(costs: c, a: a, b: b, problem: problem, epsilon: result.epsilon, solver: solver)
    case .implicit:
      let p = result.densePlan()
      let eps = result.epsilon
      let pullback = TransportPullback { g in
        let (dc, da, db) = implicitPlanPullback(plan: p, upstream: g, epsilon: eps)
        return [dc] + [a.map { shaped(da, like: $0) }, b.map { shaped(db, like: $0) }].compactMap { $0 }
      }
      let plan = c.graph.record(.transport(pullback), inputs: [c] + [a, b].compactMap { $0 }, value: p)
      return Plan(plan: plan, status: result.status, epsilon: eps, iterations: result.iterations)
    }
  }

  /// The implicit vector-Jacobian product of the plan (see ``entropicPlan(costs:sourceWeights:targetWeights:solver:gradient:)``).
  ///
  /// - Complexity: `O(n m)` per conjugate-gradient step, at most `2 (n + m)` steps.
  static func implicitPlanPullback(plan p: Matrix<Double>, upstream g: Matrix<Double>, epsilon eps: Double)
    -> (costs: Matrix<Double>, source: [Double], target: [Double])
  {
    let (n, m) = (p.rows, p.columns)
    var w = Matrix<Double>(rows: n, columns: m)
    for k in w.elements.indices { w.elements[k] = g.elements[k] * p.elements[k] / eps }
    let (r, s) = (p.rowSums(), p.columnSums())
    // H z for z = (u, v): (r u + P v, P^T u + s v).
    func apply(_ z: [Double]) -> [Double] {
      let u = Array(z[0..<n]), v = Array(z[n...])
      let pv = Matrix.product(p, Matrix(column: v)).elements, ptu = Matrix.product(p, Matrix(column: u), transposeA: true).elements
      return (0..<n).map { r[$0] * u[$0] + pv[$0] } + (0..<m).map { ptu[$0] + s[$0] * v[$0] }
    }
    let z = ConjugateGradient.solve(apply, rhs: w.rowSums() + w.columnSums(), tolerance: 1e-13, maxIterations: 2 * (n + m))
    let (u, v) = (Array(z[0..<n]), Array(z[n...]))
    let dc = Matrix<Double>(rows: n, columns: m) { i, j in p[i, j] * (u[i] + v[j]) - w[i, j] }
    func centered(_ x: [Double], _ weights: [Double]) -> [Double] {
      let mean = zip(x, weights).reduce(0) { $0 + $1.0 * $1.1 } / Swift.max(weights.reduce(0, +), .leastNormalMagnitude)
      return x.map { eps * ($0 - mean) }
    }
    return (dc, centered(u, r), centered(v, s))
  }

  /// Log-domain Sinkhorn recorded on the tape from zero potentials, `g`-updates last, until
  /// the row marginals meet the solver's tolerance (relative L1) or its iteration limit.
  static func unrolledPlan(costs c: Tensor, a: Tensor?, b: Tensor?, problem: TransportProblem, epsilon eps: Double, solver: Sinkhorn) -> Plan {
    let (n, m) = (c.rows, c.columns)
    let graph = c.graph
    let (logA, logB) = logWeights(a, b, rows: n, columns: m, graph: graph)
    let target = problem.sourceWeights
    var g = graph.constant(Matrix(rows: 1, columns: m))
    var plan = graph.constant(Matrix(rows: n, columns: m))
    var iterations = 0, converged = false
    while iterations < solver.maxIterations && !converged {
      iterations += 1
      // f = eps log a - eps LSE_j((g_j - C_ij) / eps); g = eps log b - eps LSE_i((f_i - C_ij) / eps).
      let f = logA * eps - ((g - c) / eps).logSumExp() * eps
      g = logB * eps - (((f - c) / eps).transposed().logSumExp() * eps).transposed()
      plan = (((f - c) + g) / eps).exp()
      let rows = plan.value.rowSums()
      let error = zip(rows, target).reduce(0) { $0 + abs($1.0 - $1.1) } / Swift.max(target.reduce(0, +), .leastNormalMagnitude)
      converged = error <= solver.tolerance
    }
    return Plan(plan: plan, status: converged ? .converged : .iterationLimit, epsilon: eps, iterations: iterations)
  }
}

/// Conjugate gradients for a symmetric positive semi-definite operator and a consistent
/// right-hand side (Hestenes and Stiefel, 1952).
enum ConjugateGradient {
  /// `x` with `A x = b` to `|A x - b| <= tolerance |b|`, from `x = 0`.
  ///
  /// - Complexity: `maxIterations` applications of `A`.
  static func solve(_ a: ([Double]) -> [Double], rhs b: [Double], tolerance: Double, maxIterations: Int) -> [Double] {
    var x = [Double](repeating: 0, count: b.count)
    var r = b, p = b
    var rr = r.reduce(0) { $0 + $1 * $1 }
    let stop = tolerance * tolerance * Swift.max(rr, .leastNormalMagnitude)
    var k = 0
    while rr > stop && k < maxIterations {
      let ap = a(p)
      let pap = zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
      guard pap > 0 else { break }
      let alpha = rr / pap
      for i in x.indices { x[i] += alpha * p[i]; r[i] -= alpha * ap[i] }
      let next = r.reduce(0) { $0 + $1 * $1 }
      for i in p.indices { p[i] = r[i] + next / rr * p[i] }
      (rr, k) = (next, k + 1)
    }
    return x
  }
}
