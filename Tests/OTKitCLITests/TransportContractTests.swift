import Foundation
import Testing

@testable import OTKitData
@testable import otkit

/// The public contract of `otkit transport`: the JSON keys of each kind of result, the new
/// ground costs, and where the command-line hints of library errors come from.
@Suite("otkit transport: JSON keys, costs, hints", .serialized)
struct TransportContractTests {
  static let exactKeys = ["cost", "method", "status", "iterations", "marginalError", "seconds", "n", "m", "nonZeros", "certificate"]
  static let certificateKeys = ["holds", "minimumReducedCost", "complementarySlackness", "dualityGap", "tolerance"]
  static let entropicKeys = [
    "cost", "method", "status", "iterations", "marginalError", "seconds", "n", "m", "epsilon", "regularizedCost",
    "dualObjective", "precision", "online", "errorHistory",
  ]

  @Test("Exact methods keep their JSON keys and method names", arguments: [("exact", "exact"), ("assignment", "assignment"), ("auto", "assignment")])
  func exactKeys(method: String, reported: String) throws {
    let json = try jsonObject(
      try outputLines(["transport", TransportCommandTests.source, TransportCommandTests.target, "--method", method, "--json"]), key: "certificate")
    for key in Self.exactKeys { #expect(json[key] != nil, "missing \(key)") }
    let certificate = try #require(json["certificate"] as? [String: Any])
    for key in Self.certificateKeys { #expect(certificate[key] != nil, "missing certificate.\(key)") }
    #expect(json["method"] as? String == reported)
    #expect(json["status"] as? String == "optimal")
  }

  @Test("Entropic methods keep their JSON keys and say which tolerance they met", arguments: ["sinkhorn", "sns"])
  func entropicKeys(method: String) throws {
    let json = try jsonObject(
      try outputLines(["transport", TransportCommandTests.source, TransportCommandTests.target, "--method", method, "--epsilon", "0.5", "--json"]),
      key: "errorHistory")
    for key in Self.entropicKeys { #expect(json[key] != nil, "missing \(key)") }
    #expect(json["method"] as? String == method)
    #expect(json["toleranceNorm"] as? String == "l1-relative-to-mass")
    #expect(json["tolerance"] as? Double == 1e-9)
  }

  @Test("The 1-D method keeps its name", arguments: ["1d", "auto"])
  func oneDimensional(method: String) throws {
    let a = file("line-a.csv", "0\n1\n2\n"), b = file("line-b.csv", "0.5\n1.5\n4\n")
    let json = try jsonObject(try outputLines(["transport", a, b, "--method", method, "--json"]), key: "certificate")
    #expect(json["method"] as? String == "1d")
  }

  @Test("--cost cosine and minkowski solve, exactly and entropically", arguments: [
    ["--cost", "cosine"], ["--cost", "minkowski"], ["--cost", "minkowski", "--minkowski-p", "3"],
    ["--cost", "cosine", "--method", "sinkhorn", "--epsilon", "0.1"],
    ["--cost", "minkowski", "--minkowski-p", "1.5", "--method", "sinkhorn", "--epsilon", "0.1", "--online"],
  ])
  func costs(options: [String]) throws {
    let source = file("cos-a.csv", "1,0\n0,1\n1,1\n"), target = file("cos-b.csv", "2,0.1\n-1,2\n0.5,0.4\n")
    let json = try jsonObject(try outputLines(["transport", source, target, "--json"] + options), key: "cost")
    let cost = try #require(json["cost"] as? Double)
    #expect(cost.isFinite && cost >= 0)
    #expect((json["groundCost"] as? String)?.hasPrefix(options[1]) == true)
  }

  @Test("The new cost options are validated", arguments: [
    (["--minkowski-p", "2"], "--minkowski-p applies to --cost minkowski"),
    (["--cost", "minkowski", "--minkowski-p", "0.5"], "--minkowski-p must be a number >= 1"),
    (["--cost", "cosine", "--method", "1d"], "--method 1d needs a cost of x - y"),
  ])
  func costValidation(options: [String], message: String) {
    let error = failure(["transport", TransportCommandTests.source, TransportCommandTests.target] + options)
    #expect(error?.contains(message) == true, "got: \(error ?? "success")")
  }

  @Test("Library messages name no option; the command adds its own hints")
  func hints() {
    let totals = failure(["transport", TransportCommandTests.source, TransportCommandTests.target, "--target-weights", file("total3.csv", "1\n1\n1\n")])
    #expect(totals?.contains("(--rescale accepts them)") == true, "got: \(totals ?? "success")")
    // transport has no --drop-invalid: its message must not suggest it.
    let missing = failure(["transport", file("na.csv", "x,y\n0,0\n1,NA\n"), TransportCommandTests.target])
    #expect(missing?.contains("\"NA\" marks a missing value") == true)
    #expect(missing?.contains("--drop-invalid") == false)
    // train has it, and says so (the hint the CSV reader's own message used to carry).
    let train = failure(["train", file("na-train.csv", "a,b,y\n1,2,0\n1,,1\n"), "--label", "y"])
    #expect(train?.contains("line 3, column 2 (b): the value is missing (use --drop-invalid to skip such rows)") == true, "got: \(train ?? "success")")
  }
}
