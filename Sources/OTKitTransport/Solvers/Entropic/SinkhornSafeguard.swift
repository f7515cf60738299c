import OTKitCore
import RealModule

/// Sinkhorn's acceleration during one run and its safeguard (spec regularized-ot.md §5):
/// the over-relaxation (constant, or estimated once from the error's contraction, Lehmann
/// et al. 2021), Anderson mixing, and, when the error grows across two checks or passes ten
/// times the best, the return to the best check with half the over-relaxation (plain once
/// below 1.05) or without Anderson.
struct SinkhornSafeguard<T: MatrixScalar> {
  let acceleration: SinkhornAcceleration
  var accelerating: Bool
  var omega: T = 1
  var anderson: AndersonMixer<T>?
  /// Convergence is accepted only on a plain iteration: the next one is plain.
  var plainNext = false
  /// The last check to return to, first the starting potentials.
  var snapshot: (f: [T], g: [T], error: Double)?
  var lastCheck = Double.infinity
  var growths = 0
  /// The run's first entry in the error history.
  let firstError: Int

  init(_ acceleration: SinkhornAcceleration, f: [T], g: [T], firstError: Int) {
    self.acceleration = acceleration
    accelerating = acceleration != .none
    if case .momentum(let value) = acceleration { omega = T(value) }
    if case .anderson(let memory, let ridge) = acceleration { anderson = AndersonMixer(memory: memory, ridge: ridge) }
    snapshot = accelerating ? (f, g, .infinity) : nil
    self.firstError = firstError
  }

  /// Whether the next iteration is accelerated, and its over-relaxation.
  var next: (accelerated: Bool, omega: T) {
    let accelerated = accelerating && !plainNext
    return (accelerated, accelerated ? omega : 1)
  }

  /// The potentials of the last check to return to, with the acceleration halved (or
  /// Anderson dropped); `nil` when not accelerating.
  mutating func fallBack(report: inout SinkhornAccelerationReport) -> (f: [T], g: [T])? {
    guard accelerating, let saved = snapshot else { return nil }
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
    return (saved.f, saved.g)
  }

  /// The adaptive over-relaxation, estimated once `done` errors are recorded from the
  /// contraction over the last ``SinkhornAcceleration/checkEvery`` of them.
  mutating func adapt(done: Int, history: [Double], fallbacks: Int) {
    guard case .adaptiveMomentum(let start) = acceleration, done == max(start, SinkhornAcceleration.checkEvery + 1), omega == 1, fallbacks == 0
    else { return }
    let e1 = history[history.count - 1], e0 = history[history.count - 1 - SinkhornAcceleration.checkEvery]
    if e0 > 0 && e1 > 0 && e1 < e0 {
      omega = T(SinkhornAcceleration.omega(contraction: Double.pow(e1 / e0, 1 / Double(SinkhornAcceleration.checkEvery))))
    }
  }

  /// What a check decides.
  enum Checkpoint { case none, save, fallBack }

  /// Every ``SinkhornAcceleration/checkEvery`` errors: back to the best check after growth
  /// across two checks or ten times the best error, else save this one when it is the best.
  mutating func checkpoint(error: Double, done: Int) -> Checkpoint {
    guard done % SinkhornAcceleration.checkEvery == 0 else { return .none }
    growths = error > lastCheck ? growths + 1 : 0
    lastCheck = error
    if let saved = snapshot, growths >= 2 || !(error <= 10 * saved.error) || !error.isFinite {
      growths = 0
      lastCheck = .infinity
      return .fallBack
    }
    return error <= snapshot?.error ?? .infinity ? .save : .none
  }
}
