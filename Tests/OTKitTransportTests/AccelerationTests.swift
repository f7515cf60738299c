import Foundation
import Testing
import OTKitCore
import OTKitTestSupport
@testable import OTKitTransport

@Suite("Accelerated Sinkhorn (momentum, adaptive momentum, Anderson) and its safeguard")
struct AccelerationTests {
  /// Spec §6.5's instance: 400 points each side built like §6.1's.
  static let instance: TransportProblem = try! RegularizedTests.specInstance(400)

  static func run(_ relative: Double, _ acceleration: SinkhornAcceleration, domain: Sinkhorn.Domain = .auto) -> EntropicResult {
    var solver = Sinkhorn(epsilon: .relative(relative, to: .std), tolerance: 1e-3, maxIterations: 5000)
    solver.acceleration = acceleration
    solver.domain = domain
    return solver.solve(instance)
  }

  @Test("Spec §6.5 at epsilon = 0.002 std(C): adaptive momentum and Anderson(5) need at least 3x fewer iterations than plain Sinkhorn, to the same plain-sweep error")
  func smallEpsilon() throws {
    let plain = Self.run(0.002, .none)
    #expect(plain.status == .converged)
    #expect(plain.iterations > 600, "the spec measured about 710")
    for acceleration in [SinkhornAcceleration.adaptive, .anderson(memory: 5, ridge: 1e-2)] {
      let fast = Self.run(0.002, acceleration)
      #expect(fast.status == .converged, "\(acceleration): \(fast)")
      #expect(fast.marginalError <= 1e-3)
      #expect(3 * fast.iterations <= plain.iterations, "\(acceleration): \(fast.iterations) vs \(plain.iterations)")
      #expect(fast.acceleration?.mode == acceleration.name && fast.acceleration!.acceleratedIterations > 0)
      // The same plan as plain Sinkhorn, to the tolerance.
      #expect(abs(fast.cost - plain.cost) < 1e-3 * plain.cost)
    }
  }

  @Test("The safeguard: no divergence anywhere in a sweep of omega up to 1.95 at epsilon = 0.002 std(C)", .enabled(if: TestConditions.heavy, Comment(rawValue: TestConditions.heavyReason)))
  func heavyOmegaSweep() throws {
    var fellBack = false
    for omega in stride(from: 1.1, through: 1.951, by: 0.05) {
      let result = Self.run(0.002, .momentum(omega: omega))
      #expect(result.status == .converged, "omega \(omega): \(result)")
      #expect(result.marginalError <= 1e-3)
      fellBack = fellBack || result.acceleration!.fallbacks > 0
    }
    #expect(fellBack, "omega near 2 diverges at this epsilon (spec §6.5): the safeguard must have acted")
  }

  @Test("Momentum near 2 at small epsilon falls back and still converges (a debug-size check of the safeguard)")
  func safeguard() throws {
    let result = Self.run(0.002, .momentum(omega: 1.9))
    #expect(result.status == .converged)
    #expect(result.acceleration!.fallbacks >= 1 && result.acceleration!.omega < 1.9)
  }

  @Test("Accelerated runs in the log domain, with Float, with epsilon scaling and unbalanced marginals end where plain ones do")
  func variants() throws {
    let problem = try TransportProblem(
      source: Self.instance.source!.rows(0..<60), target: Self.instance.target!.rows(0..<50))
    for acceleration in [SinkhornAcceleration.adaptive, .momentum(omega: 1.6), .andersonDefault] {
      for domain in Sinkhorn.Domain.allCases {
        var solver = Sinkhorn(epsilon: .relative(0.01, to: .std), tolerance: 1e-10, maxIterations: 20_000)
        solver.domain = domain
        let plain = solver.solve(problem)
        solver.acceleration = acceleration
        let fast = solver.solve(problem)
        #expect(fast.status == .converged && plain.status == .converged, "\(acceleration) \(domain)")
        #expect(abs(fast.regularizedCost - plain.regularizedCost) < 1e-8, "\(acceleration) \(domain)")
        solver.targetPenalty = .kl(rho: 0.5)
        solver.acceleration = .none
        let plainUnbalanced = solver.solve(problem)
        solver.acceleration = acceleration
        let fastUnbalanced = solver.solve(problem)
        #expect(fastUnbalanced.status == .converged, "\(acceleration) \(domain) unbalanced: \(fastUnbalanced)")
        #expect(abs(fastUnbalanced.regularizedCost - plainUnbalanced.regularizedCost) < 1e-8)
      }
    }
    var scaled = Sinkhorn(epsilon: .relative(0.002, to: .std), tolerance: 1e-6, scaling: EpsilonScaling())
    scaled.acceleration = .adaptive
    #expect(scaled.solve(problem).status == .converged)
    var float = Sinkhorn(epsilon: .relative(0.01, to: .std), tolerance: 1e-5, useFloat: true)
    float.acceleration = .adaptive
    #expect(float.solve(problem).status == .converged)
  }

  @Test("Anderson's regularized least squares: weights sum to one; a linear fixed point is found in a few mixes")
  func andersonMixer() {
    // x -> A x + c with a contraction A: Anderson over 2 steps solves the 2-D affine map.
    var mixer = AndersonMixer<Double>(memory: 3, ridge: 1e-10)
    var x: [Double] = [0, 0]
    func map(_ x: [Double]) -> [Double] { [0.9 * x[0] + 0.05 * x[1] + 1, 0.02 * x[0] + 0.8 * x[1] - 1] }
    for _ in 0..<8 {
      let y = map(x)
      x = mixer.push(input: x, output: y) ?? y
    }
    let fixed = map(x)
    #expect(abs(fixed[0] - x[0]) < 1e-6 && abs(fixed[1] - x[1]) < 1e-6)
    #expect(AndersonMixer<Double>.solve([2, 0, 0, 4], [2, 4], 2) == [1, 1])
  }
}
