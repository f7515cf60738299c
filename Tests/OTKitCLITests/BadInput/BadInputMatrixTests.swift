import Foundation
import OTKitData
import OTKitTestSupport
import Testing

/// One run of the `otkit` executable on bad input and what it must do: the exit status
/// (1 bad input, 3 stopped short, 64 option misuse, 0 for input that is hostile but valid)
/// and the fragments its message must hold (the file's name among them). Every case also
/// requires no trap, no hang and, on exit 0, no NaN in the output.
struct BadInputCase: Sendable, CustomTestStringConvertible {
  var command: String
  var name: String
  var arguments: [String]
  /// Extra files of the case's directory (relative name to bytes).
  var files: [String: [UInt8]] = [:]
  /// Files removed from the case's directory before the run.
  var removing: [String] = []
  /// A saved model (`mlp`, `ot`, `transformer`) copied to `model/`.
  var model: String? = nil
  /// An edit of the copied model's `config.json`.
  var editConfiguration: (@Sendable (inout [String: Any]) -> Void)? = nil
  var statuses: [Int32]
  var fragments: [String] = []
  /// A further check of a run (nil when it passes).
  var check: (@Sendable (_ directory: String, _ stdout: String) -> String?)? = nil

  var testDescription: String { "\(command): \(name)" }
}

extension BadInputCase {
  init(
    _ command: String, _ name: String, _ arguments: [String], status: Int32, _ fragments: [String] = [],
    files: [String: [UInt8]] = [:], model: String? = nil, edit: (@Sendable (inout [String: Any]) -> Void)? = nil,
    check: (@Sendable (String, String) -> String?)? = nil
  ) {
    self.init(
      command: command, name: name, arguments: arguments, files: files, model: model, editConfiguration: edit,
      statuses: [status], fragments: fragments, check: check)
  }
}

/// The good files every case's directory starts with.
enum GoodFiles {
  static let points = "x,y\n0,0\n1,0\n0,1\n"
  static let targetPoints = "x,y\n2,2\n3,2\n2,3\n"
  static let weights = "w\n0.5\n0.25\n0.25\n"
  static let queries = "q1,q2,q3,q4\n1,0,0.5,0\n0,1,0,0.5\n1,1,1,1\n"
  static let keys = "k1,k2,k3,k4\n1,0,0,0\n0,1,0,0\n0,0,1,0\n0,0,0,1\n1,1,1,1\n"
  static let values = "v1,v2\n1,0\n0,1\n1,1\n2,0\n0,2\n"
  static let training = BadFiles.labeled(rows: 40)
  static let beedLike = BadFiles.labeled(rows: 40, labelName: "y")

  static let all: [String: [UInt8]] = [
    "src.csv": Array(points.utf8), "tgt.csv": Array(targetPoints.utf8), "sw.csv": Array(weights.utf8),
    "tw.csv": Array(weights.utf8), "q.csv": Array(queries.utf8), "k.csv": Array(keys.utf8), "v.csv": Array(values.utf8),
    "train.csv": Array(training.utf8),
  ]
}

/// A command's file argument, filled with each kind of bad file.
struct FileSlot: Sendable {
  var command: String
  var name: String
  /// The good text of the slot (the defects are made from its lines).
  var good: String
  /// The shape of the slot's good NPY array; nil when the slot reads CSV only.
  var npyShape: [Int]?
  var model: String? = nil
  /// The command line with the bad file's name.
  var arguments: @Sendable (String) -> [String]

