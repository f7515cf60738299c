import Foundation
import OTKitCore
@testable import OTKitTransport

/// POT's solutions of small regularized and unbalanced problems, a resource of this test
/// target (`Resources/regularized-cases.json`, written by
/// `scripts/reference/regularized_ot.py`).
struct RegularizedReference: Decodable, Sendable {
  struct Smooth: Decodable, Sendable {
    var regularizer: String
    var formulation: String
    var gamma: Double
    var maxNonZeros: Int?
    var objective: Double
    var plan: [Double]
  }
  struct Unbalanced: Decodable, Sendable {
    var epsilon: Double
    var rho: [Double]
    var reference: String
    var plan: [Double]
    var mass: Double
  }
  struct Case: Decodable, Sendable, CustomStringConvertible {
    var name: String
    var n: Int
    var m: Int
    var a: [Double]
    var b: [Double]
    var cost: [Double]
    var smooth: [Smooth]
    var unbalanced: [Unbalanced]
    var unbalancedTargetScale: Double
    var description: String { name }

    var costMatrix: Matrix<Double> { Matrix(rows: n, columns: m, elements: cost) }
    func problem() throws -> TransportProblem { try TransportProblem(cost: costMatrix, sourceWeights: a, targetWeights: b) }
  }
  var pot: String
  var cases: [Case]

  static let all: [Case] = {
    let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
      .map { $0.appendingPathComponent("Resources/regularized-cases.json") }
    guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }),
      let data = try? Data(contentsOf: url), let decoded = try? JSONDecoder().decode(RegularizedReference.self, from: data)
    else { return [] }
    return decoded.cases
  }()
}
