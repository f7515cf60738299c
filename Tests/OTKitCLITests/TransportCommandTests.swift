import Foundation
import OTKitTestSupport
import Testing
@testable import otkit

/// Writes `text` to a fresh temporary file and returns its path.
func file(_ name: String, _ text: String) -> String {
  TemporaryFiles.removeAtExit()
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-cli-\(getpid())")
  try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let path = dir.appendingPathComponent(name).path
  try! text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// Runs `otkit ARGS` in process and returns the error message it fails with (nil on success).
func failure(_ arguments: [String]) -> String? {
  do {
    var command = try OTKitCommand.parseAsRoot(arguments)
    try command.run()
    return nil
  } catch let error as CLIError {
    return error.description
  } catch {
    return OTKitCommand.message(for: error)
  }
}

@Suite("otkit transport")
struct TransportCommandTests {
  static let source = file("source.csv", "x,y\n0,0\n1,0\n0,1\n")
  static let target = file("target.csv", "x,y\n2,2\n3,2\n2,3\n")

  @Test("Solves a problem given as CSV files with every method", arguments: ["auto", "exact", "assignment"])
  func solves(method: String) {
    #expect(failure(["transport", Self.source, Self.target, "--method", method, "--json"]) == nil)
  }

  @Test("Entropic methods", arguments: [
    ["--method", "sinkhorn", "--epsilon", "0.5"],
    ["--method", "sinkhorn", "--epsilon", "0.05", "--relative-epsilon", "max", "--float32", "--tolerance", "1e-5"],
    ["--method", "sinkhorn", "--epsilon", "0.05", "--relative-epsilon", "mean", "--epsilon-scaling", "--online"],
    ["--method", "sns", "--epsilon", "0.1", "--relative-epsilon", "std"],
  ])
  func entropic(options: [String]) {
    #expect(failure(["transport", Self.source, Self.target, "--json"] + options) == nil)
  }

  @Test("Entropic options are validated", arguments: [
    (["--method", "sinkhorn"], "--method sinkhorn needs --epsilon"),
    (["--method", "sinkhorn", "--epsilon", "0"], "--epsilon must be positive"),
    (["--method", "exact", "--epsilon", "1"], "apply to --method sinkhorn or sns"),
    (["--method", "sns", "--epsilon", "1", "--float32"], "--float32 applies to --method sinkhorn"),
  ])
  func entropicValidation(options: [String], message: String) {
    let error = failure(["transport", Self.source, Self.target] + options)
    #expect(error?.contains(message) == true, "got: \(error ?? "success")")
  }

  @Test("Writes the plan as NPY and CSV")
  func writesPlan() throws {
    let npy = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-plan-\(getpid()).npy").path
    #expect(failure(["transport", Self.source, Self.target, "--plan", npy]) == nil)
    #expect(FileManager.default.fileExists(atPath: npy))
    let csv = npy.replacingOccurrences(of: ".npy", with: ".csv")
    #expect(failure(["transport", Self.source, Self.target, "--plan", csv]) == nil)
    let text = try String(contentsOfFile: csv, encoding: .utf8)
    #expect(text.hasPrefix("source,target,mass\n"))
    #expect(text.split(separator: "\n").count == 4)
  }

  // Bad input: the message names the file and the problem.
  static let badInputs: [([String], String)] = [
    (["transport", "/nonexistent.csv", target], "/nonexistent.csv: cannot be read: no such file"),
    (["transport", file("nan.csv", "x,y\n0,0\n1,nan\n0,1\n"), target], "nan.csv, line 3, column 2 (y): \"nan\" marks a missing value"),
    (["transport", file("short.csv", "x,y\n0,0\n1\n"), target], "short.csv, line 3: has 1 fields where the first row has 2"),
    (["transport", source, file("dim.csv", "x\n1\n2\n3\n")], "source points have dimension 2 but target points have dimension 1"),
    (["transport", source, target, "--source-weights", file("neg.csv", "0.5\n-0.2\n0.7\n")], "neg.csv: source weight 2 is negative (-0.2)"),
    (["transport", source, target, "--target-weights", file("count.csv", "0.5\n0.5\n")], "count.csv: 2 target weights for 3 target points"),
    (["transport", source, target, "--target-weights", file("total.csv", "1\n1\n1\n")], "the source weights sum to 1.0 but the target weights sum to 3.0"),
    (["transport", source, target, "--source-weights", file("zero.csv", "0\n0\n0\n")], "zero.csv: the source weights sum to zero"),
    (["transport", source, target, "--method", "1d"], "the 1-D solver needs one coordinate per point; the source points have 2"),
    (["transport", source, file("four.csv", "x,y\n1,1\n2,2\n3,3\n4,4\n"), "--method", "assignment"], "the assignment solver needs as many source as target points"),
    (["transport", source], "give SOURCE and TARGET files, or --example N"),
  ]

  @Test("Bad input fails with a message naming the file and the problem", arguments: badInputs)
  func badInput(arguments: [String], message: String) {
    let error = failure(arguments)
    #expect(error != nil)
    #expect(error?.contains(message) == true, "got: \(error ?? "success")")
  }

  @Test("Unequal totals are accepted with --rescale")
  func rescale() {
    #expect(failure(["transport", Self.source, Self.target, "--target-weights", file("total2.csv", "1\n1\n1\n"), "--rescale"]) == nil)
  }

  @Test("The iteration limit is a failure exit, not a silent result")
  func iterationLimit() {
    var rng = SystemRandomNumberGenerator()
    let points = (0..<40).map { _ in "\(Double.random(in: 0...1, using: &rng)),\(Double.random(in: 0...1, using: &rng))" }
    let a = file("many-a.csv", points.joined(separator: "\n"))
    let b = file("many-b.csv", points.reversed().map { $0 + "1" }.joined(separator: "\n"))
    let error = failure(["transport", a, b, "--method", "exact", "--max-iterations", "3"])
    #expect(error != nil)
  }

  @Test("otkit info runs")
  func info() {
    #expect(failure(["info", "--json"]) == nil)
  }
}
