import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Sinkhorn")
struct SinkhornTests {
  @Test("Linear costs equal POT's converged log-Sinkhorn values", arguments: ReferenceCase.all().filter { !$0.sinkhorn.isEmpty })
  func reference(c: ReferenceCase) throws {
    let problem = try c.problem()
    for (relative, expected) in c.sinkhorn {
      let solver = Sinkhorn(epsilon: .relative(Double(relative)!, to: .max), tolerance: 1e-12, maxIterations: 100_000)
      let result = solver.solve(problem)
      #expect(result.status == .converged, "\(c.name) \(relative)")
      #expect(abs(result.epsilon - expected.epsilon) <= 1e-12 * expected.epsilon)
      #expect(abs(result.cost - expected.linearCost) <= 1e-6 * expected.linearCost, "\(c.name) \(relative): \(result.cost) vs POT \(expected.linearCost)")
      #expect(result.marginalError <= 1e-12 * problem.totalMass)
      #expect(abs(result.regularizedCost - result.dualObjective) <= 1e-8 * abs(result.regularizedCost))
    }
  }

  @Test("SNS reaches POT's log-Sinkhorn values too", arguments: ReferenceCase.all().filter { !$0.sinkhorn.isEmpty })
  func referenceSNS(c: ReferenceCase) throws {
    let problem = try c.problem()
    for (relative, expected) in c.sinkhorn {
      let result = SinkhornNewtonSparse(epsilon: .relative(Double(relative)!, to: .max), tolerance: 1e-9).solve(problem)
      #expect(result.status == .converged, "\(c.name) \(relative)")
      #expect(abs(result.cost - expected.linearCost) <= 1e-6 * expected.linearCost)
      #expect(result.marginalError <= 1e-9 * problem.totalMass)
    }
  }

  @Test("Small epsilon: no NaN, no crash, an honest status", arguments: ReferenceCase.squaredEuclidean)
  func smallEpsilon(c: ReferenceCase) throws {
    let problem = try c.problem()
    let exact = c.exactCost
    // Few iterations (this runs in debug builds too): the point is finiteness and an honest status.
    let double = Sinkhorn(epsilon: .relative(1e-3, to: .max), tolerance: 1e-9, maxIterations: 150).solve(problem)
    #expect(double.sourcePotential.allSatisfy { $0.isFinite } && double.targetPotential.allSatisfy { $0.isFinite })
    #expect(double.cost.isFinite && double.regularizedCost.isFinite)
    if double.status == .converged {
      #expect(double.marginalError <= 1e-9)
      #expect(abs(double.cost - exact) <= 0.05 * exact)
    } else {
      #expect(double.status == .iterationLimit)
    }
    let float = Sinkhorn(epsilon: .relative(1e-2, to: .max), tolerance: 1e-5, maxIterations: 150, useFloat: true).solve(problem)
    #expect(float.sourcePotential.allSatisfy { $0.isFinite } && float.targetPotential.allSatisfy { $0.isFinite })
    #expect(float.cost.isFinite)
    #expect([.converged, .iterationLimit, .stalled].contains(float.status))
    #expect(float.errorHistory.allSatisfy { $0.isFinite })
    #expect(float.precision == "float32")
  }

  @Test("The cost approaches the exact optimum as epsilon decreases")
  func approachesExact() throws {
    let problem = try NetworkSimplexTests.randomProblem(n: 60, m: 70, d: 2, seed: 4, weighted: true)
    let exact = NetworkSimplex().solve(problem).cost
    var gaps: [Double] = []
    for relative in [0.1, 0.03, 0.01, 0.003, 0.001] {
      let r = Sinkhorn(epsilon: .relative(relative, to: .max), tolerance: 1e-10, maxIterations: 200_000).solve(problem)
      #expect(r.status == .converged)
      #expect(r.cost >= exact - 1e-9)
      gaps.append(r.cost - exact)
    }
    #expect(zip(gaps, gaps.dropFirst()).allSatisfy { $0 > $1 })
    #expect(gaps.last! < 0.1 * gaps.first!)
    #expect(gaps.last! < 0.02 * exact)
  }

