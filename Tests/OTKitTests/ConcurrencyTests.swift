import Foundation
import OTKit
import Testing

/// Many solves, attention calls and predictions at once from a task group give the same
/// results, bit for bit, as the same calls one at a time (CI runs this under
/// ThreadSanitizer).
@Suite("Concurrency: the library from many tasks at once")
struct ConcurrencyTests {
  /// One call of the library and its result as numbers.
  struct Call: Sendable {
    var name: String
    var run: @Sendable () throws -> [Double]
  }

  static func clouds(_ n: Int, _ m: Int, seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
    var g = SeededGenerator(seed: seed)
    return (g.normalMatrix(rows: n, columns: 3), g.normalMatrix(rows: m, columns: 3, mean: 0.5, standardDeviation: 1))
  }

  static func solve(_ method: TransportMethod, _ options: SolveOptions, n: Int, m: Int, seed: UInt64) -> Call {
    Call(name: "\(method) \(n)x\(m)") {
      let (x, y) = clouds(n, m, seed: seed)
      let solution = try OT.solve(try TransportProblem(source: x, target: y), method: method, options: options)
      return [solution.cost] + solution.densePlan().elements
    }
  }

  static func attention(_ anchor: AttentionAnchor, seed: UInt64) -> Call {
    Call(name: "attention \(anchor.name)") {
      let (q, k) = clouds(40, 40, seed: seed)
      return TransportAttention(anchor: anchor).weights(queries: q, keys: k).elements
    }
  }

  /// Predictions of a model loaded by each task from one saved directory.
  static func prediction(_ directory: String, seed: UInt64) -> Call {
    Call(name: "predict \(seed)") {
      let (x, _) = clouds(50, 1, seed: seed)
      return try TabularModels.load(from: directory).predictProbabilities(x).elements
    }
  }

  static func savedModel() throws -> String {
    let (x, y) = clouds(120, 120, seed: 3)
    let features = x.appendingRows(y)
    let labels = (0..<240).map { $0 < 120 ? 0 : 1 }
    var settings = MLPSettings()
    (settings.epochs, settings.hidden) = (20, [8])
    let model = MLPClassifier(settings: settings)
    _ = try model.fit(LabeledData(features: features, labels: labels, classLabels: ["a", "b"], featureNames: ["u", "v", "w"]))
    let directory = NSTemporaryDirectory() + "otkit-concurrency-\(UUID().uuidString)"
    try model.save(to: directory)
    return directory
  }

  @Test("Eight solves, four attention calls and four predictions at once equal them one at a time")
  func manyTasks() async throws {
    let directory = try Self.savedModel()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let entropic = SolveOptions(epsilon: .relative(0.05, to: .max))
    let calls: [Call] = [
      Self.solve(.exact, .init(), n: 60, m: 50, seed: 1), Self.solve(.assignment, .init(), n: 40, m: 40, seed: 2),
      Self.solve(.sinkhorn, entropic, n: 80, m: 70, seed: 3), Self.solve(.sns, entropic, n: 50, m: 50, seed: 4),
      Self.solve(.quadratic, SolveOptions(gamma: 1), n: 30, m: 30, seed: 5),
      Self.solve(.sinkhorn, SolveOptions(epsilon: .absolute(0.5), useFloat: true), n: 90, m: 60, seed: 6),
      Self.solve(.exact, .init(), n: 120, m: 100, seed: 7), Self.solve(.sinkhorn, SolveOptions(epsilon: .absolute(1), online: true), n: 70, m: 90, seed: 8),
      Self.attention(.softmax, seed: 9), Self.attention(.sinkhorn(.init(iterations: 5)), seed: 10),
      Self.attention(.entmax(alpha: 1.5), seed: 11), Self.attention(.orthostochastic, seed: 12),
    ] + (13..<17).map { Self.prediction(directory, seed: UInt64($0)) }
    let serial = try calls.map { try $0.run() }
    let concurrent = try await withThrowingTaskGroup(of: (Int, [Double]).self) { group in
      for (index, call) in calls.enumerated() { group.addTask { (index, try call.run()) } }
      var results = [[Double]](repeating: [], count: calls.count)
      for try await (index, result) in group { results[index] = result }
      return results
    }
    for (index, call) in calls.enumerated() {
      let same = zip(serial[index], concurrent[index]).allSatisfy { $0.bitPattern == $1.bitPattern } && serial[index].count == concurrent[index].count
      #expect(same, "\(call.name) differs when run beside the others")
    }
  }
}
