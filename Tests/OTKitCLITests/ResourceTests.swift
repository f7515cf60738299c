import Foundation
import OTKit
import OTKitTestSupport
import Testing

/// The resource section of the bad-input matrix: requests past the memory OTKit may use, for
/// every command and method, run under a capped address space (`prlimit --as`, 4 GB) so
/// that a missing check shows up as a trap; each ends with the typed error and status 2,
/// and the same kind of request that fits still succeeds.
@Suite("Bad input: resources", .serialized)
struct ResourceTests {
  static let cap = 4_000_000_000

  /// The directory with the large inputs: 40,000 points per side in 3-D, 30,000 float32
  /// queries of width 4, a table of 40,000 rows of one class, and one of 60 rows of 1,200
  /// features (instances of 1,200 tokens of width 1 for the transformer).
  static let directory: String = {
    let dir = BinaryRunner.scratchDirectory("resources")
    var g = SeededGenerator(seed: 77)
    try! NPY.write(g.normalMatrix(rows: 40_000, columns: 3) as Matrix<Double>, to: dir + "/a.npy")
    try! NPY.write(g.normalMatrix(rows: 40_000, columns: 3) as Matrix<Double>, to: dir + "/b.npy")
    try! NPY.write(Matrix<Float>(g.normalMatrix(rows: 30_000, columns: 4) as Matrix<Double>), to: dir + "/q.npy")
    try! NPY.write(g.normalMatrix(rows: 3_000, columns: 4) as Matrix<Double>, to: dir + "/small.npy")
    try! NPY.write(g.normalMatrix(rows: 15_000, columns: 3) as Matrix<Double>, to: dir + "/c.npy")
    try! NPY.write(Matrix<Float>(rows: 1_250_000, columns: 4), to: dir + "/tall.npy")
    var rows = ["u,v,label"]
    for i in 0..<40_100 { rows.append("\(g.normal()),\(g.normal()),\(i < 40_000 ? "a" : "b")") }
    try! (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/big.csv", atomically: true, encoding: .utf8)
    var wide = [(0..<1200).map { "x\($0)" }.joined(separator: ",") + ",label"]
    for i in 0..<60 { wide.append((0..<1200).map { _ in String(g.normal()) }.joined(separator: ",") + ",\(i % 2)") }
    try! (wide.joined(separator: "\n") + "\n").write(toFile: dir + "/wide.csv", atomically: true, encoding: .utf8)
    return dir
  }()

  static let refused: [[String]] = [
    ["transport", "a.npy", "b.npy", "--method", "exact"],
    ["transport", "a.npy", "b.npy", "--method", "assignment"],
    ["transport", "a.npy", "b.npy"],
    ["transport", "a.npy", "b.npy", "--method", "sinkhorn", "--epsilon", "0.1", "--no-online"],
    ["transport", "a.npy", "b.npy", "--method", "sns", "--epsilon", "0.1"],
    ["transport", "a.npy", "b.npy", "--method", "quadratic", "--gamma", "1"],
    ["transport", "a.npy", "b.npy", "--method", "sparse", "--gamma", "1", "--max-nonzeros", "2"],
    ["transport", "a.npy", "b.npy", "--method", "entropic-lbfgs", "--gamma", "1"],
    ["attention", "--queries", "q.npy", "--keys", "q.npy"],
    ["attention", "--queries", "q.npy", "--keys", "q.npy", "--values", "q.npy", "--output", "o.npy", "--diagnostics"],
    ["train", "big.csv", "--label", "label", "--model", "ot", "--epochs", "1"],
    // Steps of 44 instances keep 44 x 10 heads x 1200^2 attention weights (5.8 GB).
    ["train", "wide.csv", "--label", "label", "--model", "transformer", "--token-dim", "1", "--epochs", "1"],
    // The trace's metrics: an assignment of 22 x 1200 points of one class (5.6 GB).
    ["train", "wide.csv", "--label", "label", "--model", "transformer", "--token-dim", "1", "--epochs", "1", "--heads", "1", "--batch-size", "2", "--trace"],
    // Reading: 5,000,000 values take 80 MB in Double and a matrix's copy.
    ["transport", "tall.npy", "tall.npy", "--memory-limit", "70M"],
    // The lengths stop at 2048 (50 n^2 bytes, 210 MB): past a smaller limit.
    ["reproduce", "sorting", "--lengths", "2048", "--depths", "1", "--memory-limit", "100M"],
  ]

  @Test("A request past the limit ends with the typed error and status 2, no trap", arguments: refused)
  func refusedRequest(arguments: [String]) throws {
    let outcome = try BinaryRunner.run(arguments, in: Self.directory, timeout: 120, addressSpace: Self.cap)
    #expect(!outcome.signaled && !outcome.timedOut, "\(arguments): \(outcome.stderr.suffix(400))")
    #expect(outcome.status == 2, "\(arguments): status \(outcome.status): \(outcome.stderr.suffix(400))")
    #expect(outcome.stderr.contains("needs") && outcome.stderr.contains("may be used"), "\(outcome.stderr.suffix(400))")
    #expect(!outcome.stderr.contains("Fatal error"))
  }

  static let fitting: [[String]] = [
    // The dense path needs 5.4 GB: Sinkhorn reads the costs online (O(n + m)) instead.
    ["transport", "c.npy", "c.npy", "--method", "sinkhorn", "--epsilon", "1", "--max-iterations", "2"],
    // The output alone of the softmax in float32 never forms the weights.
    ["attention", "--queries", "q.npy", "--keys", "q.npy", "--values", "q.npy", "--output", "o.npy"],
    ["attention", "--queries", "small.npy", "--keys", "small.npy", "--weights", "w.npy"],
    ["train", "big.csv", "--label", "label", "--model", "ot", "--epochs", "1", "--batch-size", "200"],
    ["train", "wide.csv", "--label", "label", "--model", "transformer", "--token-dim", "1", "--epochs", "1", "--heads", "1", "--batch-size", "2"],
  ]

  @Test(
    "The requests that fit still run under the same cap", .enabled(if: TestConditions.heavy, Comment(rawValue: TestConditions.heavyReason)),
    arguments: fitting)
  func heavyFittingRequest(arguments: [String]) throws {
    let outcome = try BinaryRunner.run(arguments, in: Self.directory, timeout: 300, addressSpace: Self.cap)
    #expect(!outcome.signaled, "\(arguments): \(outcome.stderr.suffix(400))")
    #expect(outcome.status == 0 || outcome.status == 3, "\(arguments): status \(outcome.status): \(outcome.stderr.suffix(400))")
  }

  @Test("--memory-limit and OTKIT_MEMORY_LIMIT set the limit; a bad value is named")
  func limitSettings() throws {
    let small = ["attention", "--queries", "small.npy", "--keys", "small.npy", "--weights", "w.npy"]
    let byOption = try BinaryRunner.run(small + ["--memory-limit", "65M"], in: Self.directory)
    #expect(byOption.status == 2 && byOption.stderr.contains("the set limit"), "\(byOption.stderr)")
    let byEnvironment = try BinaryRunner.run(small, in: Self.directory, limits: ["OTKIT_MEMORY_LIMIT": "65M"])
    #expect(byEnvironment.status == 2 && byEnvironment.stderr.contains("OTKIT_MEMORY_LIMIT"), "\(byEnvironment.stderr)")
    let badOption = try BinaryRunner.run(small + ["--memory-limit", "lots"], in: Self.directory)
    #expect(badOption.status == 64 && badOption.stderr.contains("--memory-limit"))
    let badEnvironment = try BinaryRunner.run(small, in: Self.directory, limits: ["OTKIT_MEMORY_LIMIT": "lots", "OTKIT_THREADS": "-2"])
    #expect(badEnvironment.status == 0)
    #expect(badEnvironment.stderr.contains("warning: OTKIT_MEMORY_LIMIT=lots") && badEnvironment.stderr.contains("warning: OTKIT_THREADS=-2"))
  }
}
