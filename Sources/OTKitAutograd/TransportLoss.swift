import OTKitCore
import OTKitTransport
import RealModule

/// How a transport term's backward pass gets its gradients (the choices of OTT-JAX).
public enum TransportGradient: String, Sendable, CaseIterable, Codable {
  /// The envelope (Danskin) theorem at the solution: `dOT/dC = P`, `dOT/da = f - eps log a`,
  /// `dOT/dx_i = sum_j P_ij grad_x c(x_i, y_j)`; nothing is differentiated through the
  /// solver, and point clouds with the squared Euclidean cost keep `O(n + m)` memory.
  case envelope
  /// Implicit differentiation of the optimality conditions: the plan's vector-Jacobian
  /// product with respect to the costs and both weights, by conjugate gradients
  /// (``TransportLoss/entropicPlan(costs:sourceWeights:targetWeights:solver:gradient:)``),
  /// the value computed from the plan on the tape. `O(n m)` memory.
  case implicit
  /// Through log-domain Sinkhorn iterations recorded as tape operations, run until the
  /// solver's tolerance (for checking the other two). `O(n m)` memory per iteration.
  case unrolled
}

/// A transport term on the tape: its value (`1 x 1`) and how the solve behind it ended.
/// A term whose solve did not converge still has a finite value and gradients; its
/// ``status`` says so.
public struct TransportTerm {
  public var value: Tensor
  public var status: SolverStatus
  /// The absolute epsilon (0 for exact transport).
  public var epsilon: Double
  public var iterations: Int
}

/// A vector-Jacobian product bound at the forward pass: from the upstream gradient of the
/// node to the gradients of its inputs.
public struct TransportPullback: @unchecked Sendable {
  let apply: (Matrix<Double>) throws -> [Matrix<Double>]
}

/// Optimal transport terms on the autograd tape: the entropic cost `OT_eps`, the Sinkhorn
/// divergence and the exact cost between point clouds (or from a cost tensor), and the
/// entropic plan, with gradients by the envelope theorem, implicit differentiation or
/// unrolling (``TransportGradient``). Usable in any training loop: the value is a `1 x 1`
/// tensor. The solves run in `Double` or, with `Sinkhorn(useFloat: true)`, in `Float`.
///
/// G. Peyré and M. Cuturi, *Computational Optimal Transport*, 2019, Proposition 9.2;
/// J. Feydy et al., "Interpolating between optimal transport and MMD using Sinkhorn
/// divergences", AISTATS 2019; M. Cuturi et al., "Optimal Transport Tools (OTT)", 2022.
public enum TransportLoss {
  /// Weights given as an `n x 1` (or `1 x n`) tensor, or uniform.
  static func weights(_ w: Tensor?) -> [Double]? { w.map { $0.value.elements } }

  /// `log a` as an `n x 1` column and `log b` as a `1 x m` row on the tape (uniform when `nil`).
  static func logWeights(_ a: Tensor?, _ b: Tensor?, rows n: Int, columns m: Int, graph: Graph) -> (Tensor, Tensor) {
    let logA = a.map { ($0.value.rows == 1 ? $0.transposed() : $0).log() } ?? graph.constant(Matrix(rows: n, columns: 1, repeating: -Double.log(Double(n))))
    let logB = b.map { ($0.value.rows == 1 ? $0 : $0.transposed()).log() } ?? graph.constant(Matrix(rows: 1, columns: m, repeating: -Double.log(Double(m))))
    return (logA, logB)
  }

  /// The weights' gradient in the shape of their tensor.
  static func shaped(_ v: [Double], like w: Tensor) -> Matrix<Double> {
    w.value.rows == 1 ? Matrix(row: v) : Matrix(column: v)
  }