  @Test("Float and Double agree to Float accuracy; online and stored costs agree")
  func precisionsAndOnline() throws {
    let problem = try NetworkSimplexTests.randomProblem(n: 80, m: 50, d: 5, seed: 9, weighted: true)
    let base = Sinkhorn(epsilon: .relative(0.05, to: .mean), tolerance: 1e-10)
    let d = base.solve(problem)
    var floatSolver = base
    floatSolver.useFloat = true
    floatSolver.tolerance = 1e-4
    let f = floatSolver.solve(problem)
    #expect(d.status == .converged)
    #expect(f.status == .converged, "\(f.status) \(f.marginalError) \(f.errorHistory.suffix(3))")
    #expect(abs(d.cost - f.cost) <= 1e-4 * d.cost)
    var onlineSolver = base
    onlineSolver.online = true
    let o = onlineSolver.solve(try NetworkSimplexTests.randomProblem(n: 80, m: 50, d: 5, seed: 9, weighted: true))
    #expect(o.online && !d.online)
    #expect(abs(o.cost - d.cost) <= 1e-10 * d.cost)
  }

  @Test("The plan: marginals, lazy application equals the dense plan")
  func plan() throws {
    let problem = try NetworkSimplexTests.randomProblem(n: 30, m: 40, d: 3, seed: 2, weighted: true)
    let r = Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-12).solve(problem)
    let p = r.densePlan()
    let rows = p.rowSums(), columns = p.columnSums()
    for i in 0..<30 { #expect(abs(rows[i] - problem.sourceWeights[i]) < 1e-11) }
    for j in 0..<40 { #expect(abs(columns[j] - problem.targetWeights[j]) < 1e-11) }
    let v = (0..<40).map { Double($0) / 40 }
    let pv = r.applyPlan(v)
    let dense = p.multiplied(byVector: v)
    for i in 0..<30 { #expect(abs(pv[i] - dense[i]) < 1e-14) }
    let u = (0..<30).map { sin(Double($0)) }
    let ptu = r.applyTransposedPlan(u)
    let denseT = p.transposeMultiplied(byVector: u)
    for j in 0..<40 { #expect(abs(ptu[j] - denseT[j]) < 1e-14) }
    // <P, C> from the dense plan.
    let linear = zip(p.elements, problem.cost.elements).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(linear - r.cost) < 1e-12 * r.cost)
  }

  @Test("Epsilon scaling and warm starts reach the same solution")
  func scalingAndWarmStart() throws {
    let problem = try NetworkSimplexTests.randomProblem(n: 50, m: 50, d: 2, seed: 3, weighted: false)
    let plain = Sinkhorn(epsilon: .relative(0.002, to: .max), tolerance: 1e-10, maxIterations: 100_000).solve(problem)
    let scaled = Sinkhorn(epsilon: .relative(0.002, to: .max), tolerance: 1e-10, maxIterations: 100_000, scaling: EpsilonScaling()).solve(problem)
    #expect(plain.status == .converged && scaled.status == .converged)
    #expect(abs(plain.cost - scaled.cost) < 1e-7 * plain.cost)
    let warm = Sinkhorn(epsilon: .relative(0.002, to: .max), tolerance: 1e-10, initialPotentials: (plain.sourcePotential, plain.targetPotential)).solve(problem)
    #expect(warm.iterations <= 2)
  }

  @Test("Zero weights get -infinity potentials and an empty plan row")
  func zeroWeights() throws {
    let problem = try TransportProblem(cost: Matrix([[1, 2, 3], [4, 0, 6], [1, 1, 1]]), sourceWeights: [0, 0.5, 0.5], targetWeights: [0.5, 0.5, 0])
    let r = Sinkhorn(epsilon: .absolute(1), tolerance: 1e-12).solve(problem)
    #expect(r.status == .converged)
    #expect(r.sourcePotential[0] == -.infinity && r.targetPotential[2] == -.infinity)
    let p = r.densePlan()
    #expect(p.row(0).allSatisfy { $0 == 0 } && p.column(2).allSatisfy { $0 == 0 })
    #expect(!r.cost.isNaN && !r.regularizedCost.isNaN)
  }

  @Test("The iteration limit is reported")
  func limit() throws {
    let problem = try NetworkSimplexTests.randomProblem(n: 50, m: 50, d: 2, seed: 3, weighted: false)
    let r = Sinkhorn(epsilon: .relative(0.001, to: .max), tolerance: 1e-14, maxIterations: 5).solve(problem)
    #expect(r.status == .iterationLimit && r.iterations == 5 && r.errorHistory.count == 5)
  }
}
