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

  var safeSum: ClosedRange<T> { T.self == Float.self ? T(1e-25)...T(1e25) : T(1e-200)...T(1e200) }
  var safeScaling: ClosedRange<T> { T.self == Float.self ? T(1e-15)...T(1e15) : T(1e-100)...T(1e100) }

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
  /// `acceleration` as ``SinkhornAcceleration``, accounted in `report`.
  mutating func iterate(
    epsilon: T, tolerance: Double, maxIterations: Int, history: inout [Double],
    acceleration: SinkhornAcceleration = .none, report: inout SinkhornAccelerationReport
  ) -> (status: SolverStatus, iterations: Int) {
    let (n, m) = (a.count, b.count)
    // Local copies: the state holds an existential (online costs), so reading its `let`
    // properties inside the closures that mutate `g` would overlap the access to `self`.
    let (a, b) = (self.a, self.b)
    // The penalties' proximal updates at this epsilon (nil for a hard marginal).
    let offsetMemory = ScratchMemory<T>(count: n + m)
    defer { withExtendedLifetime(offsetMemory) {} }
    let rowOffsets = offsetMemory.base, columnOffsets = offsetMemory.base + n
    for i in 0..<n { rowOffsets[i] = reference == .product && a[i] > 0 ? epsilon * T.log(a[i]) : 0 }
    for j in 0..<m { columnOffsets[j] = reference == .product && b[j] > 0 ? epsilon * T.log(b[j]) : 0 }
    let rowKind = sourcePenalty.proxKind(epsilon: Double(epsilon), T.self)
    let columnKind = targetPenalty.proxKind(epsilon: Double(epsilon), T.self)
    let (sourceHard, targetHard) = (sourcePenalty.isHard, targetPenalty.isHard)
    // The updates at over-relaxation omega (nil: the plain balanced update).
    func rowUpdate(_ omega: T) -> MarginalProx<T>? {
      sourceHard && omega == 1 ? nil : MarginalProx(kind: rowKind, offsets: UnsafePointer(rowOffsets), omega: omega)
    }
    func columnUpdate(_ omega: T) -> MarginalProx<T>? {
      targetHard && omega == 1 ? nil : MarginalProx(kind: columnKind, offsets: UnsafePointer(columnOffsets), omega: omega)
    }
    // The error's measure: the plain update's (|s - b| for a hard marginal).
    let columnPlain = columnUpdate(1)
    // Acceleration.
    var accelerating = acceleration != .none
    var omega: T = 1
    if case .momentum(let value) = acceleration { omega = T(value) }
    var anderson: AndersonMixer<T>? = nil
    if case .anderson(let memory, let ridge) = acceleration { anderson = AndersonMixer(memory: memory, ridge: ridge) }
    var plainNext = false
    // The safeguard's last check, first the starting potentials.
    var snapshot: (f: [T], g: [T], error: Double)? = accelerating ? (f, g, .infinity) : nil
    var lastCheck = Double.infinity
    var growths = 0
    let firstError = history.count
    report.mode = acceleration.name
    var sums = [T](repeating: 0, count: m)
    var redo = [Bool](repeating: false, count: m)
    var iterations = 0
    var cleanLogSweeps = 0
    // Kernel-domain state: K, the absorbed potentials and the scalings.
    // The kernel's owner; `kernel` borrows its buffer while it is set.
    var kernelMemory: ScratchMemory<T>? = nil
    var kernel: UnsafeMutablePointer<T>? = nil
    defer { withExtendedLifetime(kernelMemory) {} }
    var fHat = f, gHat = g
    var u = [T](repeating: 1, count: n)
    var v = [T](repeating: 1, count: m)
    var w = [Double](repeating: 0, count: m)

    /// The potentials of the current scalings.
    func potentials(_ fHat: [T], _ gHat: [T], _ u: [T], _ v: [T]) -> ([T], [T]) {
      var f = fHat, g = gHat
      for i in 0..<n { f[i] = u[i] > 0 ? fHat[i] + epsilon * T.log(u[i]) : -.infinity }
      for j in 0..<m { g[j] = v[j] > 0 ? gHat[j] + epsilon * T.log(v[j]) : -.infinity }
      return (f, g)
    }

    return costs.withSource { source in
      /// Back to the potentials of the last check (the safeguard), with half the
      /// over-relaxation (plain once it is below 1.05), or without Anderson's history.
      func fallBack() -> Bool {
        guard accelerating, let saved = snapshot else { return false }
        (f, g) = (saved.f, saved.g)
        kernel = nil
        kernelMemory = nil
        cleanLogSweeps = 0
        report.fallbacks += 1
        if anderson != nil {
          anderson = nil
          accelerating = false
        } else {
          omega = 1 + (omega - 1) / 2
          if abs(omega - 1) < T(0.05) {
            omega = 1
            accelerating = false
          }
        }
        report.omega = Double(omega)
        return true
      }
      /// After an iteration's updates: Anderson mixing, the adaptive omega, the safeguard.
      /// Returns `true` when the safeguard restored the last check (the caller continues).
      func accelerate(error: Double, accelerated: Bool, input: [T]?, setG: (inout [T]) -> Void, currentG: () -> [T], current: () -> ([T], [T])) -> Bool {
        guard accelerating else { return false }
        if accelerated && (omega != 1 || anderson != nil) { report.acceleratedIterations += 1 }
        if accelerated, let input, anderson != nil, let mixed = anderson!.push(input: input, output: currentG()) {
          var next = mixed
          setG(&next)
        }
        let done = history.count - firstError
        if case .adaptiveMomentum(let start) = acceleration, done == max(start, SinkhornAcceleration.checkEvery + 1), omega == 1, report.fallbacks == 0 {
          let e1 = history[history.count - 1], e0 = history[history.count - 1 - SinkhornAcceleration.checkEvery]
          if e0 > 0 && e1 > 0 && e1 < e0 {
            omega = T(SinkhornAcceleration.omega(contraction: Double.pow(e1 / e0, 1 / Double(SinkhornAcceleration.checkEvery))))
          }
        }
        report.omega = Double(omega)
        if done % SinkhornAcceleration.checkEvery == 0 {
          // Growth across two checks, or ten times the best error: back to the best check.
          growths = error > lastCheck ? growths + 1 : 0
          lastCheck = error
          if let saved = snapshot, growths >= 2 || !(error <= 10 * saved.error) || !error.isFinite {
            growths = 0
            lastCheck = .infinity
            return fallBack()
          }
          if error <= snapshot?.error ?? .infinity {
            let (fNow, gNow) = current()
            snapshot = (fNow, gNow, error)
          }
        }
        return false
      }
      while iterations < maxIterations {
        let accelerated = accelerating && !plainNext
        let omegaNow: T = accelerated ? omega : 1
        let rowProx = rowUpdate(omegaNow)
        var columnProx = columnUpdate(omegaNow)
        if let K = kernel {
          let input: [T]? = accelerated && anderson != nil ? potentials(fHat, gHat, u, v).1 : nil
          // Kernel domain: u = a / (K v), w = K^T u, in one pass.
          let previousU = u
          let bad = v.withUnsafeBufferPointer { vp in
            a.withUnsafeBufferPointer { ap in
              u.withUnsafeMutableBufferPointer { up in
                w.withUnsafeMutableBufferPointer { wp in
                  fHat.withUnsafeBufferPointer { fp in
                    SinkhornKernels.sinkhornKernelSweep(
                      kernel: K, rows: n, columns: m, v: vp.baseAddress!, a: ap.baseAddress!,
                      u: up.baseAddress!, w: wp.baseAddress!, prox: rowProx.map { ($0, fp.baseAddress!, epsilon) })
                  }
                }
              }
            }
          }
          var columnsOK = bad == 0
          var error = 0.0
          if columnsOK {
            for j in 0..<m {
              if b[j] > 0 && !(w[j] > 0 && safeSum.contains(T(w[j]))) { columnsOK = false }
              if let columnPlain, b[j] > 0, w[j] > 0 {
                // The column mass the penalty's update would move.
                error += columnPlain.movedMass(
                  j, sum: Double(v[j]) * w[j], current: gHat[j] + epsilon * T.log(v[j]),
                  balanced: gHat[j] + epsilon * T.log(T(Double(b[j]) / w[j])), epsilon: epsilon)
              } else {
                error += abs(Double(v[j]) * w[j] - Double(b[j]))
              }
            }
          }
          guard columnsOK && error.isFinite else {
            if fallBack() { continue }
            // Underflow: back to the log domain from the last good scalings.
            (f, g) = potentials(fHat, gHat, previousU, v)
            kernel = nil
            kernelMemory = nil
            cleanLogSweeps = 0
            continue
          }
          iterations += 1
          history.append(error)
          if error <= tolerance {
            if !accelerated {
              (f, g) = potentials(fHat, gHat, u, v)
              return (.converged, iterations)
            }
            // Accepted only on a plain iteration: the next one.
            plainNext = true
            columnProx = columnUpdate(1)
          } else {
            plainNext = false
          }
          if let columnProx {
            for j in 0..<m where b[j] > 0 {
              let old = v[j] > 0 ? gHat[j] + epsilon * T.log(v[j]) : -T.infinity
              let next = columnProx.apply(j, gHat[j] + epsilon * T.log(T(Double(b[j]) / w[j])), old: old)
              v[j] = T.exp((next - gHat[j]) / epsilon)
            }
          } else {
            for j in 0..<m { v[j] = b[j] > 0 ? T(Double(b[j]) / w[j]) : 0 }
          }
          let restored = accelerate(
            error: error, accelerated: accelerated, input: input,
            setG: { mixed in for j in 0..<m where b[j] > 0 { v[j] = T.exp((mixed[j] - gHat[j]) / epsilon) } },
            currentG: { potentials(fHat, gHat, u, v).1 }, current: { potentials(fHat, gHat, u, v) })
          if restored { continue }
          if !Self.allValid(v, weights: b) || v.contains(where: { !$0.isFinite }) {
            if fallBack() { continue }
          }
          // Absorb large scalings into the potentials and rebuild the kernel.
          let extreme = u.contains { $0 > 0 && !safeScaling.contains($0) }
            || v.contains { $0 > 0 && !safeScaling.contains($0) }
          if extreme {
            (fHat, gHat) = potentials(fHat, gHat, u, v)
            for i in 0..<n where u[i] > 0 { u[i] = 1 }
            for j in 0..<m where v[j] > 0 { v[j] = 1 }
            build(K, source, fHat, gHat, epsilon)
          }
          continue
        }

        // Log domain.
        let input: [T]? = accelerated && anderson != nil ? g : nil
        let previousF = f
        let fallbacks = a.withUnsafeBufferPointer { ap in
          g.withUnsafeBufferPointer { gp in
            f.withUnsafeMutableBufferPointer { fp in
              sums.withUnsafeMutableBufferPointer { sp in
                SinkhornKernels.sinkhornRowSweep(
                  costs: source, f: fp.baseAddress!, g: gp.baseAddress!, a: ap.baseAddress!,
                  epsilon: epsilon, columnSums: sp.baseAddress!, prox: rowProx)
              }
            }
          }
        }
        iterations += 1
        if !Self.allValid(f, weights: a) {
          if fallBack() { continue }
          f = previousF
          return (.diverged, iterations)
        }
        var error = 0.0
        if let columnPlain {
          // The column mass the penalty's update would move (|s - b| when balanced).
          for j in 0..<m where b[j] > 0 {
            let s = sums[j]
            if safeSum.contains(s) {
              error += columnPlain.movedMass(j, sum: Double(s), current: g[j], balanced: g[j] + epsilon * T.log(b[j] / s), epsilon: epsilon)
            } else {
              error += abs(Double(s) - Double(b[j]))
            }
          }
        } else {
          for j in 0..<m { error += abs(Double(sums[j]) - Double(b[j])) }
        }
        history.append(error)
        if !error.isFinite {
          if fallBack() { continue }
          f = previousF
          return (.diverged, iterations)
        }
        if error <= tolerance {
          if !accelerated { return (.converged, iterations) }
          plainNext = true
          columnProx = columnUpdate(1)
        } else {
          plainNext = false
        }
        let previousG = g
        // The column update from the sums; a sum out of the safe range is redone exactly.
        var anyRedo = false
        for j in 0..<m {
          guard b[j] > 0 else { continue }
          let s = sums[j]
          if safeSum.contains(s) {
            if let columnProx {
              g[j] = columnProx.apply(j, g[j] + epsilon * T.log(b[j] / s), old: g[j])
            } else {
              g[j] += epsilon * T.log(b[j] / s)
            }
            redo[j] = false
          } else {
            redo[j] = true
            anyRedo = true
          }
        }
        if anyRedo {
          f.withUnsafeBufferPointer { fp in
            g.withUnsafeMutableBufferPointer { gp in
              b.withUnsafeBufferPointer { bp in
                redo.withUnsafeBufferPointer { rp in
                  SinkhornKernels.sinkhornColumnUpdate(
                    costs: source, f: fp.baseAddress!, g: gp.baseAddress!, b: bp.baseAddress!,
                    epsilon: epsilon, update: rp.baseAddress!)
                }
              }
            }
          }
          if let columnProx {
            for j in 0..<m where redo[j] && g[j].isFinite { g[j] = columnProx.apply(j, g[j], old: previousG[j]) }
          }
        }
        if !Self.allValid(g, weights: b) {
          if fallBack() { continue }
          g = previousG
          return (.diverged, iterations)
        }
        if accelerate(
          error: error, accelerated: accelerated, input: input, setG: { mixed in g = mixed }, currentG: { g },
          current: { (f, g) })
        {
          continue
        }
        cleanLogSweeps = fallbacks == 0 && !anyRedo ? cleanLogSweeps + 1 : 0
        if kernelDomain && cleanLogSweeps >= 2 {
          // Switch to the kernel domain at the current potentials.
          let memory = ScratchMemory<T>(count: n * m)
          kernelMemory = memory
          let K = memory.base
          kernel = K
          fHat = f
          gHat = g
          u = [T](repeating: 1, count: n)
          v = [T](repeating: 1, count: m)
          for j in 0..<m where b[j] == 0 { v[j] = 0 }
          build(K, source, fHat, gHat, epsilon)
        }
      }
      if kernel != nil { (f, g) = potentials(fHat, gHat, u, v) }
      return (.iterationLimit, iterations)
    }
  }

  func build(_ K: UnsafeMutablePointer<T>, _ source: CostRowSource<T>, _ f: [T], _ g: [T], _ epsilon: T) {
    f.withUnsafeBufferPointer { fp in
      g.withUnsafeBufferPointer { gp in
        SinkhornKernels.sinkhornBuildKernel(
          costs: source, f: fp.baseAddress!, g: gp.baseAddress!, epsilon: epsilon, kernel: K)
      }
    }
  }

  /// Whether every potential is finite where its weight is positive.
  static func allValid(_ potentials: [T], weights: [T]) -> Bool {
    for k in 0..<potentials.count where weights[k] > 0 && !potentials[k].isFinite { return false }
    return true
  }
}
