import Foundation
import OTKitCore

/// Integrates `dx/dt = v(t, x)` for a batch of points (the rows of `x`) from `t0` to `t1`:
/// how a flow-matching model's velocity field turns source samples into target samples.
/// Fixed-step Euler and classical Runge-Kutta 4, and the adaptive Dormand-Prince 5(4) pair
/// with error control per step (J. R. Dormand and P. J. Prince, "A family of embedded
/// Runge-Kutta formulae", 1980; the step rule of Hairer, Norsett and Wanner, *Solving
/// Ordinary Differential Equations I*, II.4), the `dopri5` of torchdiffeq and diffrax.
public enum ODEMethod: Sendable, Codable, Equatable {
  case euler(steps: Int)
  case rungeKutta4(steps: Int)
  /// Adaptive; the error is the root mean square over the batch of
  /// `err / (absolute + relative max(|x|, |x_new|))`, a step accepted at `<= 1`.
  case dormandPrince(relativeTolerance: Double, absoluteTolerance: Double, maxSteps: Int)
}

/// The end of an integration.
public struct ODESolution: Sendable {
  /// `x(t1)` (or the last state reached).
  public var state: Matrix<Double>
  /// Evaluations of the velocity field (NFE).
  public var evaluations: Int
  /// Accepted steps (and rejected ones, for Dormand-Prince).
  public var steps: Int
  public var rejectedSteps = 0
  /// Whether `t1` was reached (Dormand-Prince can run out of steps, or meet a non-finite state).
  public var reachedEnd: Bool
}

public enum ODESampler {
  /// Integrates `v` from `x0` over `[t0, t1]`.
  ///
  /// - Complexity: one evaluation of `v` per Euler step, four per Runge-Kutta step, six per
  ///   Dormand-Prince attempt (the seventh stage is the next step's first).
  public static func integrate(
    _ v: (Double, Matrix<Double>) -> Matrix<Double>, from x0: Matrix<Double>, t0: Double = 0, t1: Double = 1, method: ODEMethod
  ) -> ODESolution {
    switch method {
    case .euler(let steps), .rungeKutta4(let steps):
      let n = Swift.max(steps, 1)
      let h = (t1 - t0) / Double(n)
      var x = x0
      let isEuler = if case .euler = method { true } else { false }
      for k in 0..<n {
        let t = t0 + Double(k) * h
        if isEuler {
          x = x + v(t, x) * h
        } else {
          let k1 = v(t, x), k2 = v(t + h / 2, x + k1 * (h / 2)), k3 = v(t + h / 2, x + k2 * (h / 2)), k4 = v(t + h, x + k3 * h)
          x = x + (k1 + k2 * 2 + k3 * 2 + k4) * (h / 6)
        }
      }
      return ODESolution(state: x, evaluations: n * (isEuler ? 1 : 4), steps: n, reachedEnd: x.elements.allSatisfy(\.isFinite))
    case .dormandPrince(let relative, let absolute, let maxSteps):
      return dormandPrince(v, from: x0, t0: t0, t1: t1, relative: relative, absolute: absolute, maxSteps: maxSteps)
    }
  }

  // The Dormand-Prince 5(4) tableau.
  static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
  static let a: [[Double]] = [
    [], [1.0 / 5], [3.0 / 40, 9.0 / 40], [44.0 / 45, -56.0 / 15, 32.0 / 9],
    [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
    [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
    [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
  ]
  /// Fifth-order weights minus the embedded fourth-order ones.
  static let e: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

  static func dormandPrince(
    _ v: (Double, Matrix<Double>) -> Matrix<Double>, from x0: Matrix<Double>, t0: Double, t1: Double, relative: Double, absolute: Double,
    maxSteps: Int
  ) -> ODESolution {
    var (t, x) = (t0, x0)
    var k1 = v(t, x)
    var solution = ODESolution(state: x, evaluations: 1, steps: 0, reachedEnd: false)
    var h = 0.01 * (t1 - t0)
    while t < t1 && solution.steps + solution.rejectedSteps < maxSteps {
      h = Swift.min(h, t1 - t)
      var k = [k1]
      for s in 1..<7 {
        var xs = x
        for (j, coefficient) in a[s].enumerated() where coefficient != 0 { xs = xs + k[j] * (h * coefficient) }
        k.append(v(t + c[s] * h, xs))
      }
      solution.evaluations += 6
      var next = x
      for (j, coefficient) in a[6].enumerated() where coefficient != 0 { next = next + k[j] * (h * coefficient) }
      var squared = 0.0
      for index in x.elements.indices {
        var error = 0.0
        for j in 0..<7 where e[j] != 0 { error += e[j] * k[j].elements[index] }
        let scale = absolute + relative * Swift.max(abs(x.elements[index]), abs(next.elements[index]))
        squared += (h * error / scale) * (h * error / scale)
      }
      let norm = (squared / Double(Swift.max(x.count, 1))).squareRoot()
      guard norm.isFinite else { return solution }
      if norm <= 1 {
        (t, x, k1) = (t + h, next, k[6])
        solution.steps += 1
      } else {
        solution.rejectedSteps += 1
      }
      h *= Swift.min(5, Swift.max(0.2, 0.9 * Foundation.pow(Swift.max(norm, 1e-10), -0.2)))
    }
    (solution.state, solution.reachedEnd) = (x, t >= t1)
    return solution
  }
}