  static let all: [FileSlot] = [
    FileSlot(command: "transport", name: "source points", good: GoodFiles.points, npyShape: [3, 2]) { ["transport", $0, "tgt.csv"] },
    FileSlot(command: "transport", name: "target points", good: GoodFiles.targetPoints, npyShape: [3, 2]) { ["transport", "src.csv", $0, "--method", "exact"] },
    FileSlot(command: "transport", name: "source weights", good: GoodFiles.weights, npyShape: [3]) { ["transport", "src.csv", "tgt.csv", "--source-weights", $0] },
    FileSlot(command: "transport", name: "target weights", good: GoodFiles.weights, npyShape: [3]) {
      ["transport", "src.csv", "tgt.csv", "--target-weights", $0, "--method", "sinkhorn", "--epsilon", "0.1"]
    },
    FileSlot(command: "attention", name: "queries", good: GoodFiles.queries, npyShape: [3, 4]) { ["attention", "--queries", $0, "--keys", "k.csv", "--values", "v.csv"] },
    FileSlot(command: "attention", name: "keys", good: GoodFiles.keys, npyShape: [5, 4]) { ["attention", "--queries", "q.csv", "--keys", $0, "--anchor", "sinkhorn"] },
    FileSlot(command: "attention", name: "values", good: GoodFiles.values, npyShape: [5, 2]) {
      ["attention", "--queries", "q.csv", "--keys", "k.csv", "--values", $0, "--output", "o.npy", "--anchor", "entmax"]
    },
    FileSlot(command: "train", name: "data", good: GoodFiles.training, npyShape: nil) {
      ["train", $0, "--label", "label", "--model", "mlp", "--hidden", "4", "--epochs", "1"]
    },
    FileSlot(command: "predict", name: "data", good: GoodFiles.training, npyShape: nil, model: "mlp") { ["predict", "model", $0] },
    FileSlot(command: "reproduce", name: "data", good: GoodFiles.beedLike, npyShape: nil) { ["reproduce", "beed", "--data", $0, "--repetitions", "1"] },
  ]
}

/// The generated part of the matrix: every slot with every kind of bad file.
enum GeneratedCases {
  static let all: [BadInputCase] = {
    var cases: [BadInputCase] = []
    for slot in FileSlot.all {
      let lines = slot.good.split(separator: "\n").map(String.init)
      cases.append(
        BadInputCase(slot.command, "\(slot.name): no such file", slot.arguments("bad.csv"), status: 1, ["bad.csv", "cannot be read"], model: slot.model))
      for defect in CSVDefect.all where !(defect.name == "empty field" && !lines[0].contains(",")) {
        // A blank line in a one-column file is skipped as blank, not a missing value.
        cases.append(
          BadInputCase(
            slot.command, "\(slot.name): \(defect.name) (CSV)", slot.arguments("bad.csv"), status: 1,
            ["bad.csv"] + (defect.fragment.map { [$0] } ?? []), files: ["bad.csv": defect.make(lines)], model: slot.model))
      }
      guard let shape = slot.npyShape else { continue }
      for defect in NPYDefect.all {
        cases.append(
          BadInputCase(
            slot.command, "\(slot.name): \(defect.name) (NPY)", slot.arguments("bad.npy"), status: 1, ["bad.npy", defect.fragment],
            files: ["bad.npy": defect.make(shape)]))
      }
    }
    return cases
  }()
}

/// Saved models for the `predict` cases, trained once by the executable.
enum ModelFixtures {
  static let directory: String? = {
    let root = BinaryRunner.scratchDirectory("models")
    let data = root + "/train.csv"
    _ = FileManager.default.createFile(atPath: data, contents: Data(GoodFiles.training.utf8))
    let runs: [(String, [String])] = [
      ("mlp", ["--model", "mlp", "--hidden", "4"]),
      ("ot", ["--model", "ot", "--hidden", "4"]),
      ("transformer", ["--model", "transformer", "--heads", "2", "--token-dim", "1", "--feed-forward", "8"]),
    ]
    for (name, options) in runs {
      let outcome = try? BinaryRunner.run(["train", "train.csv", "--label", "label", "--epochs", "2", "--save", name] + options, in: root)
      guard outcome?.status == 0 else { return nil }
    }
    return root
  }()
}

@Suite("Bad-input matrix: the otkit executable on bad files and values")
struct BadInputMatrixTests {
  static let cases: [BadInputCase] = GeneratedCases.all + TransportCases.all + AttentionCases.all + TrainCases.all
    + PredictCases.all + ReproduceCases.all + AlignCases.all + TrainedSorterCases.all + RegularizedCases.all

