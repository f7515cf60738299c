import Foundation
import OTKit
import OTKitExperiments
import Testing

@testable import otkit

/// One capture of standard output at a time.
let captureLock = NSLock()

/// Runs `otkit ARGS` in process with standard output sent to a file; returns the lines
/// written (other tests running at the same time may add lines of their own; captures
/// take turns).
func outputLines(_ arguments: [String]) throws -> [String] {
  captureLock.lock()
  defer { captureLock.unlock() }
  let path = file("stdout-\(UUID().uuidString).txt", "")
  fflush(nil)
  let saved = dup(1)
  let fd = open(path, O_WRONLY | O_TRUNC)
  dup2(fd, 1)
  close(fd)
  var command = try OTKitCommand.parseAsRoot(arguments)
  do {
    try command.run()
  } catch {
    fflush(nil)
    dup2(saved, 1)
    close(saved)
    throw error
  }
  fflush(nil)
  dup2(saved, 1)
  close(saved)
  return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
}

/// The JSON object on an output line that has `key`.
func jsonObject(_ lines: [String], key: String) throws -> [String: Any] {
  let line = try #require(lines.last { $0.hasPrefix("{") && $0.contains("\"\(key)\"") })
  return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("otkit train (study models) and otkit reproduce", .serialized)
struct StudyCommandTests {
  /// 40 instances of 4 columns: two tokens in the plane each, two well-separated classes.
  static let data: String = {
    var lines = ["a1,a2,b1,b2,class"]
    var state: UInt64 = 777
    func noise() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53) - 0.5
    }
    for i in 0..<40 {
      let c = i % 2
      let m = c == 0 ? -2.0 : 2.0
      lines.append("\(m + noise()),\(noise()),\(m + noise()),\(noise()),\(c == 0 ? "low" : "high")")
    }
    return file("study.csv", lines.joined(separator: "\n") + "\n")
  }()

  @Test("train --model transformer --trace --report: the JSON keys of the issue and a report")
  func transformerTrace() throws {
    let report = file("train-report.html", "")
    let lines = try outputLines([
      "train", Self.data, "--label", "class", "--model", "transformer", "--token-dim", "2", "--epochs", "15", "--trace",
      "--report", report, "--json",
    ])
    let json = try jsonObject(lines, key: "normalizedEfficiency")
    for key in ["model", "accuracy", "pointAccuracy", "recall", "trainSeconds", "epochs", "transformerDistance", "wasserstein", "mongeGap", "optimality", "matching", "transformerCost", "efficiency", "normalizedEfficiency"] {
      #expect(json[key] != nil, "missing \(key)")
    }
    #expect(json["model"] as? String == "transformer")
    #expect(json["tokens"] as? Int == 2)
    let optimality = try #require(json["optimality"] as? Double)
    #expect(optimality > 0 && optimality <= 1)
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("OT metrics of training"))
    #expect(!html.contains("<script") && !html.contains("src=\"http"))
  }

  @Test("train --model ot and pretrained save models that otkit predict reads", arguments: ["ot", "pretrained"])
  func saveAndPredict(model: String) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-cli-\(model)-\(getpid())").path
    let lines = try outputLines([
      "train", Self.data, "--label", "class", "--model", model, "--token-dim", "2", "--epochs", "20", "--save", directory, "--json",
    ] + (model == "pretrained" ? ["--study-settings"] : []))  // the study's settings: this toy set has 32 training instances
    let json = try jsonObject(lines, key: "pointAccuracy")
    #expect(json["model"] as? String == model)
    #expect((json["accuracy"] as? Double ?? 0) >= 0.9)
    let predictions = file("study-predictions-\(model).csv", "")
    let predicted = try outputLines(["predict", directory, Self.data, "--output", predictions, "--json"])
    let result = try jsonObject(predicted, key: "counts")
    #expect((result["accuracy"] as? Double ?? 0) >= 0.9)
    let rows = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n")
    #expect(rows.count == 41 && rows[0] == "predicted,p_high,p_low")
  }

  @Test("Bad study options fail with a message", arguments: [
    (["--model", "mlp", "--trace"], "--trace records the encoder's trajectory"),
    (["--model", "transformer", "--token-dim", "3"], "--token-dim 3 does not divide the 4 feature columns"),
    (["--model", "transformer", "--layout", "feature", "--trace"], "--trace needs --layout sequence"),
    (["--model", "ot", "--token-dim", "1", "--dummies", "circle"], "needs at least 2 dimensions"),
    (["--model", "mlp", "--token-dim", "2"], "--token-dim applies to"),
  ])
  func badOptions(options: [String], message: String) {
    let error = failure(["train", Self.data, "--label", "class", "--epochs", "2"] + options)
    #expect(error?.contains(message) == true, "\(error ?? "no error")")
  }

  @Test("reproduce synthetic, small: tables, JSON rows with the metrics, and a report")
  func reproduce() throws {
    let report = file("reproduce.html", "")
    let lines = try outputLines(["reproduce", "--repetitions", "1", "--separations", "3", "--epochs", "10", "--report", report, "--json"])
    let json = try jsonObject(lines, key: "experiment")
    let rows = try #require(json["rows"] as? [[String: Any]])
    #expect(rows.count == 6)  // 2 and 3 classes x transformer, pretrained, ot
    #expect(rows.filter { $0["model"] as? String == "ot" }.allSatisfy { $0["optimality"] == nil })
    #expect(rows.filter { $0["model"] as? String == "transformer" }.allSatisfy { $0["normalizedEfficiency"] != nil && $0["gaussDist"] != nil })
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("OT metrics of training") && html.contains("OT classifier: the learned remapping"))
    #expect(failure(["reproduce", "--separations", "0,x"])?.contains("--separations") == true)
    #expect(failure(["reproduce", "beed", "--data", "/nonexistent/beed.csv"])?.contains("--data") == true)
  }

  @Test("reproduce sorting, small: the curves in JSON, the author's example and a report with heat maps")
  func reproduceSorting() throws {
    let report = file("sorting.html", "")
    let lines = try outputLines(["reproduce", "sorting", "--lengths", "4,8", "--depths", "1,16,256", "--report", report, "--json"])
    #expect(lines.contains { $0.contains("err@256") })
    let json = try jsonObject(lines, key: "experiment")
    #expect(json["experiment"] as? String == "sorting")
    let curves = try #require(json["curves"] as? [[String: Any]])
    #expect(curves.count == 4)  // two lengths x two sink values
    for curve in curves {
      let points = try #require(curve["points"] as? [[String: Any]])
      let errors = points.compactMap { $0["frobenius"] as? Double }
      #expect(errors.count == points.count && errors.last! < errors.first!)
      #expect((curve["floor"] as? Double ?? 0) > 0)
      #expect(points.contains { $0["depth"] as? Int == 16 })
    }
    let example = try #require(json["example"] as? [String: Any])
    let sorted = try #require(example["sortedReadout"] as? [Double])
    #expect(zip(sorted, [0.025, 0.165, 0.333, 0.500, 0.668, 0.808]).allSatisfy { abs($0 - $1) < 5e-4 })
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("Transformers that solve optimal transport") && html.contains("Sinkhorn P̄_λ"))
    #expect(html.components(separatedBy: "<svg ").count - 1 >= 8)
  }

  @Test("reproduce sorting --trained: runs per prompt and seed, saved, and rendered again with --trained-runs")
  func reproduceTrainedSorter() throws {
    let arguments = ["reproduce", "sorting", "--lengths", "4", "--depths", "1,4", "--trained", "--steps", "4", "--train-batch", "16", "--eval-lengths", "7,9", "--test-lists", "8"]
    let lines = try outputLines(arguments + ["--prompts", "engineered,truncated", "--seeds", "2", "--json"])
    #expect(lines.contains { $0.contains("train loss (last 50 steps)") })
    let json = try jsonObject(lines, key: "experiment")
    let trained = try #require(json["trained"] as? [String: Any])
    let runs = try #require(trained["runs"] as? [[String: Any]])
    #expect(runs.count == 4)
    #expect(Set(runs.compactMap { $0["prompt"] as? String }) == ["engineered", "truncated"])
    let summaries = try #require(trained["summaries"] as? [[String: Any]])
    #expect(summaries.count == 2)
    // A second process's runs, merged with the first's by --trained-runs.
    let first = file("trained-a.json", lines.joined(separator: "\n"))
    let more = try outputLines(arguments + ["--prompts", "padded", "--seeds", "1", "--first-seed", "7", "--json"])
    let second = file("trained-b.json", more.joined(separator: "\n"))
    let report = file("trained.html", "")
    let merged = try outputLines(["reproduce", "sorting", "--lengths", "4", "--depths", "1,4", "--trained-runs", "\(first),\(second)", "--report", report, "--json"])
    let mergedRuns = try #require((try jsonObject(merged, key: "experiment")["trained"] as? [String: Any])?["runs"] as? [[String: Any]])
    #expect(mergedRuns.count == 5)
    #expect(merged.contains { $0.hasPrefix("padded") })
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("A transformer trained to sort") && html.contains("Π* (sorting)"))
  }

  @Test("align: per-layer rows from a dump directory, CSV and JSON")
  func align() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-align-cli-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var s = SyntheticAlignment.Settings()
    (s.concepts, s.words) = (12, 5)
    var e = SyntheticAlignment.EncoderSettings()
    (e.layers, e.width, e.steps, e.batchSize) = (2, 8, 5, 4)
    let language = SyntheticAlignment.Language(s)
    var g = SeededGenerator(seed: 3)
    let pair = SyntheticAlignment.pair(s, language: language, generator: &g)
    let t = pair.segment.count
    let dump = try SyntheticAlignment.dumpOf(
      pair, attentions: [Double](repeating: 1 / Double(t), count: 2 * t * t), layers: 2, heads: 1, hidden: [pair.tokens, pair.tokens, pair.tokens])
    try dump.write(directory: directory)
    let csv = file("align.csv", "")
    let lines = try outputLines(["align", directory, directory, "--output", csv, "--json"])
    #expect(lines.contains { $0.hasPrefix("layer 2") })
    let json = try jsonObject(lines, key: "command")
    let layers = try #require(json["layers"] as? [[String: Any]])
    #expect(layers.count == 3)
    #expect(layers.allSatisfy { $0["otAccuracy"] as? Double == 1 && $0["sentences"] as? Int == 2 })
    let text = try String(contentsOfFile: csv, encoding: .utf8)
    #expect(text.hasPrefix("state,pairs,cosine_identity") && text.split(separator: "\n").count == 4)
  }
}
