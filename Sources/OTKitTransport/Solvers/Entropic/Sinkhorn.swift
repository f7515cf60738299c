import OTKitCore
import RealModule

/// The strength of the entropic regularization.
public enum Epsilon: Sendable, Equatable, CustomStringConvertible {
  /// An absolute value.
  case absolute(Double)
  /// A multiple of a statistic of the cost matrix (`0.01` of `max C`, say).
  case relative(Double, to: CostStatistic)

  /// The number given: the absolute value, or the multiple of the statistic.
  public var value: Double {
    switch self {
    case .absolute(let e), .relative(let e, _): e
    }
  }

  /// The statistic of the costs a relative epsilon scales.
  public enum CostStatistic: String, Sendable, CaseIterable {
    case max, mean, std
  }

  /// The absolute value on the given costs (a relative epsilon times the statistic).
  func resolved<T>(on costs: EntropicCosts<T>) -> Double {
    if case .absolute(let e) = self { return e }
    return resolved(statistics: costs.statistics())
  }

  /// The absolute value given the costs' statistics.
  func resolved(statistics stats: (max: Double, mean: Double, std: Double)) -> Double {
    switch self {
    case .absolute(let e): return e
    case .relative(let factor, let statistic):
      switch statistic {
      case .max: return factor * stats.max
      case .mean: return factor * stats.mean
      case .std: return factor * stats.std
      }
    }
  }

  public var description: String {
    switch self {
    case .absolute(let e): "\(e)"
    case .relative(let e, let statistic): "\(e) x \(statistic.rawValue)(C)"
    }
  }
}

/// Entropic optimal transport by Sinkhorn's algorithm in the log domain.
///
/// Solves `min <P, C> + eps KL(P | a b^T)` over plans with marginals `a` and `b`
/// (Cuturi, "Sinkhorn distances", NeurIPS 2013; Peyré and Cuturi, *Computational Optimal
/// Transport*, 2019, chapter 4) by alternating the dual updates
/// `f_i = eps log a_i - eps LSE_j((g_j - C_ij)/eps)` and
/// `g_j = eps log b_j - eps LSE_i((f_i - C_ij)/eps)`. Each iteration is one streaming pass
/// over the costs (`SinkhornKernels.sinkhornRowSweep`): one exponential per entry, stabilized by
/// the previous potentials, with a max-shifted fallback for rows and columns whose sums
/// leave the safe range, so it neither overflows nor underflows at small `eps`, in `Double`
/// or `Float`. The marginal error `|P^T 1 - b|_1` comes out of the same pass, so it is
/// checked after every iteration and recorded in the error history.
///
/// The status is honest: ``SolverStatus/converged`` only when the measured marginal error
/// of the returned plan is within the tolerance, ``SolverStatus/iterationLimit`` otherwise,
/// ``SolverStatus/diverged`` when a non-finite value appears (the last finite potentials are
/// returned). Epsilon scaling (``scaling``) solves a decreasing sequence of `eps` with warm
/// starts; ``initialPotentials`` warm-starts a single solve.
///
/// - Complexity: `O(n m)` per iteration; memory `O(n m)` for a stored cost matrix, or
///   `O(n + m)` with online costs (``online``), computed from the point clouds row by row.
public struct Sinkhorn: Sendable {
  public var epsilon: Epsilon
  /// The tolerance on the L1 marginal error, relative to the total mass.
  public var tolerance: Double
  public var maxIterations: Int
  /// Epsilon scaling: `nil` for a single solve at `epsilon`.
  public var scaling: EpsilonScaling?
  /// Iterate in `Float` instead of `Double` (half the memory traffic; tolerances below
  /// about `1e-6` are then out of reach and end with ``SolverStatus/iterationLimit``).
  public var useFloat: Bool
  /// `true`: compute costs on the fly from the point clouds; `false`: store the cost
  /// matrix; `nil`: online when the matrix is not built yet and would hold more than
  /// ``denseLimit`` entries.
  public var online: Bool?
  /// The largest cost matrix stored when ``online`` is `nil`.
  public var denseLimit: Int
  /// Potentials `(f, g)` to start from (a previous result's, say).
  public var initialPotentials: (f: [Double], g: [Double])?
  /// `.auto`: switch to the faster kernel-domain iterations once the log-domain ones are
  /// stable and the costs are stored; `.log`: stay in the log domain.
  public var domain: Domain = .auto
  /// The source marginal: ``MarginalPenalty/hard`` (balanced, the default) or a KL or TV
  /// penalty (unbalanced OT).
  public var sourcePenalty: MarginalPenalty = .hard
  /// The target marginal, as ``sourcePenalty``.
  public var targetPenalty: MarginalPenalty = .hard
  /// The reference of the entropy term when a marginal is penalized (POT's default
  /// ``EntropicReference/product``; OTT-JAX uses ``EntropicReference/ones``).
  public var reference: EntropicReference = .product

