import Foundation
import Testing

@testable import OTKitData
@testable import otkit

@Suite("otkit attention")
struct AttentionCommandTests {
  static func npy(_ name: String, shape: [Int], seed: UInt64, dtype: NPY.DType = .float64) -> String {
    var state = seed
    let values = (0..<shape.reduce(1, *)).map { _ -> Double in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
    let path = file(name, "")
    try! NPY.write(NPY.Array(shape: shape, dtype: dtype, values: dtype == .float32 ? values.map { Double(Float($0)) } : values), to: path)
    return path
  }

  static let q = npy("q.npy", shape: [2, 12, 4], seed: 1)
  static let k = npy("k.npy", shape: [2, 12, 4], seed: 2)
  static let v = npy("v.npy", shape: [2, 12, 3], seed: 3)

  @Test("Every anchor: weights and output files, diagnostics in the JSON", arguments: ["softmax", "sinkhorn", "sparsemax", "entmax", "orthostochastic"])
  func anchors(anchor: String) throws {
    let weights = file("w-\(anchor).npy", ""), output = file("o-\(anchor).npy", "")
    var arguments = ["attention", "--queries", Self.q, "--keys", Self.k, "--values", Self.v, "--anchor", anchor, "--weights", weights, "--output", output, "--json"]
    if anchor == "sinkhorn" { arguments += ["--iterations", "2000", "--tolerance", "1e-9"] }
    let lines = try outputLines(arguments)
    let json = try jsonObject(lines, key: "diagnostics")
    #expect(json["anchor"] as? String == anchor)
    #expect(abs((json["temperature"] as? Double ?? 0) - 2) < 1e-12)  // sqrt(4)
    let heads = try #require(json["diagnostics"] as? [[String: Any]])
    #expect(heads.count == 2)
    for head in heads {
      for key in ["entropy", "zeroFraction", "rowMarginalError", "columnMarginalError", "planDistance", "oneSidedObjective", "oneSidedMinimum", "oneSidedGap"] {
        #expect(head[key] != nil, "missing \(key)")
      }
      #expect((head["rowMarginalError"] as? Double ?? 1) < 1e-8)
      if anchor == "sinkhorn" || anchor == "orthostochastic" { #expect((head["columnMarginalError"] as? Double ?? 1) < 1e-8) }
      if anchor == "softmax" { #expect(abs(head["oneSidedGap"] as? Double ?? 1) < 1e-12) }
    }
    let w = try NPY.read(weights)
    #expect(w.shape == [2, 12, 12])
    #expect(try NPY.read(output).shape == [2, 12, 3])
  }

  @Test("Bad input fails with a message", arguments: [
    (["--alpha", "1"], "--alpha must be greater than 1"),
    (["--output", "/tmp/x.npy"], "--output needs --values"),
    (["--temperature", "0"], "--temperature must be positive"),
  ])
  func bad(options: [String], message: String) {
    let error = failure(["attention", "--queries", Self.q, "--keys", Self.k] + options)
    #expect(error?.contains(message) == true, "\(error ?? "no error")")
  }

  @Test("Shape errors name the problem")
  func shapes() {
    let wide = Self.npy("kw.npy", shape: [2, 12, 5], seed: 4)
    #expect(failure(["attention", "--queries", Self.q, "--keys", wide])?.contains("width") == true)
    let rect = Self.npy("kr.npy", shape: [2, 10, 4], seed: 5)
    #expect(failure(["attention", "--queries", Self.q, "--keys", rect, "--anchor", "orthostochastic"])?.contains("square") == true)
    let one = Self.npy("k1.npy", shape: [12, 4], seed: 6)
    #expect(failure(["attention", "--queries", Self.q, "--keys", one])?.contains("heads") == true)
  }

  @Test("float32 inputs stay in Float; the output alone takes the blocked path and matches the weights' product",
        arguments: ["softmax", "sparsemax"])
  func float32Output(anchor: String) throws {
    // Per-anchor names: the two cases run at the same time, and a file being rewritten by
    // one must not be read by the other.
    let q = Self.npy("q32-\(anchor).npy", shape: [40, 8], seed: 11, dtype: .float32)
    let k = Self.npy("k32-\(anchor).npy", shape: [50, 8], seed: 12, dtype: .float32)
    let v = Self.npy("v32-\(anchor).npy", shape: [50, 3], seed: 13, dtype: .float32)
    let outputOnly = file("o32-\(anchor).npy", ""), weights = file("w32-\(anchor).npy", ""), both = file("o32b-\(anchor).npy", "")
    let json = try jsonObject(
      try outputLines(["attention", "--queries", q, "--keys", k, "--values", v, "--anchor", anchor, "--output", outputOnly, "--no-diagnostics", "--json"]),
      key: "precision")
    #expect(json["precision"] as? String == "float32")
    #expect((json["diagnostics"] as? [Any])?.isEmpty == true)
    _ = try outputLines(["attention", "--queries", q, "--keys", k, "--values", v, "--anchor", anchor, "--weights", weights, "--output", both])
    let blocked = try NPY.read(outputOnly), formed = try NPY.read(both), w = try NPY.read(weights)
    #expect(blocked.dtype == .float32 && formed.dtype == .float32 && w.dtype == .float32)
    #expect(blocked.shape == [40, 3])
    for (a, b) in zip(blocked.values, formed.values) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
  }

  @Test("Diagnostics are computed with the output alone too (float64)")
  func outputWithDiagnostics() throws {
    let output = file("o-diag.npy", "")
    let json = try jsonObject(
      try outputLines(["attention", "--queries", Self.q, "--keys", Self.k, "--values", Self.v, "--output", output, "--json"]), key: "diagnostics")
    #expect(json["precision"] as? String == "float64")
    #expect((json["diagnostics"] as? [[String: Any]])?.count == 2)
  }

  @Test("Seed 002's identities, saturation and the gauge per head in the JSON; an upstream file and a carrier")
  func identitiesAndGauge() throws {
    let json = try jsonObject(try outputLines(["attention", "--queries", Self.q, "--keys", Self.k, "--values", Self.v, "--json"]), key: "diagnostics")
    let heads = try #require(json["diagnostics"] as? [[String: Any]])
    for head in heads {
      #expect((head["advantageMaxError"] as? Double ?? 1) < 1e-12)
      #expect((head["fisherHessianMaxError"] as? Double ?? 1) < 1e-12)
      #expect((head["advantageSpread"] as? Double ?? 0) > 0)
      #expect((head["interactionResidual"] as? Double ?? 1) < 1e-12)  // a dot-product chart of width 4
      #expect((head["interactionNumericalRank"] as? Int ?? 99) <= 4)
      #expect(head["unaryFraction"] is Double && head["saturatedRowShare"] is Double && head["contextRank"] is Int)
    }
    let upstream = Self.npy("u.npy", shape: [2, 12, 12], seed: 7)
    let sparse = try jsonObject(
      try outputLines(["attention", "--queries", Self.q, "--keys", Self.k, "--anchor", "sparsemax", "--upstream", upstream, "--carrier", "causal", "--json"]),
      key: "diagnostics")
    for head in try #require(sparse["diagnostics"] as? [[String: Any]]) {
      #expect((head["fisherHessianMaxError"] as? Double ?? 0) > 1e-3)  // sparsemax is not the softmax geometry
      #expect((head["interactionResidual"] as? Double ?? 0) > 1e-6)  // the causal carrier breaks the rank bound
    }
    let wrong = Self.npy("u-wrong.npy", shape: [2, 12, 11], seed: 8)
    #expect(failure(["attention", "--queries", Self.q, "--keys", Self.k, "--upstream", wrong])?.contains("2 x 12 x 12") == true)
    #expect(failure(["attention", "--queries", Self.q, "--keys", Self.k, "--carrier", "band"])?.contains("--carrier") == true)
    #expect(failure(["attention", "--queries", Self.q, "--keys", Self.k, "--anchor", "orthostochastic", "--carrier", "causal"])?.contains("full carrier") == true)
  }
}