  @Test("The matrix holds at least 150 cases across the seven commands")
  func size() {
    #expect(Self.cases.count >= 150)
    let commands = Set(Self.cases.map(\.command))
    #expect(commands == ["transport", "attention", "train", "predict", "inspect", "reproduce", "align"])
  }

  /// The cases run: all of them in optimized builds (CI's second pass) or with
  /// `OTKIT_HEAVY_TESTS=1`; every fourth in a debug build, so that the README's `swift test`
  /// stays within its 10 minutes on a 2-core machine (the full matrix took 470 s of it,
  /// each case a launch of the debug executable).
  static let selected: [BadInputCase] = TestConditions.heavy ? cases : cases.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)

  @Test("Exit status and message", .enabled(if: BinaryRunner.executable != nil, "the otkit executable is not built"), arguments: selected)
  func run(_ item: BadInputCase) throws {
    let directory = BinaryRunner.scratchDirectory(item.name)
    if let model = item.model {
      let fixtures = try #require(ModelFixtures.directory, "the model fixtures could not be trained")
      try FileManager.default.copyItem(atPath: fixtures + "/" + model, toPath: directory + "/model")
      if let edit = item.editConfiguration {
        let path = directory + "/model/config.json"
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
      }
    }
    // The case's files after the model's copy, so that they replace its files.
    for (name, bytes) in GoodFiles.all.merging(item.files, uniquingKeysWith: { $1 }) {
      let path = directory + "/" + name
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
    for name in item.removing { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
    let outcome = try BinaryRunner.run(item.arguments, in: directory)
    let all = outcome.stderr + outcome.stdout
    #expect(!outcome.timedOut, "hung: \(item.arguments)")
    #expect(!outcome.signaled, "trapped (signal \(outcome.status)): \(outcome.stderr.suffix(600))")
    #expect(item.statuses.contains(outcome.status), "exit \(outcome.status), expected \(item.statuses): \(all.suffix(800))")
    for fragment in item.fragments {
      #expect(all.contains(fragment), "no \"\(fragment)\" in: \(all.suffix(800))")
    }
    if outcome.status == 0 {
      #expect(!Checks.holdsNaN(outcome.stdout), "NaN in the output: \(outcome.stdout.suffix(800))")
    }
    if outcome.status == 1 {
      // A message in words: no Swift enum text such as `shapeMismatch("...")` or `Kind.`.
      let enumText = outcome.stderr.range(of: #"\b[a-z]+[A-Z][A-Za-z]*\(|Kind\.|Error\("#, options: .regularExpression)
      #expect(enumText == nil, "internal text in the message: \(outcome.stderr.suffix(400))")
    }
    if let check = item.check, let problem = check(directory, outcome.stdout) {
      Issue.record(Comment(rawValue: problem))
    }
  }
}

/// Helpers of the cases' checks.
enum Checks {
  /// Whether the text holds a NaN as a word (`nan`, `-nan`, `NaN`), not inside a word.
  static func holdsNaN(_ text: String) -> Bool {
    text.range(of: #"(?i)(^|[^a-z])-?nan([^a-z]|$)"#, options: .regularExpression) != nil
  }

  /// The `--json` object on the last line of standard output.
  static func json(_ stdout: String) -> [String: Any]? {
    guard let line = stdout.split(separator: "\n").last else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
  }

  /// Whether every row of the matrix in `file` sums to 1 (within `tolerance`) and every
  /// entry is finite and non-negative.
  static func rowsAreDistributions(_ file: String, tolerance: Double = 1e-9) -> String? {
    guard let array = try? NPY.read(file) else { return "\(file) was not written" }
    let width = array.shape.last ?? 0
    guard width > 0 else { return "\(file) has no columns" }
    for start in stride(from: 0, to: array.values.count, by: width) {
      let row = array.values[start..<start + width]
      guard row.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "a row of \(file) has a negative or non-finite entry: \(Array(row))" }
      let sum = row.reduce(0, +)
      guard abs(sum - 1) <= tolerance else { return "a row of \(file) sums to \(sum)" }
    }
    return nil
  }
}