  /// How the iterations are accelerated, with a safeguard that falls back to plain ones
  /// (default: ``SinkhornAcceleration/adaptive``, over-relaxation estimated from the first
  /// 30 iterations, about 6x fewer iterations at small epsilon on spec §6.5's instance).
  public var acceleration: SinkhornAcceleration = .adaptive

  /// Whether both marginals are hard constraints.
  public var isBalanced: Bool { sourcePenalty.isHard && targetPenalty.isHard }

  /// Where the iterations run.
  public enum Domain: String, Sendable, CaseIterable {
    case auto, log
  }

  public init(
    epsilon: Epsilon, tolerance: Double = 1e-9, maxIterations: Int = 10_000,
    scaling: EpsilonScaling? = nil, useFloat: Bool = false, online: Bool? = nil,
    denseLimit: Int = 100_000_000, initialPotentials: (f: [Double], g: [Double])? = nil
  ) {
    self.epsilon = epsilon
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.scaling = scaling
    self.useFloat = useFloat
    self.online = online
    self.denseLimit = denseLimit
    self.initialPotentials = initialPotentials
  }

  /// Solves the entropic problem.
  public func solve(_ problem: TransportProblem) -> EntropicResult {
    useFloat ? run(problem, Float.self) : run(problem, Double.self)
  }

  /// The absolute epsilon this solver uses on `problem`.
  public func absoluteEpsilon(for problem: TransportProblem) -> Double {
    if case .absolute(let e) = epsilon { return e }
    return epsilon.resolved(on: EntropicCosts<Double>.make(problem, online: online, denseLimit: denseLimit))
  }

  func run<T: MatrixScalar>(_ problem: TransportProblem, _: T.Type) -> EntropicResult {
    let costs = EntropicCosts<T>.make(problem, online: online, denseLimit: denseLimit)
    // One pass over the costs serves both a relative epsilon and the scaling's diameter.
    let statistics = scaling != nil ? costs.statistics() : nil
    let eps = statistics.map { epsilon.resolved(statistics: $0) } ?? epsilon.resolved(on: costs)
    guard eps > 0 && eps.isFinite else {
      return .unresolvedEpsilon(.sinkhorn, costs: costs, problem: problem, epsilon: eps)
    }
    let mass = max(problem.totalMass, problem.targetWeights.reduce(0, +))
    if isBalanced && problem.hasUnequalTotals {
      // No plan has both marginals: say so instead of iterating to the limit.
      return EntropicResult(
        method: .sinkhorn, status: .infeasible, plan: PotentialPlan(
          costs: costs, f: [T](repeating: 0, count: problem.n), g: [T](repeating: 0, count: problem.m), epsilon: T(eps)),
        a: problem.sourceWeights, b: problem.targetWeights, iterations: 0, errorHistory: [])
    }
    var state = SinkhornState<T>(
      costs: costs, a: problem.sourceWeights, b: problem.targetWeights,
      f: initialPotentials?.f, g: initialPotentials?.g, kernelDomain: domain == .auto)
    state.sourcePenalty = sourcePenalty
    state.targetPenalty = targetPenalty
    state.reference = reference
    var history: [Double] = []
    var iterations = 0
    var status = SolverStatus.iterationLimit
    var report = SinkhornAccelerationReport(mode: acceleration.name, omega: 1, acceleratedIterations: 0, fallbacks: 0)
    if let scaling {
      let diameter = statistics!.max
      for stageEpsilon in scaling.schedule(from: max(diameter, eps), to: eps).dropLast() {
        let stage = state.iterate(
          epsilon: T(stageEpsilon), tolerance: scaling.stageTolerance * mass,
          maxIterations: min(scaling.iterationsPerStage, maxIterations - iterations),
          history: &history, acceleration: acceleration, report: &report)
        iterations += stage.iterations
        if stage.status == .diverged {
          status = .diverged
          break
        }
      }
    }
    if status != .diverged {
      let last = state.iterate(
        epsilon: T(eps), tolerance: tolerance * mass,
        maxIterations: max(0, maxIterations - iterations), history: &history, acceleration: acceleration,
        report: &report)
      iterations += last.iterations
      status = last.status
    }
    let plan = PotentialPlan(costs: costs, f: state.f, g: state.g, epsilon: T(eps))
    var result = EntropicResult(
      method: .sinkhorn, status: status, plan: plan, a: problem.sourceWeights,
      b: problem.targetWeights, iterations: iterations, errorHistory: history,
      penalties: isBalanced ? nil : (sourcePenalty, targetPenalty, reference))
    result.acceleration = report
    // Converged means the returned plan's measured error is within the tolerance.
    if result.status == .converged && !(result.marginalError <= tolerance * mass) {
      result.status = .stalled
    }
    return result
  }
}

