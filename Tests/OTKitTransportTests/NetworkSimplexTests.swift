import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Network simplex")
struct NetworkSimplexTests {
  @Test("The reference cases are there (a fresh clone checks against POT)")
  func casesPresent() {
    #expect(ReferenceCase.all().count >= 8)
    #expect(ReferenceCase.squaredEuclidean.count >= 4)
  }

  @Test("Costs equal POT's exact costs on the reference cases (every ground cost)", arguments: ReferenceCase.all())
  func reference(c: ReferenceCase) throws {
    let result = NetworkSimplex().solve(try c.problem())
    #expect(c.groundCost.description == (try c.problem()).groundCost?.description)
    #expect(result.status == .optimal)
    #expect(abs(result.cost - c.exactCost) <= 1e-9 * c.exactCost, "\(result.cost) vs POT \(c.exactCost)")
    #expect(result.certificate.holds)
    #expect(result.plan.nonZeroCount <= result.plan.n + result.plan.m - 1)
  }

  static func randomProblem(n: Int, m: Int, d: Int, seed: UInt64, weighted: Bool) throws -> TransportProblem {
    var rng = SeededGenerator(seed: seed)
    let x: Matrix<Double> = rng.normalMatrix(rows: n, columns: d)
    let y: Matrix<Double> = rng.normalMatrix(rows: m, columns: d, mean: 0.5, standardDeviation: 1)
    guard weighted else { return try TransportProblem(source: x, target: y) }
    let a = (0..<n).map { _ in rng.uniform() + 0.01 }
    let b = (0..<m).map { _ in rng.uniform() + 0.01 }
    let sa = a.reduce(0, +), sb = b.reduce(0, +)
    return try TransportProblem(source: x, target: y, sourceWeights: a.map { $0 / sa }, targetWeights: b.map { $0 / sb })
  }

  @Test("Random problems: marginals, certificate, and no worse than random feasible plans",
        arguments: [(1, 1), (1, 5), (5, 1), (7, 7), (20, 33), (64, 50), (150, 150)], [false, true])
  func random(shape: (Int, Int), weighted: Bool) throws {
    let problem = try Self.randomProblem(n: shape.0, m: shape.1, d: 3, seed: UInt64(shape.0 * 100 + shape.1), weighted: weighted)
    let result = NetworkSimplex().solve(problem)
    #expect(result.status == .optimal)
    #expect(result.certificate.holds, "\(result.certificate)")
    #expect(result.marginalError <= 1e-12)
    #expect(abs(result.cost - (zip(problem.sourceWeights, result.sourcePotential).reduce(0) { $0 + $1.0 * $1.1 }
      + zip(problem.targetWeights, result.targetPotential).reduce(0) { $0 + $1.0 * $1.1 })) <= 1e-9 * max(1, result.cost))
    // Random feasible plans (north-west corner rule on shuffled orders) never beat it.
    var rng = SeededGenerator(seed: 5)
    for _ in 0..<5 {
      let rows = rng.permutation(problem.n)
      let cols = rng.permutation(problem.m)
      let cost = northWestCornerCost(problem, rows, cols)
      #expect(result.cost <= cost + 1e-12)
    }
  }

  @Test("Degenerate problems: identical points and ties")
  func degenerate() throws {
    // All costs equal: every plan is optimal; the solver must still finish with a certificate.
    let flat = try TransportProblem(cost: Matrix(rows: 6, columns: 4, repeating: 2))
    let r1 = NetworkSimplex().solve(flat)
    #expect(r1.status == .optimal && abs(r1.cost - 2) < 1e-12 && r1.certificate.holds)
    // Identical clouds: the optimum is zero.
    var rng = SeededGenerator(seed: 1)
    let x: Matrix<Double> = rng.normalMatrix(rows: 40, columns: 2)
    let r2 = NetworkSimplex().solve(try TransportProblem(source: x, target: x))
    #expect(r2.status == .optimal && abs(r2.cost) < 1e-12)
    // Zero weights on some points.
    let r3 = NetworkSimplex().solve(try TransportProblem(
      cost: Matrix([[1, 2, 3], [4, 0, 6]]), sourceWeights: [0, 1], targetWeights: [0.5, 0.5, 0]))
    #expect(r3.status == .optimal && abs(r3.cost - 2) < 1e-12)
  }

  @Test("The iteration limit is reported, with a feasible plan")
  func iterationLimit() throws {
    let problem = try Self.randomProblem(n: 60, m: 60, d: 2, seed: 3, weighted: false)
    let result = NetworkSimplex(maxIterations: 10).solve(problem)
    #expect(result.status == .iterationLimit)
    #expect(result.iterations == 10)
    #expect(result.marginalError < 1e-12)  // feasible, though not optimal
    #expect(!result.status.isSuccess)
  }

  @Test("Negative costs")
  func negativeCosts() throws {
    let c = Matrix<Double>([[-1, 5], [3, -2]])
    let r = NetworkSimplex().solve(try TransportProblem(cost: c))
    #expect(r.status == .optimal && abs(r.cost - (-1.5)) < 1e-12)
  }
}

/// The cost of the north-west corner plan after reordering rows and columns.
func northWestCornerCost(_ p: TransportProblem, _ rows: [Int], _ cols: [Int]) -> Double {
  var a = rows.map { p.sourceWeights[$0] }
  var b = cols.map { p.targetWeights[$0] }
  var i = 0, j = 0, cost = 0.0
  while i < a.count && j < b.count {
    let t = min(a[i], b[j])
    cost += t * p.cost[rows[i], cols[j]]
    a[i] -= t
    b[j] -= t
    if a[i] <= 1e-15 { i += 1 } else { j += 1 }
  }
  return cost
}
