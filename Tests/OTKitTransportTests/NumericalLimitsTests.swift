import Foundation
import OTKitCore
import Testing

@testable import OTKitTransport

/// Numbers at the edge of `Double`: typed errors for problems that cannot be represented,
/// honest statuses, and correct answers where the numbers allow one.
@Suite("Numerical limits of transport problems and solvers")
struct NumericalLimitsTests {
  static func points(_ rows: [[Double]]) -> Matrix<Double> {
    Matrix(rows: rows.count, columns: rows[0].count, elements: rows.flatMap { $0 })
  }

  @Test("Costs that overflow are a typed error, for every built-in cost", arguments: [
    GroundCost.squaredEuclidean, .euclidean, .minkowski(p: 3, q: 1), .cosine,
  ])
  func costOverflow(cost: GroundCost) {
    let x = Self.points([[1e200, 0], [-1e200, 0]]), y = Self.points([[0, 0], [1, 1]])
    #expect {
      try TransportProblem(source: x, target: y, cost: cost)
    } throws: { error in
      guard case .costOverflow = error as? TransportProblemError else { return false }
      return "\(error)".contains("overflow")
    }
  }

  @Test("Weights whose total overflows, and mass times cost that overflows")
  func massOverflow() {
    let x = Self.points([[0, 0], [1, 0], [0, 1]])
    #expect(throws: TransportProblemError.massOverflow(.source)) {
      try TransportProblem(source: x, target: x, sourceWeights: [1e308, 1e308, 1e308], targetWeights: [1, 1, 1], rescale: true)
    }
    let far = Self.points([[1e5, 0], [-1e5, 0], [0, 1e5]])
    #expect {
      try TransportProblem(source: far, target: x, sourceWeights: [1e300, 1e300, 1e300], targetWeights: [1e300, 1e300, 1e300])
    } throws: { error in
      if case .objectiveOverflow = error as? TransportProblemError { return true }
      return false
    }
  }

  @Test("A zero-cost problem with uneven weights is certified optimal")
  func zeroCost() throws {
    let x = Self.points([[0, 0], [1, 0], [0, 1]])
    let problem = try TransportProblem(source: x, target: x, sourceWeights: [0.1, 0.2, 0.7], targetWeights: [0.1, 0.2, 0.7])
    let result = NetworkSimplex().solve(problem)
    #expect(result.status == .optimal)
    #expect(result.cost == 0)
    #expect(result.certificate.holds)
    #expect(result.certificate.tolerance >= OptimalityCertificate.absoluteFloor)
  }

  @Test("A relative epsilon of 0: SolveError from OT.solve, numericalError from the solver, never a trap")
  func zeroEpsilon() throws {
    let one = Self.points([[0]]), other = Self.points([[1]])
    let problem = try TransportProblem(source: one, target: other)
    for statistic in Epsilon.CostStatistic.allCases where statistic == .std {
      let epsilon = Epsilon.relative(0.1, to: statistic)
      #expect(throws: SolveError.unresolvedEpsilon(epsilon, resolved: 0)) {
        try OT.solve(problem, method: .sinkhorn, options: SolveOptions(epsilon: epsilon))
      }
      let direct = Sinkhorn(epsilon: epsilon).solve(problem)
      #expect(direct.status == .numericalError)
      #expect(direct.epsilon == 0)
      let newton = SinkhornNewtonSparse(epsilon: epsilon).solve(problem)
      #expect(newton.status == .numericalError)
    }
  }

  @Test("Costs whose squares overflow: the relative epsilon is still resolved (scaled statistics)")
  func scaledStatistics() throws {
    let x = Self.points([[1e100, 0], [0, 1e100]]), y = Self.points([[0, 0], [3e100, 1e100]])
    let problem = try TransportProblem(source: x, target: y)
    let eps = Sinkhorn(epsilon: .relative(0.1, to: .std)).absoluteEpsilon(for: problem)
    #expect(eps.isFinite && eps > 1e198)
    let result = try OT.solve(problem, method: .sinkhorn, options: SolveOptions(epsilon: .relative(0.1, to: .std)))
    #expect(result.status == .converged)
    #expect(result.cost.isFinite)
  }

  @Test("Float costs beyond Float are a SolveError")
  func floatOverflow() throws {
    let x = Self.points([[1e20, 0], [-1e20, 0]]), y = Self.points([[0, 0], [1, 1]])
    let problem = try TransportProblem(source: x, target: y)
    #expect {
      try OT.solve(problem, method: .sinkhorn, options: SolveOptions(epsilon: .absolute(1), useFloat: true))
    } throws: { error in
      if case .floatOverflow = error as? SolveError { return true }
      return false
    }
  }

  @Test("A success with a non-finite cost is reported as numericalError")
  func numericalErrorStatus() {
    let plan = SparsePlan(n: 1, m: 1, rows: [0], columns: [0], masses: [1])
    let certificate = OptimalityCertificate(
      marginalError: 0, mostNegativeMass: 0, minimumReducedCost: 0, complementarySlackness: 0, dualityGap: 0, costScale: 1,
      totalMass: 1, dualFeasibilityChecked: true)
    let result = TransportResult(
      method: .exact, status: .optimal, cost: .infinity, plan: plan, sourcePotential: [0], targetPotential: [0], iterations: 0,
      certificate: certificate)
    #expect(result.status == .numericalError)
    #expect(!result.status.isSuccess)
  }
}