extension EntropicResult {
  /// The result of a solve that cannot start: a relative epsilon resolved to `eps`, which
  /// is not positive and finite (the costs' statistic is 0 or overflows). Status
  /// ``SolverStatus/numericalError``, no iterations, zero potentials; ``epsilon`` reports
  /// the resolved value.
  static func unresolvedEpsilon<T: MatrixScalar>(
    _ method: TransportMethod, costs: EntropicCosts<T>, problem: TransportProblem, epsilon eps: Double
  ) -> EntropicResult {
    let plan = PotentialPlan(
      costs: costs, f: [T](repeating: 0, count: problem.n), g: [T](repeating: 0, count: problem.m), epsilon: 1)
    var result = EntropicResult(
      method: method, status: .numericalError, plan: plan, a: problem.sourceWeights, b: problem.targetWeights,
      iterations: 0, errorHistory: [])
    result.epsilon = eps
    return result
  }
}

/// A decreasing schedule of epsilons, `eps_t = max(eps_0 decay^t, eps)`, from the cost
/// diameter (`max C`) down to the target, each stage warm-starting the next.
public struct EpsilonScaling: Sendable, Equatable {
  /// The factor between stages, in `(0, 1)`.
  public var decay: Double
  /// The most iterations of one stage before the next.
  public var iterationsPerStage: Int
  /// The marginal error (relative to the mass) at which a stage ends early.
  public var stageTolerance: Double

  public init(decay: Double = 0.5, iterationsPerStage: Int = 100, stageTolerance: Double = 1e-3) {
    precondition(decay > 0 && decay < 1, "epsilon scaling needs a decay in (0, 1)")
    self.decay = decay
    self.iterationsPerStage = iterationsPerStage
    self.stageTolerance = stageTolerance
  }

  /// The epsilons from `start` down to `target` (the last one is `target`).
  public func schedule(from start: Double, to target: Double) -> [Double] {
    var values: [Double] = []
    var e = start
    while e > target {
      values.append(e)
      e *= decay
    }
    values.append(target)
    return values
  }
}

/// The potentials and buffers of a Sinkhorn run in precision `T`.
///
/// Iterations start in the log domain (one exponential per entry, stabilized by the
/// current potentials). With ``kernelDomain`` set and stored costs, once two log-domain
/// sweeps have needed no max-shifted fallback, the stabilized kernel
/// `K_ij = exp((f_i + g_j - C_ij)/eps)` is formed once and the iterations continue as
/// scalings `u = a / (K v)`, `v = b / (K^T u)` (one fused memory-bound pass each, no
/// exponentials). The scalings are absorbed into the potentials (and `K` rebuilt) when
/// they leave `[1e-100, 1e100]` (`[1e-15, 1e15]` in `Float`), and a row or column sum that
/// underflows sends the run back to the log domain (Schmitzer, "Stabilized sparse scaling
/// algorithms for entropy regularized transport problems", SIAM J. Sci. Comput. 41(3), 2019).
struct SinkhornState<T: MatrixScalar> {
  let costs: EntropicCosts<T>
  let a: [T]
  let b: [T]
  var f: [T]
  var g: [T]
  /// Use the kernel domain when the costs are stored.
  var kernelDomain: Bool
  var sourcePenalty = MarginalPenalty.hard
  var targetPenalty = MarginalPenalty.hard
  var reference = EntropicReference.product

  init(costs: EntropicCosts<T>, a: [Double], b: [Double], f: [Double]?, g: [Double]?, kernelDomain: Bool) {
    self.costs = costs
    self.a = a.map { T($0) }
    self.b = b.map { T($0) }
    self.f = f.map { $0.map { T($0) } } ?? [T](repeating: 0, count: a.count)
    self.g = g.map { $0.map { T($0) } } ?? [T](repeating: 0, count: b.count)
    for j in 0..<b.count where b[j] == 0 { self.g[j] = -.infinity }
    self.kernelDomain = kernelDomain && !costs.isOnline
  }


