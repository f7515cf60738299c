import Foundation
import Testing

@testable import otkit

@Suite("otkit inspect")
struct InspectCommandTests {
  /// A transformer of 2 heads over tokens of width 1, trained briefly and saved.
  static func model(anchor: String) throws -> String {
    let model = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-inspect-\(anchor)-\(getpid())").path
    let error = failure([
      "train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--heads", "2", "--token-dim", "1",
      "--epochs", "3", "--anchor", anchor, "--save", model,
    ])
    try #require(error == nil, "\(error ?? "")")
    return model
  }

  @Test("A softmax model: identities at round-off and the rank bound of the chart on every head; report and JSON")
  func softmax() throws {
    let model = try Self.model(anchor: "softmax")
    let report = file("inspect.html", "")
    let json = try jsonObject(try outputLines(["inspect", model, TrainCommandTests.data, "--instances", "5", "--report", report, "--json"]), key: "heads")
    let heads = try #require(json["heads"] as? [[String: Any]])
    #expect(heads.count == 2)
    for head in heads {
      #expect(head["instances"] as? Int == 5 && head["tokens"] as? Int == 2 && head["anchor"] as? String == "softmax")
      #expect((head["advantageMaxError"] as? Double ?? 1) < 1e-10)
      #expect((head["fisherHessianMaxError"] as? Double ?? 1) < 1e-10)
      #expect((head["interactionResidual"] as? Double ?? 1) < 1e-12)
      for key in ["entropy", "zeroFraction", "columnMarginalError", "planDistance", "saturatedRowShare", "unaryFraction", "contextEffectiveRank"] {
        #expect(head[key] is Double, "missing \(key)")
      }
    }
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("<svg") && html.contains("block 0, head 1"))
  }

  @Test("Block and head choice; a sparsemax model leaves the softmax geometry; errors name the option")
  func choices() throws {
    let model = try Self.model(anchor: "sparsemax")
    let json = try jsonObject(try outputLines(["inspect", model, TrainCommandTests.data, "--block", "0", "--head", "1", "--json"]), key: "heads")
    let heads = try #require(json["heads"] as? [[String: Any]])
    #expect(heads.count == 1 && heads[0]["head"] as? Int == 1 && heads[0]["anchor"] as? String == "sparsemax")
    #expect(failure(["inspect", model, TrainCommandTests.data, "--block", "3"])?.contains("--block 3") == true)
    #expect(failure(["inspect", model, TrainCommandTests.data, "--head", "2"])?.contains("--head 2") == true)
    #expect(failure(["inspect", model, TrainCommandTests.data, "--instances", "0"])?.contains("--instances") == true)
    let mlp = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-inspect-mlp-\(getpid())").path
    #expect(failure(["train", TrainCommandTests.data, "--label", "label", "--model", "mlp", "--epochs", "2", "--save", mlp]) == nil)
    #expect(failure(["inspect", mlp, TrainCommandTests.data])?.contains("not a transformer") == true)
  }

  @Test("Per-head anchors, learned temperatures and ALiBi train, save, load and inspect; a wrong count is named")
  func mixed() throws {
    let model = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-inspect-mixed-\(getpid())").path
    let train = [
      "train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--heads", "3", "--token-dim", "1",
      "--epochs", "3", "--anchor", "softmax,sinkhorn,circuit", "--learn-temperature", "--alibi", "0.5", "--save", model,
    ]
    let error = failure(train)
    try #require(error == nil, "\(error ?? "")")
    let json = try jsonObject(try outputLines(["inspect", model, TrainCommandTests.data, "--instances", "3", "--json"]), key: "heads")
    let heads = try #require(json["heads"] as? [[String: Any]])
    #expect(heads.map { $0["anchor"] as? String } == ["softmax", "sinkhorn", "circuit"])
    #expect((heads[0]["advantageMaxError"] as? Double ?? 1) < 1e-10)
    #expect(failure(["predict", model, TrainCommandTests.data]) == nil)
    #expect(failure(["train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--heads", "4", "--anchor", "softmax,sinkhorn"])?
      .contains("--anchor lists 2 anchors for 4 heads") == true)
    #expect(failure(["train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--alibi", "-1"])?.contains("--alibi") == true)
  }

  @Test("Geometric Attention's regimes (link, unary field, staged carriers, adaptive windows) train, save under a one-letter name, load, predict and inspect; errors name the option")
  func regimes() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-inspect-regime-\(getpid())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A one-letter model directory relative to the working directory, through the binary run
    // in that directory (changing this process's directory would move the tests beside it).
    if BinaryRunner.executable != nil {
      let data = URL(fileURLWithPath: TrainCommandTests.data).path
      let outcome = try BinaryRunner.run(["train", data, "--label", "label", "--model", "mlp", "--epochs", "1", "--save", "m"], in: folder)
      #expect(outcome.status == 0 && FileManager.default.fileExists(atPath: folder + "/m/config.json"), "\(outcome.stderr)")
    }
    let model = folder + "/regime"
    let train = [
      "train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--heads", "2", "--blocks", "2", "--token-dim", "1",
      "--epochs", "3", "--link", "power:0.5", "--unary", "field", "--carrier", "window:0,full", "--adaptive-window", "1", "--save", model,
    ]
    let error = failure(train)
    try #require(error == nil, "\(error ?? "")")
    let config = try String(contentsOfFile: model + "/config.json", encoding: .utf8)
    #expect(config.contains("\"regime\"") && config.contains("\"field\"") && config.contains("\"adaptiveWidth\""))
    #expect(failure(["predict", model, TrainCommandTests.data]) == nil)
    let json = try jsonObject(try outputLines(["inspect", model, TrainCommandTests.data, "--instances", "3", "--json"]), key: "heads")
    let heads = try #require(json["heads"] as? [[String: Any]])
    #expect(heads.count == 4)
    // The anchor sees the regime's log-kernel: the identities hold on it as on any softmax head.
    for head in heads { #expect((head["advantageMaxError"] as? Double ?? 1) < 1e-10, "\(head)") }
    let base = ["train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--epochs", "1"]
    #expect(failure(base + ["--carrier", "window:1,full,full", "--blocks", "2"])?.contains("--carrier lists 3 carriers for 2 blocks") == true)
    #expect(failure(base + ["--link", "power:1.5"])?.contains("--link") == true)
    #expect(failure(base + ["--unary", "both"])?.contains("--unary") == true)
    #expect(failure(base + ["--adaptive-window", "nan"])?.contains("--adaptive-window") == true)
    #expect(failure(["train", TrainCommandTests.data, "--label", "label", "--model", "mlp", "--link", "power:0.5"])?.contains("--link") == true)
  }

  @Test("--log-gradient-structure: every epoch and head in the JSON, the advantage form at round-off, training unchanged")
  func gradientStructure() throws {
    let base = [
      "train", TrainCommandTests.data, "--label", "label", "--model", "transformer", "--heads", "2", "--token-dim", "1", "--epochs", "3", "--json",
    ]
    let logged = try jsonObject(try outputLines(base + ["--log-gradient-structure"]), key: "gradientStructure")
    let plain = try jsonObject(try outputLines(base), key: "accuracy")
    let rows = try #require(logged["gradientStructure"] as? [[String: Any]])
    #expect(rows.count == (logged["epochs"] as? Int ?? 0) * 2)
    for row in rows {
      #expect((row["advantageMaxError"] as? Double ?? 1) < 1e-12)
      #expect(row["varianceBaselined"] is Double && row["varianceNaive"] is Double && row["advantageSpread"] is Double)
      #expect(row["gradientNorm"] is Double && row["saturatedRowShare"] is Double && row["contextEffectiveRank"] is Double)
    }
    #expect(logged["accuracy"] as? Double == plain["accuracy"] as? Double)
    #expect(logged["trainAccuracy"] as? Double == plain["trainAccuracy"] as? Double)
    #expect(failure(["train", TrainCommandTests.data, "--label", "label", "--model", "mlp", "--log-gradient-structure"])?
      .contains("--log-gradient-structure") == true)
  }
}