  /// `OT_eps(a, b) = <P, C> + eps KL(P | a b^T)` between the rows of `x` (`n x d`) and `y`
  /// (`m x d`), with optional weights (`n x 1`, `m x 1`; uniform when `nil`).
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid data; an envelope
  ///   gradient needs the squared Euclidean or Euclidean cost (another cost: compute the
  ///   cost matrix on the tape and use ``entropic(costs:sourceWeights:targetWeights:solver:gradient:)``).
  /// - Complexity: the solve, plus `O(n m d)` for the gradients.
  public static func entropic(
    _ x: Tensor, _ y: Tensor, sourceWeights a: Tensor? = nil, targetWeights b: Tensor? = nil, cost: GroundCost = .squaredEuclidean,
    solver: Sinkhorn, gradient: TransportGradient = .envelope
  ) throws -> TransportTerm {
    let problem = try TransportProblem(
      source: x.value, target: y.value, sourceWeights: weights(a), targetWeights: weights(b), cost: cost)
    guard gradient == .envelope else {
      guard cost == .squaredEuclidean else { throw AutogradError.noBackwardRule("\(gradient.rawValue) transport with the \(cost) cost") }
      return try entropic(costs: squaredDistances(x, y), sourceWeights: a, targetWeights: b, solver: solver, gradient: gradient)
    }
    let result = solver.solve(problem)
    let pullback = TransportPullback { g in
      let grads = result.gradients(for: problem)
      guard let gx = grads.sourcePoints, let gy = grads.targetPoints else {
        throw AutogradError.noBackwardRule("the envelope gradient of the \(cost) cost")
      }
      let s = g.elements[0]
      return [gx * s, gy * s] + [a.map { shaped(grads.sourceWeights, like: $0) * s }, b.map { shaped(grads.targetWeights, like: $0) * s }]
        .compactMap { $0 }
    }
    let inputs = [x, y] + [a, b].compactMap { $0 }
    let value = x.graph.record(.transport(pullback), inputs: inputs, value: Matrix(rows: 1, columns: 1, repeating: result.regularizedCost))
    return TransportTerm(value: value, status: result.status, epsilon: result.epsilon, iterations: result.iterations)
  }

  /// `OT_eps` from a cost tensor `C` (`n x m`, any differentiable function of the model's
  /// tensors), with optional weight tensors.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid data.
  /// - Complexity: the solve, plus `O(n m)` for the envelope gradient.
  public static func entropic(
    costs c: Tensor, sourceWeights a: Tensor? = nil, targetWeights b: Tensor? = nil, solver: Sinkhorn,
    gradient: TransportGradient = .envelope
  ) throws -> TransportTerm {
    guard gradient == .envelope else {
      let plan = try entropicPlan(costs: c, sourceWeights: a, targetWeights: b, solver: solver, gradient: gradient)
      return TransportTerm(value: primalValue(plan: plan.plan, costs: c, a: a, b: b, epsilon: plan.epsilon), status: plan.status, epsilon: plan.epsilon, iterations: plan.iterations)
    }
    let problem = try TransportProblem(cost: c.value, sourceWeights: weights(a), targetWeights: weights(b))
    let result = solver.solve(problem)
    let pullback = TransportPullback { g in
      let s = g.elements[0]
      let grads = result.gradients(for: problem)
      return [result.densePlan() * s] + [a.map { shaped(grads.sourceWeights, like: $0) * s }, b.map { shaped(grads.targetWeights, like: $0) * s }]
        .compactMap { $0 }
    }
    let value = c.graph.record(.transport(pullback), inputs: [c] + [a, b].compactMap { $0 }, value: Matrix(rows: 1, columns: 1, repeating: result.regularizedCost))
    return TransportTerm(value: value, status: result.status, epsilon: result.epsilon, iterations: result.iterations)
  }

