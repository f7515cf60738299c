import Foundation
import Testing
import OTKitCore
import OTKitData
@testable import OTKitTransport

/// One reference case with POT's costs, a resource of this test target
/// (`Resources/ot-cases`, written by `scripts/reference/ot_cases.py`).
struct ReferenceCase: Sendable, CustomTestStringConvertible {
  var name: String
  var weighted: Bool
  /// The ground cost's command-line name (`sqeuclidean`, `euclidean`, `cosine`, `minkowski:P`).
  var costName: String
  var exactCost: Double
  /// relative epsilon -> (epsilon, linear cost)
  var sinkhorn: [String: (epsilon: Double, linearCost: Double)]
  var testDescription: String { name }

  static let folder: URL = {
    let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
      .map { $0.appendingPathComponent("Resources/ot-cases") }
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("cases.json").path) }
      ?? candidates[0]
  }()

  /// Every case (`#require`d to be there: an empty list would make the tests vacuous).
  static func all() -> [ReferenceCase] {
    guard let data = try? Data(contentsOf: folder.appendingPathComponent("cases.json")),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cases = json["cases"] as? [[String: Any]]
    else { return [] }
    return cases.compactMap { c in
      guard let name = c["name"] as? String, let exact = c["exact_cost"] as? Double, let cost = c["cost"] as? String
      else { return nil }
      var sinkhorn: [String: (Double, Double)] = [:]
      for (key, value) in (c["sinkhorn_log"] as? [String: [String: Double]]) ?? [:] {
        if let e = value["epsilon"], let l = value["linear_cost"] { sinkhorn[key] = (e, l) }
      }
      return ReferenceCase(
        name: name, weighted: (c["weighted"] as? Bool) ?? false, costName: cost, exactCost: exact, sinkhorn: sinkhorn)
    }
  }

  /// The squared-Euclidean cases (the entropic references are computed for those).
  static var squaredEuclidean: [ReferenceCase] { all().filter { $0.costName == "sqeuclidean" } }

  var groundCost: GroundCost {
    switch costName {
    case "euclidean": return .euclidean
    case "cosine": return .cosine
    case let name where name.hasPrefix("minkowski:"): return .minkowski(p: Double(name.dropFirst(10))!, q: 1)
    default: return .squaredEuclidean
    }
  }

  func problem() throws -> TransportProblem {
    func read(_ suffix: String) throws -> Matrix<Double> {
      try NPY.readMatrix(Self.folder.appendingPathComponent("\(name)_\(suffix).npy").path)
    }
    let x = try read("source"), y = try read("target")
    let a = weighted ? try read("source_weights").elements : nil
    let b = weighted ? try read("target_weights").elements : nil
    return try TransportProblem(source: x, target: y, sourceWeights: a, targetWeights: b, cost: groundCost)
  }
}
