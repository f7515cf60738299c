import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Sinkhorn divergence, gradients, batches, SNS")
struct EntropicExtrasTests {
  static func clouds(_ n: Int, _ m: Int, seed: UInt64, shift: Double = 0.5) -> (Matrix<Double>, Matrix<Double>) {
    var rng = SeededGenerator(seed: seed)
    return (rng.normalMatrix(rows: n, columns: 2), rng.normalMatrix(rows: m, columns: 2, mean: shift, standardDeviation: 1))
  }

  @Test("The divergence is zero for identical measures, positive otherwise, and grows with the shift")
  func divergence() throws {
    let (x, y) = Self.clouds(40, 30, seed: 1)
    let solver = Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-11)
    let same = try solver.divergence(x, x)
    #expect(same.status == .converged)
    #expect(abs(same.value) < 1e-9)
    let near = try solver.divergence(x, y)
    let far = try solver.divergence(x, y + 2)
    #expect(near.value > 0 && far.value > near.value)
    #expect(near.epsilon == 0.5)
  }

  @Test("Gradients agree with finite differences of the regularized cost", arguments: [GroundCost.squaredEuclidean, .euclidean])
  func gradients(cost: GroundCost) throws {
    let (x, y) = Self.clouds(7, 5, seed: 2)
    var rng = SeededGenerator(seed: 3)
    let a = (0..<7).map { _ in rng.uniform() + 0.2 }, b = (0..<5).map { _ in rng.uniform() + 0.2 }
    let sa = a.reduce(0, +), sb = b.reduce(0, +)
    let wa = a.map { $0 / sa }, wb = b.map { $0 / sb }
    let solver = Sinkhorn(epsilon: .absolute(0.3), tolerance: 1e-13, maxIterations: 100_000)
    func value(_ x: Matrix<Double>, _ y: Matrix<Double>, _ wa: [Double], _ wb: [Double]) throws -> Double {
      solver.solve(try TransportProblem(source: x, target: y, sourceWeights: wa, targetWeights: wb, cost: cost, rescale: true)).regularizedCost
    }
    let problem = try TransportProblem(source: x, target: y, sourceWeights: wa, targetWeights: wb, cost: cost)
    let result = solver.solve(problem)
    #expect(result.status == .converged)
    let grads = result.gradients(for: problem)
    let h = 1e-6
    for (i, k) in [(0, 0), (3, 1), (6, 0)] {
      var xp = x, xm = x
      xp[i, k] += h
      xm[i, k] -= h
      let fd = (try value(xp, y, wa, wb) - value(xm, y, wa, wb)) / (2 * h)
      #expect(abs(fd - grads.sourcePoints![i, k]) < 1e-6, "dx[\(i),\(k)] fd \(fd) vs \(grads.sourcePoints![i, k])")
    }
    for (j, k) in [(0, 1), (4, 0)] {
      var yp = y, ym = y
      yp[j, k] += h
      ym[j, k] -= h
      let fd = (try value(x, yp, wa, wb) - value(x, ym, wa, wb)) / (2 * h)
      #expect(abs(fd - grads.targetPoints![j, k]) < 1e-6)
    }
    // Weights: a direction that keeps the total mass (e_0 - e_1).
    var ap = wa, am = wa
    ap[0] += h; ap[1] -= h
    am[0] -= h; am[1] += h
    let fd = (try value(x, y, ap, wb) - value(x, y, am, wb)) / (2 * h)
    #expect(abs(fd - (grads.sourceWeights[0] - grads.sourceWeights[1])) < 1e-6)
  }

  @Test("Batched solves equal one-by-one solves")
  func batch() throws {
    var problems: [TransportProblem] = []
    for seed in 0..<12 {
      let (x, y) = Self.clouds(9, 11, seed: UInt64(seed))
      problems.append(try TransportProblem(source: x, target: y))
    }
    let solver = Sinkhorn(epsilon: .absolute(0.2), tolerance: 1e-12)
    let together = solver.solve(batch: problems)
    for (k, p) in problems.enumerated() {
      let alone = solver.solve(p)
      #expect(together[k].status == .converged)
      #expect(abs(together[k].cost - alone.cost) < 1e-13 * alone.cost)
    }
  }

  @Test("SNS converges to the Sinkhorn solution in far fewer iterations at small epsilon")
  func sns() throws {
    let (x, y) = Self.clouds(60, 60, seed: 5, shift: 0)
    let problem = try TransportProblem(source: x, target: y)
    let newton = SinkhornNewtonSparse(epsilon: .relative(0.005, to: .max), tolerance: 1e-10, maxIterations: 300).solve(problem)
    // The paper's comparison is with plain Sinkhorn (no over-relaxation).
    var sinkhorn = Sinkhorn(epsilon: .relative(0.005, to: .max), tolerance: 1e-10, maxIterations: 20_000)
    sinkhorn.acceleration = .none
    let plain = sinkhorn.solve(problem)
    #expect(newton.status == .converged)
    #expect(newton.marginalError <= 1e-10)
    #expect(newton.method == .sns)
    if plain.status == .converged {
      #expect(abs(newton.cost - plain.cost) < 1e-7 * plain.cost)
      #expect(newton.iterations * 10 <= plain.iterations, "SNS \(newton.iterations), Sinkhorn \(plain.iterations)")
    }
  }
}

extension EntropicExtrasTests {
  @Test("SNS: the conjugate-gradient Newton path and the paper's global sparsification converge to the direct path's solution")
  func snsPaths() throws {
    let (x, y) = Self.clouds(50, 50, seed: 8, shift: 0)
    let problem = try TransportProblem(source: x, target: y)
    let direct = SinkhornNewtonSparse(epsilon: .relative(0.01, to: .max), tolerance: 1e-10, maxIterations: 500)
    var cg = direct
    cg.directSolveLimit = 0
    var global = direct
    global.globalSparsity = 0.02
    let d = direct.solve(problem), c = cg.solve(problem), g = global.solve(problem)
    for r in [d, c, g] {
      #expect(r.status == .converged, "\(r)")
      #expect(abs(r.cost - d.cost) < 1e-8 * d.cost)
      #expect(r.newtonSteps > 0 && r.newtonSteps < r.iterations)
    }
    // Global: about 2% of the 2,500 entries plus each row's largest.
    #expect(g.hessianNonZeros >= 50 && g.hessianNonZeros <= 50 + 60)
    #expect(d.hessianNonZeros == 50 * 16)
  }
}
