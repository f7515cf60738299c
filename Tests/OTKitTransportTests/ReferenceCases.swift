import Foundation
import OTKitCore
import OTKitData
@testable import OTKitTransport

/// The shared folder beside the project (`../shared`), when present.
let sharedFolder: URL? = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<4 { url.deleteLastPathComponent() }
  let shared = url.appendingPathComponent("shared")
  return FileManager.default.fileExists(atPath: shared.appendingPathComponent("reference/ot/cases.json").path) ? shared : nil
}()

/// One case of `../shared/reference/ot` with POT's costs.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
  var name: String
  var weighted: Bool
  var exactCost: Double
  /// relative epsilon -> (epsilon, linear cost)
  var sinkhorn: [String: (epsilon: Double, linearCost: Double)]
  var testDescription: String { name }

  static func all() -> [ReferenceCase] {
    guard let shared = sharedFolder,
      let data = try? Data(contentsOf: shared.appendingPathComponent("reference/ot/cases.json")),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cases = json["cases"] as? [[String: Any]]
    else { return [] }
    return cases.compactMap { c in
      guard let name = c["name"] as? String, let exact = c["exact_cost"] as? Double else { return nil }
      var sinkhorn: [String: (Double, Double)] = [:]
      for (key, value) in (c["sinkhorn_log"] as? [String: [String: Double]]) ?? [:] {
        if let e = value["epsilon"], let l = value["linear_cost"] { sinkhorn[key] = (e, l) }
      }
      return ReferenceCase(name: name, weighted: (c["weighted"] as? Bool) ?? false, exactCost: exact, sinkhorn: sinkhorn)
    }
  }

  func problem() throws -> TransportProblem {
    let folder = sharedFolder!.appendingPathComponent("reference/ot").path
    let x = try CSV.read("\(folder)/\(name)_source.csv", options: .init(header: .absent)).features
    let y = try CSV.read("\(folder)/\(name)_target.csv", options: .init(header: .absent)).features
    var a: [Double]? = nil
    var b: [Double]? = nil
    if weighted {
      a = try CSV.read("\(folder)/\(name)_source_weights.csv", options: .init(header: .absent)).features.elements
      b = try CSV.read("\(folder)/\(name)_target_weights.csv", options: .init(header: .absent)).features.elements
    }
    return try TransportProblem(source: x, target: y, sourceWeights: a, targetWeights: b)
  }
}
import Testing
