import OTKitCore
import RealModule

/// One run of Sinkhorn iterations at one epsilon (``SinkhornState/iterate(epsilon:tolerance:maxIterations:history:acceleration:report:)``):
/// the potentials, the marginal updates, the acceleration's safeguard, and the domain.
///
/// Iterations start in the log domain (``logIteration(_:accelerated:omega:history:report:)``:
/// one streaming pass over the costs for the rows, the columns from the column sums). With
/// stored costs, once two log-domain sweeps needed no max-shifted fallback, the stabilized
/// kernel `K_ij = exp((f_i + g_j - C_ij)/eps)` is formed once and the iterations continue as
/// scalings (``kernelIteration(_:accelerated:omega:history:report:)``), absorbed into the
/// potentials when they leave the safe range, and back to the log domain when a sum
/// underflows (Schmitzer, SIAM J. Sci. Comput. 41(3), 2019).
///
/// - Complexity: `O(n m)` per iteration (one exponential per entry in the log domain, none
///   in the kernel domain), `O(n m)` memory for the kernel.
struct SinkhornRun<T: MatrixScalar> {
  let n: Int
  let m: Int
  let a: [T]
  let b: [T]
  let epsilon: T
  let tolerance: Double
  let kernelDomain: Bool
  let updates: MarginalUpdates<T>
  /// The error's measure: the plain column update's (`|s - b|` for a hard marginal).
  let columnPlain: MarginalProx<T>?
  var safeguard: SinkhornSafeguard<T>
  var f: [T]
  var g: [T]
  var iterations = 0
  var cleanLogSweeps = 0
  // Log domain: the column sums of the last row sweep, the columns to redo exactly.
  var sums: [T]
  var redo: [Bool]
  // Kernel domain: K (borrowed from its owner while set), the absorbed potentials, the
  // scalings and `K^T u`.
  var kernelMemory: ScratchMemory<T>?
  var kernel: UnsafeMutablePointer<T>?
  var fHat: [T]
  var gHat: [T]
  var u: [T]
  var v: [T]
  var w: [Double]

  /// The sums trusted without a max-shifted recomputation (the kernels' range).
  static var safeSum: ClosedRange<T> { SinkhornKernels.safeSumRange(T.self) }
  /// The scalings kept before they are absorbed into the potentials.
  static var safeScaling: ClosedRange<T> { T.self == Float.self ? T(1e-15)...T(1e15) : T(1e-100)...T(1e100) }

  init(_ state: SinkhornState<T>, epsilon: T, tolerance: Double, acceleration: SinkhornAcceleration, firstError: Int) {
    (a, b, n, m) = (state.a, state.b, state.a.count, state.b.count)
    (self.epsilon, self.tolerance, kernelDomain) = (epsilon, tolerance, state.kernelDomain)
    updates = MarginalUpdates(a: a, b: b, epsilon: epsilon, source: state.sourcePenalty, target: state.targetPenalty, reference: state.reference)
    columnPlain = updates.column(1)
    safeguard = SinkhornSafeguard(acceleration, f: state.f, g: state.g, firstError: firstError)
    (f, g, fHat, gHat) = (state.f, state.g, state.f, state.g)
    (sums, redo) = ([T](repeating: 0, count: m), [Bool](repeating: false, count: m))
    (u, v, w) = ([T](repeating: 1, count: n), [T](repeating: 1, count: m), [Double](repeating: 0, count: m))
  }

  /// What an iteration leaves: go on, or the run's end.
  enum Step { case next, finished(SolverStatus) }

  /// Iterates until convergence, divergence or `maxIterations`.
  mutating func iterate(
    source: CostRowSource<T>, maxIterations: Int, history: inout [Double], report: inout SinkhornAccelerationReport
  ) -> SolverStatus {
    while iterations < maxIterations {
      let (accelerated, omega) = safeguard.next
      let step = kernel != nil
        ? kernelIteration(source, accelerated: accelerated, omega: omega, history: &history, report: &report)
        : logIteration(source, accelerated: accelerated, omega: omega, history: &history, report: &report)
      if case .finished(let status) = step { return status }
    }
    if kernel != nil { (f, g) = potentials(u, v) }
    return .iterationLimit
  }

  /// The potentials of scalings `u`, `v` on the absorbed potentials.
  func potentials(_ u: [T], _ v: [T]) -> ([T], [T]) {
    var f = fHat, g = gHat
    for i in 0..<n { f[i] = u[i] > 0 ? fHat[i] + epsilon * T.log(u[i]) : -.infinity }
    for j in 0..<m { g[j] = v[j] > 0 ? gHat[j] + epsilon * T.log(v[j]) : -.infinity }
    return (f, g)
  }

  /// Leaves the kernel domain (the caller sets the potentials).
  mutating func dropKernel() {
    kernel = nil
    kernelMemory = nil
    cleanLogSweeps = 0
  }

  /// The safeguard's return to the last check; `false` when not accelerating.
  mutating func fallBack(_ report: inout SinkhornAccelerationReport) -> Bool {
    guard let saved = safeguard.fallBack(report: &report) else { return false }
    (f, g) = saved
    dropKernel()
    return true
  }

  /// After an iteration's updates: Anderson mixing, the adaptive over-relaxation, and the
  /// safeguard's check. Returns `true` when the safeguard restored the last check.
  mutating func afterIteration(
    error: Double, accelerated: Bool, input: [T]?, history: [Double], report: inout SinkhornAccelerationReport
  ) -> Bool {
    guard safeguard.accelerating else { return false }
    if accelerated && (safeguard.omega != 1 || safeguard.anderson != nil) { report.acceleratedIterations += 1 }
    if accelerated, let input, safeguard.anderson != nil {
      let output = kernel != nil ? potentials(u, v).1 : g
      if let mixed = safeguard.anderson!.push(input: input, output: output) { setColumnPotentials(mixed) }
    }
    let done = history.count - safeguard.firstError
    safeguard.adapt(done: done, history: history, fallbacks: report.fallbacks)
    report.omega = Double(safeguard.omega)
    switch safeguard.checkpoint(error: error, done: done) {
    case .fallBack: return fallBack(&report)
    case .save:
      let (fNow, gNow) = kernel != nil ? potentials(u, v) : (f, g)
      safeguard.snapshot = (fNow, gNow, error)
    case .none: break
    }
    return false
  }

  /// Sets the column potentials (Anderson's mix) in the current domain.
  mutating func setColumnPotentials(_ mixed: [T]) {
    guard kernel != nil else { return g = mixed }
    for j in 0..<m where b[j] > 0 { v[j] = T.exp((mixed[j] - gHat[j]) / epsilon) }
  }

  /// Forms `K` at the potentials.
  static func build(_ K: UnsafeMutablePointer<T>, _ source: CostRowSource<T>, _ f: [T], _ g: [T], _ epsilon: T) {
    f.withUnsafeBufferPointer { fp in
      g.withUnsafeBufferPointer { gp in
        SinkhornKernels.sinkhornBuildKernel(costs: source, f: fp.baseAddress!, g: gp.baseAddress!, epsilon: epsilon, kernel: K)
      }
    }
  }
}
