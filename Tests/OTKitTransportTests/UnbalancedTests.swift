import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Unbalanced Sinkhorn (KL and TV marginal penalties)")
struct UnbalancedTests {
  static func solver(epsilon: Double, rho: [Double], reference: EntropicReference, domain: Sinkhorn.Domain = .auto) -> Sinkhorn {
    var solver = Sinkhorn(epsilon: .absolute(epsilon), tolerance: 1e-12, maxIterations: 200_000)
    solver.sourcePenalty = rho[0].isFinite ? .kl(rho: rho[0]) : .hard
    solver.targetPenalty = rho[1].isFinite ? .kl(rho: rho[1]) : .hard
    solver.reference = reference
    solver.domain = domain
    return solver
  }

  @Test("POT's sinkhorn_unbalanced (reg_type kl and entropy, scalar and pair reg_m): plans to 1e-6, in both domains", arguments: RegularizedReference.all)
  func pot(reference: RegularizedReference.Case) throws {
    let b = reference.b.map { $0 * reference.unbalancedTargetScale }
    let problem = try TransportProblem(cost: reference.costMatrix, sourceWeights: reference.a, targetWeights: b, unbalanced: true)
    #expect(problem.hasUnequalTotals)
    #expect(reference.unbalanced.count == 12)
    for entry in reference.unbalanced {
      let kind = try #require(EntropicReference(rawValue: entry.reference))
      for domain in Sinkhorn.Domain.allCases {
        let result = Self.solver(epsilon: entry.epsilon, rho: entry.rho, reference: kind, domain: domain).solve(problem)
        let label = "\(reference.name) ε \(entry.epsilon) ρ \(entry.rho) \(entry.reference) \(domain)"
        #expect(result.status == .converged, "\(label): \(result)")
        let gap = zip(result.densePlan().elements, entry.plan).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(gap < 1e-6, "\(label): plan differs by \(gap)")
        let unbalanced = try #require(result.unbalanced)
        #expect(abs(unbalanced.transportedMass - entry.mass) < 1e-6, "\(label)")
        // Strong duality: the unbalanced objective equals its dual at the fixed point.
        #expect(abs(result.regularizedCost - result.dualObjective) < 1e-7 * max(1, abs(result.regularizedCost)), "\(label): primal \(result.regularizedCost) dual \(result.dualObjective)")
      }
    }
  }

  @Test("OTT's parameterization: tau = rho / (rho + eps) is the same problem")
  func tau() throws {
    let reference = try #require(RegularizedReference.all.first)
    let problem = try TransportProblem(
      cost: reference.costMatrix, sourceWeights: reference.a, targetWeights: reference.b.map { 2 * $0 }, unbalanced: true)
    var viaRho = Self.solver(epsilon: 0.05, rho: [0.5, 0.5], reference: .ones)
    var viaTau = viaRho
    viaTau.sourcePenalty = .kl(tau: 0.5 / 0.55, epsilon: 0.05)
    viaTau.targetPenalty = .kl(tau: 0.5 / 0.55, epsilon: 0.05)
    viaRho.maxIterations = 100_000
    let p = viaRho.solve(problem).densePlan().elements, q = viaTau.solve(problem).densePlan().elements
    #expect(zip(p, q).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(MarginalPenalty.kl(tau: 1, epsilon: 0.1) == .hard)
  }

  @Test("TV penalties and the semi-relaxed problem: converged, primal equals dual, mass between the totals", arguments: [
    (MarginalPenalty.tv(rho: 0.3), MarginalPenalty.tv(rho: 0.3)), (.hard, .kl(rho: 0.2)), (.tv(rho: 0.05), .hard), (.kl(rho: 1), .tv(rho: 0.5)),
  ])
  func penalties(source: MarginalPenalty, target: MarginalPenalty) throws {
    var rng = SeededGenerator(seed: 9)
    let x: Matrix<Double> = rng.normalMatrix(rows: 30, columns: 2)
    let y: Matrix<Double> = rng.normalMatrix(rows: 25, columns: 2, mean: 1, standardDeviation: 1)
    let a = [Double](repeating: 1.0 / 30, count: 30), b = [Double](repeating: 1.5 / 25, count: 25)
    let problem = try TransportProblem(source: x, target: y, sourceWeights: a, targetWeights: b, unbalanced: true)
    for reference in EntropicReference.allCases {
      var solver = Sinkhorn(epsilon: .absolute(0.1), tolerance: 1e-11, maxIterations: 100_000)
      solver.sourcePenalty = source
      solver.targetPenalty = target
      solver.reference = reference
      let result = solver.solve(problem)
      #expect(result.status == .converged, "\(result)")
      #expect(abs(result.regularizedCost - result.dualObjective) < 1e-7, "\(reference): primal \(result.regularizedCost) dual \(result.dualObjective)")
      let u = try #require(result.unbalanced)
      if source.isHard { #expect(u.sourceMismatch < 1e-9) }
      if target.isHard { #expect(u.targetMismatch < 1e-9) }
      #expect(u.transportedMass > 0 && u.transportedMass <= 1.5 + 1e-9)
    }
  }

  @Test("A balanced solve of unequal totals is infeasible, at once")
  func infeasible() throws {
    let problem = try TransportProblem(
      cost: Matrix(rows: 2, columns: 2, elements: [0, 1, 1, 0]), sourceWeights: [0.5, 0.5], targetWeights: [1, 1], unbalanced: true)
    let result = Sinkhorn(epsilon: .absolute(0.1)).solve(problem)
    #expect(result.status == .infeasible && result.iterations == 0)
    #expect(throws: TransportProblemError.self) {
      try TransportProblem(cost: Matrix(rows: 2, columns: 2, elements: [0, 1, 1, 0]), sourceWeights: [0.5, 0.5], targetWeights: [1, 1])
    }
  }
}