  /// The debiased Sinkhorn divergence `S_eps = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2`
  /// between the rows of `x` and `y`: non-negative, zero when the measures agree. A
  /// relative epsilon is resolved once on the cross problem (as ``OTKitTransport/SinkhornDivergence``).
  ///
  /// With `staticTarget` the target's self term `OT_eps(b, b)` is left out (OTT's
  /// `static_b`): one solve fewer, the same gradients in `x` and `a`, and the value
  /// `OT_eps(a, b) - OT_eps(a, a) / 2`, which OTT's Monge gap tutorial reports as its
  /// fitting loss.
  ///
  /// - Throws: as ``entropic(_:_:sourceWeights:targetWeights:cost:solver:gradient:)``.
  /// - Complexity: three solves (two with `staticTarget`).
  public static func sinkhornDivergence(
    _ x: Tensor, _ y: Tensor, sourceWeights a: Tensor? = nil, targetWeights b: Tensor? = nil, cost: GroundCost = .squaredEuclidean,
    solver: Sinkhorn, gradient: TransportGradient = .envelope, staticTarget: Bool = false
  ) throws -> TransportTerm {
    var fixed = solver
    let cross = try TransportProblem(
      source: x.value, target: y.value, sourceWeights: weights(a), targetWeights: weights(b), cost: cost)
    fixed.epsilon = .absolute(solver.absoluteEpsilon(for: cross))
    let xy = try entropic(x, y, sourceWeights: a, targetWeights: b, cost: cost, solver: fixed, gradient: gradient)
    let xx = try entropic(x, x, sourceWeights: a, targetWeights: a, cost: cost, solver: fixed, gradient: gradient)
    let yy = staticTarget ? nil : try entropic(y, y, sourceWeights: b, targetWeights: b, cost: cost, solver: fixed, gradient: gradient)
    let statuses = [xy.status, xx.status, yy?.status ?? .converged]
    return TransportTerm(
      value: yy.map { xy.value - (xx.value + $0.value) * 0.5 } ?? (xy.value - xx.value * 0.5),
      status: statuses.first { $0 != .converged } ?? .converged, epsilon: xy.epsilon,
      iterations: xy.iterations + xx.iterations + (yy?.iterations ?? 0))
  }

  /// The exact transport cost `min <P, C>` between the rows of `x` and `y` (the network
  /// simplex: for small clouds), its gradient by the envelope theorem at the optimal plan:
  /// `dW/dx_i = sum_j P_ij grad_x c(x_i, y_j)`, `dW/da = f` (centered), a subgradient where
  /// the optimal plan is not unique.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid data; ``AutogradError``
  ///   in the backward pass for a cost other than the squared Euclidean and Euclidean.
  /// - Complexity: the network simplex, plus `O(nnz(P) d)` for the gradient.
  public static func exact(
    _ x: Tensor, _ y: Tensor, sourceWeights a: Tensor? = nil, targetWeights b: Tensor? = nil, cost: GroundCost = .squaredEuclidean
  ) throws -> TransportTerm {
    let problem = try TransportProblem(
      source: x.value, target: y.value, sourceWeights: weights(a), targetWeights: weights(b), cost: cost)
    guard let result = try OT.solve(problem, method: .exact) as? TransportResult else { throw AutogradError.noBackwardRule("exact transport") }
    let pullback = TransportPullback { g in
      let s = g.elements[0]
      let (gx, gy) = try pointGradients(result.plan, x.value, y.value, cost: cost)
      func centered(_ f: [Double], _ w: [Double]) -> [Double] {
        let mean = zip(f, w).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        return f.map { ($0 - mean) * s }
      }
      return [gx * s, gy * s] + [
        a.map { shaped(centered(result.sourcePotential, problem.sourceWeights), like: $0) },
        b.map { shaped(centered(result.targetPotential, problem.targetWeights), like: $0) },
      ].compactMap { $0 }
    }
    let value = x.graph.record(.transport(pullback), inputs: [x, y] + [a, b].compactMap { $0 }, value: Matrix(rows: 1, columns: 1, repeating: result.cost))
    return TransportTerm(value: value, status: result.status, epsilon: 0, iterations: result.iterations)
  }

  /// `sum_j P_ij grad_x c(x_i, y_j)` and `sum_i P_ij grad_y c(x_i, y_j)` over a sparse plan.
  static func pointGradients(_ plan: SparsePlan, _ x: Matrix<Double>, _ y: Matrix<Double>, cost: GroundCost) throws -> (Matrix<Double>, Matrix<Double>) {
    guard cost == .squaredEuclidean || cost == .euclidean else { throw AutogradError.noBackwardRule("the envelope gradient of the \(cost) cost") }
    var gx = Matrix<Double>(rows: x.rows, columns: x.columns), gy = Matrix<Double>(rows: y.rows, columns: y.columns)
    for k in plan.masses.indices {
      let (i, j, mass) = (plan.rows[k], plan.columns[k], plan.masses[k])
      var norm = 0.0
      for d in 0..<x.columns { norm += (x[i, d] - y[j, d]) * (x[i, d] - y[j, d]) }
      let scale = cost == .squaredEuclidean ? 2 * mass : (norm > 0 ? mass / norm.squareRoot() : 0)
      for d in 0..<x.columns {
        gx[i, d] += scale * (x[i, d] - y[j, d])
        gy[j, d] -= scale * (x[i, d] - y[j, d])
      }
    }
    return (gx, gy)
  }

