import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Assignment and 1-D solvers")
struct AssignmentAndOneDimensionalTests {
  @Test("The assignment solver agrees with the network simplex", arguments: [1, 2, 3, 10, 57, 200])
  func assignmentAgrees(n: Int) throws {
    for seed in 0..<3 {
      let problem = try NetworkSimplexTests.randomProblem(n: n, m: n, d: 4, seed: UInt64(seed * 31 + n), weighted: false)
      let lap = try AssignmentSolver().solve(problem)
      let simplex = NetworkSimplex().solve(problem)
      #expect(lap.status == .optimal)
      #expect(abs(lap.cost - simplex.cost) <= 1e-12 * max(1, simplex.cost))
      #expect(lap.certificate.holds, "\(lap.certificate)")
      #expect(lap.permutation!.sorted() == Array(0..<n))
      #expect(lap.marginalError < 1e-15)
    }
  }

  @Test("Assignment with ties and integer costs")
  func ties() throws {
    var rng = SeededGenerator(seed: 2)
    for n in [5, 30, 80] {
      let c = Matrix<Double>(rows: n, columns: n) { _, _ in Double(rng.integer(below: 4)) }
      let problem = try TransportProblem(cost: c)
      let lap = try AssignmentSolver().solve(problem)
      let simplex = NetworkSimplex().solve(problem)
      #expect(abs(lap.cost - simplex.cost) < 1e-12)
      #expect(lap.certificate.holds)
    }
  }

  @Test("The assignment solver rejects weighted or rectangular problems")
  func assignmentRejects() throws {
    let rectangular = try TransportProblem(cost: Matrix(rows: 2, columns: 3, repeating: 1))
    #expect(throws: TransportProblemError.notSquareUniform(n: 2, m: 3)) { try AssignmentSolver().solve(rectangular) }
    let weighted = try TransportProblem(cost: Matrix(rows: 2, columns: 2, repeating: 1), sourceWeights: [0.3, 0.7])
    #expect(throws: TransportProblemError.self) { try AssignmentSolver().solve(weighted) }
  }

  @Test("1-D agrees with the network simplex on 1-D data", arguments: [(1, 1), (1, 7), (9, 4), (50, 80), (200, 200)], [false, true])
  func oneDimensional(shape: (Int, Int), weighted: Bool) throws {
    for cost in [GroundCost.squaredEuclidean, .euclidean, .minkowski(p: 1, q: 3)] {
      var rng = SeededGenerator(seed: UInt64(shape.0 + 7 * shape.1))
      let x: Matrix<Double> = rng.normalMatrix(rows: shape.0, columns: 1)
      let y: Matrix<Double> = rng.normalMatrix(rows: shape.1, columns: 1, mean: 0.3, standardDeviation: 2)
      var a: [Double]? = nil, b: [Double]? = nil
      if weighted {
        let wa = (0..<shape.0).map { _ in rng.uniform() + 0.05 }, wb = (0..<shape.1).map { _ in rng.uniform() + 0.05 }
        a = wa.map { $0 / wa.reduce(0, +) }
        b = wb.map { $0 / wb.reduce(0, +) }
      }
      let problem = try TransportProblem(source: x, target: y, sourceWeights: a, targetWeights: b, cost: cost, rescale: true)
      let line = try OneDimensionalTransport().solve(problem)
      let simplex = NetworkSimplex().solve(problem)
      #expect(abs(line.cost - simplex.cost) <= 1e-10 * max(1, simplex.cost), "\(cost): \(line.cost) vs \(simplex.cost)")
      #expect(line.certificate.holds, "\(cost) \(line.certificate)")
      #expect(line.plan.nonZeroCount <= shape.0 + shape.1 - 1)
    }
  }

  @Test("1-D handles ties, duplicates and negative coordinates")
  func oneDimensionalTies() throws {
    let x = Matrix<Double>(column: [0, 0, -1, 3, 3, 3])
    let y = Matrix<Double>(column: [3, -1, 0, 0, 2, -5])
    let problem = try TransportProblem(source: x, target: y)
    let line = try OneDimensionalTransport().solve(problem)
    #expect(abs(line.cost - NetworkSimplex().solve(problem).cost) < 1e-12)
  }

  @Test("Radix sort orders doubles, negative zero and infinities included")
  func radix() {
    var rng = SeededGenerator(seed: 1)
    var keys = (0..<10_000).map { _ in rng.normal() * 1e3 }
    keys += [0, -0.0, .infinity, -.infinity, 1e-320, -1e-320, 5, 5, 5]
    let order = Kernels.sortingPermutation(keys)
    let sorted = order.map { keys[$0] }
    #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(order.sorted() == Array(0..<keys.count))
  }

  @Test("Wasserstein distances: known values")
  func wasserstein() throws {
    // Two Diracs at distance 3: W_p = 3 for every p.
    let x = Matrix<Double>([[0, 0]]), y = Matrix<Double>([[3, 0]])
    for p in [1.0, 2, 3.5] { #expect(abs(try Wasserstein.distance(x, y, p: p) - 3) < 1e-12) }
    // A translation in 1-D: W_2 is the shift.
    var rng = SeededGenerator(seed: 3)
    let z: Matrix<Double> = rng.normalMatrix(rows: 100, columns: 1)
    #expect(abs(try Wasserstein.distance(z, z + 0.7, p: 2) - 0.7) < 1e-12)
    #expect(abs(try Wasserstein.distance(z, z + 0.7, p: 1) - 0.7) < 1e-12)
  }
}
