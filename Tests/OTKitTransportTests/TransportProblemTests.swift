import Testing
import OTKitCore
@testable import OTKitTransport

@Suite("Problem validation")
struct TransportProblemTests {
  static let x = Matrix<Double>([[0, 0], [1, 0], [0, 1]])
  static let y = Matrix<Double>([[2, 2], [3, 2]])

  static let invalid: [(@Sendable () throws -> TransportProblem, TransportProblemError)] = [
    ({ try TransportProblem(source: Matrix(rows: 0, columns: 2), target: y) }, .empty(.source)),
    ({ try TransportProblem(source: x, target: Matrix(rows: 0, columns: 2)) }, .empty(.target)),
    ({ try TransportProblem(source: x, target: Matrix([[1, 2, 3]])) }, .dimensionMismatch(source: 2, target: 3)),
    ({ try TransportProblem(source: Matrix([[0, 0], [1, .infinity]]), target: y) }, .nonFiniteCoordinate(.source, row: 1, column: 1, value: .infinity)),
    ({ try TransportProblem(source: x, target: Matrix([[.nan, 0]])) }, .nonFiniteCoordinate(.target, row: 0, column: 0, value: .nan)),
    ({ try TransportProblem(source: x, target: y, sourceWeights: [0.5, 0.5]) }, .weightCount(.source, expected: 3, found: 2)),
    ({ try TransportProblem(source: x, target: y, targetWeights: [0.5, .nan]) }, .nonFiniteWeight(.target, index: 1, value: .nan)),
    ({ try TransportProblem(source: x, target: y, sourceWeights: [0.5, 0.7, -0.2]) }, .negativeWeight(.source, index: 2, value: -0.2)),
    ({ try TransportProblem(source: x, target: y, targetWeights: [0, 0]) }, .zeroTotalMass(.target)),
    ({ try TransportProblem(source: x, target: y, targetWeights: [1, 1]) }, .unequalTotals(source: 1, target: 2)),
    ({ try TransportProblem(cost: Matrix([[1, .infinity]])) }, .nonFiniteCost(row: 0, column: 1, value: .infinity)),
    ({ try TransportProblem(cost: Matrix(rows: 0, columns: 0)) }, .empty(.source)),
    ({ try TransportProblem(source: x, target: y, cost: .custom(name: "bad") { _, _ in .nan }) }, .nonFiniteCost(row: 0, column: 0, value: .nan)),
  ]

  @Test("Invalid data gives a typed error naming the side, row and column", arguments: 0..<invalid.count)
  func invalidData(index: Int) {
    let (make, expected) = Self.invalid[index]
    do {
      _ = try make()
      Issue.record("no error, expected \(expected)")
    } catch let error as TransportProblemError {
      // NaN payloads never compare equal: compare the descriptions.
      #expect(error.description == expected.description)
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test("Messages are written for people")
  func messages() {
    #expect(TransportProblemError.nonFiniteCoordinate(.source, row: 1, column: 1, value: .infinity).description
      == "source point 2, coordinate 2 is inf, not a finite number")
    #expect(TransportProblemError.negativeWeight(.target, index: 0, value: -1).description == "target weight 1 is negative (-1.0)")
  }

  @Test("Totals within 1e-9 are accepted and equalized; --rescale accepts any")
  func totals() throws {
    let close = try TransportProblem(source: Self.x, target: Self.y, targetWeights: [0.5, 0.5 + 1e-12])
    let difference = close.targetWeights.reduce(0, +) - close.sourceWeights.reduce(0, +)
    #expect(abs(difference) < 1e-15)
    let scaled = try TransportProblem(source: Self.x, target: Self.y, targetWeights: [1, 3], rescale: true)
    #expect(scaled.targetWeights == [0.25, 0.75])
  }

  @Test("Ground costs", arguments: [
    (GroundCost.squaredEuclidean, 8.0), (.euclidean, 8.0.squareRoot()), (.minkowski(p: 1, q: 1), 4.0),
    (.minkowski(p: 1, q: 2), 16.0), (.minkowski(p: 3, q: 3), 16.0), (.custom(name: "max") { a, b in zip(a, b).map { abs($0 - $1) }.max()! }, 2.0),
  ])
  func groundCosts(cost: GroundCost, expected: Double) throws {
    let p = try TransportProblem(source: Matrix([[0, 0]]), target: Matrix([[2, 2]]), cost: cost)
    #expect(abs(p.cost(0, 0) - expected) < 1e-12)
    #expect(abs(p.cost[0, 0] - expected) < 1e-12)
    // High dimensions go through the matrix product; same values.
    var rng = SeededGenerator(seed: 1)
    let a: Matrix<Double> = rng.normalMatrix(rows: 4, columns: 9), b: Matrix<Double> = rng.normalMatrix(rows: 3, columns: 9)
    let q = try TransportProblem(source: a, target: b, cost: cost)
    if case .custom = cost {} else { #expect(!q.hasCostMatrix) }  // custom costs are checked once built
    let direct = (0..<4).map { i in (0..<3).map { j in q.cost(i, j) } }  // before the matrix exists
    let dense = q.cost
    #expect(q.hasCostMatrix)
    for i in 0..<4 {
      for j in 0..<3 { #expect(abs(dense[i, j] - direct[i][j]) < 1e-10 * max(1, abs(direct[i][j]))) }
    }
  }
}
