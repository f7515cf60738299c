import Foundation
import OTKitCore
import Testing

@testable import OTKitTransport

@Suite("Ground costs by name and in settings files")
struct GroundCostTests {
  @Test("Every listed name builds its cost, which names itself", arguments: GroundCost.names)
  func names(name: String) throws {
    let cost = try #require(GroundCost(name: name))
    #expect(cost.name == name)
  }

  @Test("'squared' is taken for sqeuclidean; unknown names give nil")
  func alias() {
    #expect(GroundCost(name: "squared") == .squaredEuclidean)
    #expect(GroundCost(name: "manhattan") == nil)
  }

  @Test("A cost survives JSON", arguments: [
    GroundCost.squaredEuclidean, .euclidean, .cosine, .minkowski(p: 3, q: 2),
  ])
  func roundTrip(cost: GroundCost) throws {
    let data = try JSONEncoder().encode([cost])
    #expect(try JSONDecoder().decode([GroundCost].self, from: data) == [cost])
  }

  @Test("Named costs are written as their names; unknown names and custom costs are errors")
  func format() throws {
    #expect(String(decoding: try JSONEncoder().encode([GroundCost.cosine]), as: UTF8.self) == #"["cosine"]"#)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([GroundCost].self, from: Data(#"["l7"]"#.utf8)) }
    let custom = GroundCost.custom(name: "taxi") { x, y in zip(x, y).reduce(0) { $0 + abs($1.0 - $1.1) } }
    #expect(throws: EncodingError.self) { try JSONEncoder().encode([custom]) }
  }

  @Test("The pair cost and the row kernels agree", arguments: GroundCost.names)
  func pairAndRows(name: String) throws {
    let cost = try #require(GroundCost(name: name, p: 3))
    var g = SeededGenerator(seed: 4)
    let x = Matrix<Double>(rows: 3, columns: 4, elements: (0..<12).map { _ in Double.random(in: -1...1, using: &g) })
    let y = Matrix<Double>(rows: 5, columns: 4, elements: (0..<20).map { _ in Double.random(in: -1...1, using: &g) })
    let matrix = cost.matrix(x, y)
    for i in 0..<3 {
      for j in 0..<5 {
        let pair = cost.function.cost(x.elements[(i * 4)..<(i * 4 + 4)], y.elements[(j * 4)..<(j * 4 + 4)])
        #expect(abs(matrix[i, j] - pair) <= 1e-12 * max(1, abs(pair)))
      }
    }
  }
}