  /// The entropic Monge gap of a map, from samples `x_i` and their images `y_i = T(x_i)`
  /// (A. Uscidda and M. Cuturi, "The Monge gap", ICML 2023; OTT-JAX's
  /// `monge_gap_from_samples`): `M = (1/n) sum_i c(x_i, y_i) - W_{c, eps}` with uniform
  /// weights and `W_{c, eps} = <P, C> + eps sum P log P` (OTT's `ent_reg_cost`). It is zero
  /// for an optimal map up to the entropic bias (the exact gap,
  /// ``exactMongeGap(source:mapped:cost:)``, is non-negative); training uses its gradient.
  ///
  /// - Throws: as ``entropic(_:_:sourceWeights:targetWeights:cost:solver:gradient:)``.
  /// - Complexity: one solve, plus `O(n^2 d)` for the gradient.
  public static func mongeGap(source x: Tensor, mapped y: Tensor, cost: GroundCost = .squaredEuclidean, solver: Sinkhorn) throws -> TransportTerm {
    precondition(x.rows == y.rows && x.columns == y.columns, "One image per source point")
    let ot = try entropic(x, y, cost: cost, solver: solver)
    // OT_eps with KL(P | a b^T) = <P, C> + eps (sum P log P + 2 log n) for uniform weights.
    let entropic = ot.value - 2 * ot.epsilon * Double.log(Double(x.rows))
    return TransportTerm(value: try displacement(x, y, cost: cost) - entropic, status: ot.status, epsilon: ot.epsilon, iterations: ot.iterations)
  }

  /// The exact Monge gap `(1/n) sum_i c(x_i, y_i) - W_c` (assignment), non-negative, zero
  /// exactly when the map is optimal between the samples and their images; for reporting.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid data.
  /// - Complexity: the network simplex on `n x n`.
  public static func exactMongeGap(source x: Matrix<Double>, mapped y: Matrix<Double>, cost: GroundCost = .squaredEuclidean) throws -> Double {
    let graph = Graph(recording: false)
    let (tx, ty) = (graph.constant(x), graph.constant(y))
    return try (displacement(tx, ty, cost: cost) - exact(tx, ty, cost: cost).value).scalar
  }

  /// `(1/n) sum_i c(x_i, y_i)` on the tape (squared Euclidean or Euclidean; the Euclidean
  /// norm's gradient is 0 where the points coincide).
  static func displacement(_ x: Tensor, _ y: Tensor, cost: GroundCost) throws -> Tensor {
    let squared = ((x - y) * (x - y)).sum(.columns)
    switch cost {
    case .squaredEuclidean: return squared.mean()
    case .euclidean: return (squared + 1e-300).sqrt().mean()
    default: throw AutogradError.noBackwardRule("the Monge gap with the \(cost) cost")
    }
  }

  /// `||x_i - y_j||^2` on the tape: `|x|^2 1^T + 1 |y|^2^T - 2 x y^T`.
  ///
  /// - Complexity: `O(n m d)`.
  public static func squaredDistances(_ x: Tensor, _ y: Tensor) -> Tensor {
    let xx = (x * x).sum(.columns), yy = (y * y).sum(.columns).transposed()
    return (Tensor.product(x, y, transposeB: true) * -2 + xx) + yy
  }

  /// `<P, C> + eps sum P (log P - log a_i - log b_j)` on the tape (the regularized cost
  /// at a plan with the marginals `a`, `b`).
  static func primalValue(plan p: Tensor, costs c: Tensor, a: Tensor?, b: Tensor?, epsilon: Double) -> Tensor {
    let (n, m) = (c.rows, c.columns)
    let graph = c.graph
    let (logA, logB) = logWeights(a, b, rows: n, columns: m, graph: graph)
    // log P guarded at exact zeros: P log P -> 0 there, and the plan's pullback scales by P.
    let logRatio = ((p + 1e-300).log() - logA) - logB
    return (p * c).sum() + (p * logRatio).sum() * epsilon
  }
}
