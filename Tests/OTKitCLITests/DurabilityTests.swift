import Foundation
import OTKit
import OTKitTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs stopped at random points (SIGKILL, SIGINT) leave every file absent, the previous
/// version, or complete and readable; an interrupted command exits with 130 (SIGINT) and
/// leaves no temporary file.
@Suite("Durability: commands stopped at random points", .serialized)
struct DurabilityTests {
  /// A small two-class table.
  static func table() -> String {
    var g = SeededGenerator(seed: 21)
    var lines = ["a,b,c,label"]
    for i in 0..<400 {
      let c = i % 2
      lines.append("\(Double(c) * 2 + g.normal()),\(g.normal()),\(g.normal()),\(c)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The visible entries of a folder and the hidden temporary ones.
  static func listing(_ folder: String) -> (visible: [String], temporary: [String]) {
    let all = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return (all.filter { !$0.hasPrefix(".") }.sorted(), all.filter { $0.contains(".otkit-") }.sorted())
  }

  /// Removes what a SIGKILL left (the next write beside it would), so that a SIGINT run is
  /// checked on its own.
  static func removeTemporaries(_ folder: String) {
    for entry in listing(folder).temporary { try? FileManager.default.removeItem(atPath: folder + "/" + entry) }
  }

  /// Stops per command: fewer in a debug build, where every run of the debug executable is
  /// slow (the README's `swift test` keeps within its 10 minutes); all in optimized builds
  /// and with `OTKIT_HEAVY_TESTS=1`.
  static func stops(_ full: Int) -> Int { TestConditions.heavy ? full : full * 2 / 5 }

  /// The stop points: seeded, spread over the run's length.
  static func points(_ count: Int, length: Double, seed: UInt64) -> [(signal: Int32, after: Double)] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { k in (k % 2 == 0 ? SIGKILL : SIGINT, Double.random(in: 0...(length * 1.2), using: &g)) }
  }

  @Test("train --save over a saved model, stopped 30 times (12 in a debug build): the directory always loads")
  func train() throws {
    let dir = BinaryRunner.scratchDirectory("durability-train")
    try Self.table().write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)
    let arguments = ["train", "data.csv", "--label", "label", "--model", "mlp", "--epochs", "40", "--save", "model"]
    let started = Date()
    let first = try BinaryRunner.run(arguments, in: dir)
    try #require(first.status == 0, "\(first.stderr)")
    let length = Date().timeIntervalSince(started)
    var stopped = 0
    let count = Self.stops(30)
    for (signal, after) in Self.points(count, length: length, seed: 5) {
      Self.removeTemporaries(dir)
      let outcome = try BinaryRunner.run(arguments, in: dir, kill: (signal, after))
      if outcome.signaled || outcome.status == 130 { stopped += 1 }
      #expect(!outcome.stderr.contains("Fatal error"), "\(outcome.stderr)")
      if signal == SIGINT && outcome.status != 0 {
        #expect(outcome.status == 130 && outcome.stderr.contains("stopped by SIGINT"), "\(outcome.status) \(outcome.stderr)")
        #expect(Self.listing(dir).temporary.isEmpty, "\(Self.listing(dir))")
      }
      #expect(Self.listing(dir).visible == ["data.csv", "model"])
      #expect(Self.listing(dir + "/model").visible == ["config.json", "model.safetensors"])
      #expect(throws: Never.self, "after a stop at \(after) s by signal \(signal)") { _ = try TabularModels.load(from: dir + "/model") }
    }
    // Most stop points fall inside the run (the rest after it): the test kills real runs.
    #expect(stopped >= count / 3, "only \(stopped) of \(count) runs were stopped")
  }

  @Test("attention --weights and reproduce --report, stopped 20 times (8 in a debug build): each file absent or complete")
  func outputs() throws {
    let dir = BinaryRunner.scratchDirectory("durability-outputs")
    var g = SeededGenerator(seed: 8)
    let q: Matrix<Double> = g.normalMatrix(rows: 300, columns: 8)
    try NPY.write(q, to: dir + "/q.npy")
    let runs: [(arguments: [String], file: String, complete: (String) -> Bool)] = [
      (["attention", "--queries", "q.npy", "--keys", "q.npy", "--anchor", "sinkhorn", "--weights", "w.npy"], "w.npy",
       { path in (try? NPY.readMatrix(path)).map { $0.rows == 300 && $0.columns == 300 } ?? false }),
      (["reproduce", "acceleration", "--quick", "--report", "r.html"], "r.html",
       { path in (try? String(contentsOfFile: path, encoding: .utf8))?.hasSuffix("</html>\n") ?? false }),
    ]
    for (index, run) in runs.enumerated() {
      let started = Date()
      let first = try BinaryRunner.run(run.arguments, in: dir)
      try #require(first.status == 0, "\(first.stderr)")
      let length = Date().timeIntervalSince(started)
      try FileManager.default.removeItem(atPath: dir + "/" + run.file)
      for (signal, after) in Self.points(Self.stops(10), length: length, seed: 40 + UInt64(index)) {
        Self.removeTemporaries(dir)
        let outcome = try BinaryRunner.run(run.arguments, in: dir, kill: (signal, after))
        let path = dir + "/" + run.file
        #expect(!FileManager.default.fileExists(atPath: path) || run.complete(path), "\(run.file) after \(signal) at \(after) s")
        if signal == SIGINT && outcome.status != 0 {
          #expect(outcome.status == 130, "\(outcome.stderr)")
          #expect(Self.listing(dir).temporary.isEmpty)
        }
        try? FileManager.default.removeItem(atPath: path)
      }
    }
  }
}