  /// Plain iterations (no acceleration): see ``iterate(epsilon:tolerance:maxIterations:history:acceleration:report:)``.
  mutating func iterate(
    epsilon: T, tolerance: Double, maxIterations: Int, history: inout [Double]
  ) -> (status: SolverStatus, iterations: Int) {
    var report = SinkhornAccelerationReport(mode: "none", omega: 1, acceleratedIterations: 0, fallbacks: 0)
    return iterate(epsilon: epsilon, tolerance: tolerance, maxIterations: maxIterations, history: &history, report: &report)
  }

  /// Runs up to `maxIterations` iterations at `epsilon`, stopping when `|P^T 1 - b|_1`
  /// (with exact rows; for a penalized target, the column mass its update would move) is
  /// within `tolerance` on a plain iteration; appends each error to `history`.
  /// `acceleration` as ``SinkhornAcceleration``, accounted in `report`. The iterations
  /// themselves are ``SinkhornRun``'s.
  mutating func iterate(
    epsilon: T, tolerance: Double, maxIterations: Int, history: inout [Double],
    acceleration: SinkhornAcceleration = .none, report: inout SinkhornAccelerationReport
  ) -> (status: SolverStatus, iterations: Int) {
    var run = SinkhornRun(self, epsilon: epsilon, tolerance: tolerance, acceleration: acceleration, firstError: history.count)
    report.mode = acceleration.name
    let status = costs.withSource { source in
      run.iterate(source: source, maxIterations: maxIterations, history: &history, report: &report)
    }
    (f, g) = (run.f, run.g)
    withExtendedLifetime(run.updates.memory) {}
    return (status, run.iterations)
  }

  /// Whether every potential is finite where its weight is positive.
  static func allValid(_ potentials: [T], weights: [T]) -> Bool {
    for k in 0..<potentials.count where weights[k] > 0 && !potentials[k].isFinite { return false }
    return true
  }
}

extension Sinkhorn {
  /// The peak bytes of the dense path: the cost matrix when it is built, the solver's costs
  /// and the Gibbs kernel in its precision (`24 n m` in `Double` from point clouds, measured
  /// 23.9 at n = m = 3000).
  public static func denseBytes(_ problem: TransportProblem, useFloat: Bool) -> Int {
    MemoryBudget.sum(problem.costMatrixBytes, problem.planes(2, scalar: useFloat ? 4 : 8))
  }
}

extension Sinkhorn: TransportSolver {
  public var method: TransportMethod { .sinkhorn }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }

  /// Epsilon, Float, epsilon scaling, the acceleration and the marginal penalties.
  public static func settings(for method: TransportMethod) -> Set<String> {
    ["epsilon", "useFloat", "epsilonScaling", "acceleration", "penalties"]
  }

  /// The solver of the options; a relative epsilon is resolved once on the costs (in Float
  /// it stays relative: the solver resolves it on its Float costs).
  ///
  /// With `online: nil` the costs are read online when the dense path does not fit in
  /// memory (``denseBytes(_:useFloat:)``); with `online: false`, or a cost matrix, a dense
  /// path that does not fit is a `MemoryError`.
  public static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) throws -> Self {
    var solver = Sinkhorn(
      epsilon: options.epsilon!, tolerance: options.tolerance, maxIterations: options.maxIterations ?? 10_000,
      scaling: options.epsilonScaling, useFloat: options.useFloat, online: options.online)
    let dense = denseBytes(problem, useFloat: options.useFloat)
    if problem.pointCloud != nil && options.online == nil && !MemoryBudget.fits(dense) {
      solver.online = true
    } else if !(problem.pointCloud != nil && options.online == true) {
      try problem.checkMemory(dense, method: .sinkhorn, wayOut: problem.onlineWayOut("--online"))
    }
    solver.acceleration = options.acceleration
    solver.sourcePenalty = options.sourcePenalty
    solver.targetPenalty = options.targetPenalty
    solver.reference = options.reference
    solver.epsilon = try OT.resolved(solver.epsilon, keepRelative: options.useFloat) { solver.absoluteEpsilon(for: problem) }
    if options.useFloat { try OT.checkFloat(problem) }
    return solver
  }
}
