import ArgumentParser
import Foundation
import OTKit

/// The options of `otkit reproduce sorting`: the grid of the depth study.
struct SortingOptions: ParsableArguments {
  @Option(help: "The list lengths n, comma-separated. (default: 8,32,128)")
  var lengths: String?

  @Option(help: "The depths to report, comma-separated; the study runs to the largest. (default: 1,4,16,64,256,1024,4096)")
  var depths: String?

  @Option(help: "The entropic constants λ, comma-separated. (default: 0.1)")
  var lambda: String?

  @Option(help: "The steps γ as multiples of λ, comma-separated. (default: 0.5)")
  var gammaRatio: String?

  @Option(help: "The sink values a: 1/n (the author's code), 1 (unit marginals), or both comma-separated. (default: 1/n,1)")
  var sinkValues: String?

  @Option(help: "The sink modes: drift (a plain transformer), frozen (exact dual gradient descent), or both. (default: drift)")
  var sinkModes: String?

  @Option(help: "The point dimensions: 1 (lists to sort) or more (point clouds), comma-separated. (default: 1)")
  var dimensions: String?

  @Flag(help: "Run the spec's whole grid (n 4 to 512, λ 0.3/0.1/0.03, γ/λ 0.25/0.5/1, both sink values and modes, d 1/2/5); long.")
  var fullGrid = false

  /// The first sorting option given, for the message when another experiment is asked for.
  var given: String? {
    if lengths != nil { return "--lengths" }
    if depths != nil { return "--depths" }
    if lambda != nil { return "--lambda" }
    if gammaRatio != nil { return "--gamma-ratio" }
    if sinkValues != nil { return "--sink-values" }
    if sinkModes != nil { return "--sink-modes" }
    if dimensions != nil { return "--dimensions" }
    return fullGrid ? "--full-grid" : nil
  }

  /// The largest n and depth accepted (a 2,048-point forward pass of 65,536 layers is hours).
  static let largestLength = 2_048
  static let largestDepth = 65_536

  func lengthValues() throws -> [Int] {
    if fullGrid { return [4, 8, 16, 32, 64, 128, 256, 512] }
    return try parseList(lengths ?? "8,32,128", option: "--lengths", must: "integers from 2 to \(Self.largestLength)", { Int($0) }, where: { (2...Self.largestLength).contains($0) })
  }

  func depthValues() throws -> [Int] {
    try parseList(depths ?? "1,4,16,64,256,1024,4096", option: "--depths", must: "integers from 1 to \(Self.largestDepth)", { Int($0) }, where: { (1...Self.largestDepth).contains($0) }).sorted()
  }

  func lambdaValues() throws -> [Double] {
    if fullGrid { return [0.3, 0.1, 0.03] }
    return try parseList(lambda ?? "0.1", option: "--lambda", must: "positive numbers", { Double($0) }, where: { $0 > 0 && $0.isFinite })
  }

  func gammaRatioValues() throws -> [Double] {
    if fullGrid { return [0.25, 0.5, 1] }
    return try parseList(gammaRatio ?? "0.5", option: "--gamma-ratio", must: "positive numbers", { Double($0) }, where: { $0 > 0 && $0.isFinite })
  }

  func sinkValueValues() throws -> [SortingDepthStudy.SinkValue] {
    if fullGrid { return SortingDepthStudy.SinkValue.allCases }
    return try parseList(sinkValues ?? "1/n,1", option: "--sink-values", must: "1/n or 1", { SortingDepthStudy.SinkValue(rawValue: $0) }, where: { _ in true })
  }

  func sinkModeValues() throws -> [OTTransformer.SinkMode] {
    if fullGrid { return OTTransformer.SinkMode.allCases }
    return try parseList(sinkModes ?? "drift", option: "--sink-modes", must: "drift or frozen", { OTTransformer.SinkMode(rawValue: $0) }, where: { _ in true })
  }

  func dimensionValues() throws -> [Int] {
    if fullGrid { return [1, 2, 5] }
    return try parseList(dimensions ?? "1", option: "--dimensions", must: "integers from 1 to 64", { Int($0) }, where: { (1...64).contains($0) })
  }

  func validate() throws {
    _ = try lengthValues()
    _ = try depthValues()
    _ = try lambdaValues()
    _ = try gammaRatioValues()
    _ = try sinkValueValues()
    _ = try sinkModeValues()
    _ = try dimensionValues()
    if fullGrid, let option = [lengths.map { _ in "--lengths" }, lambda.map { _ in "--lambda" }, gammaRatio.map { _ in "--gamma-ratio" },
      sinkValues.map { _ in "--sink-values" }, sinkModes.map { _ in "--sink-modes" }, dimensions.map { _ in "--dimensions" }].compactMap({ $0 }).first {
      throw ValidationError("--full-grid sets \(option) itself; give one or the other")
    }
  }

  /// The curves of the grid, in a stable order.
  func settings() throws -> [SortingDepthStudy.Setting] {
    var out: [SortingDepthStudy.Setting] = []
    for d in try dimensionValues() {
      for lambda in try lambdaValues() {
        for ratio in try gammaRatioValues() {
          for a in try sinkValueValues() {
            for mode in try sinkModeValues() {
              for n in try lengthValues() {
                out.append(SortingDepthStudy.Setting(n: n, dimension: d, lambda: lambda, gammaRatio: ratio, sinkValue: a, sinkMode: mode))
              }
            }
          }
        }
      }
    }
    return out
  }
}

extension ReproduceCommand {
  /// `otkit reproduce sorting`: the depth study of the transformer that solves entropic OT,
  /// and the author's six-number example.
  func runSorting(command: String, start: UInt64) throws {
    let settings = try sorting.settings()
    let depths = try sorting.depthValues()
    let depth = depths.last!
    let bar = ProgressBar(total: settings.count * depth + 5000)
    var curves: [SortingDepthStudy.Curve] = []
    var done = 0
    for setting in settings {
      let base = done
      curves.append(try SortingDepthStudy.run(setting, depth: depth, seed: seed, extraDepths: Set(depths)) { l in
        if l % 64 == 0 || l == depth { bar.update(done: base + l, message: "n \(setting.n), λ \(setting.lambda), a \(setting.sinkValue.rawValue), layer \(l)") }
      })
      done += depth
    }
    let example = try SortingExample.run(layers: 5000, every: 1000, seed: seed)
    bar.update(done: done + 5000, message: "example")
    bar.finish()
    print("Transformers that solve entropic OT (seed 001): the readout's distance |M - P̄_λ|_F to the row-normalized Sinkhorn plan against depth; floor = |P̄_λ - Π*|_F; stated bound slope -1/2.")
    let (header, rows) = SortingReport.table(curves, depths: depths)
    print(TextTable(header: header, rows: rows).render())
    print("\nThe author's six numbers (n = 6, λ = 0.1, γ = 0.05, 5000 layers): sorted readout "
      + example.sortedReadout.map { String(format: "%.3f", $0) }.joined(separator: ", ")
      + " (the author: 0.025, 0.165, 0.333, 0.500, 0.668, 0.808); |M - P̄_λ|_F = \(String(format: "%.2e", example.finalError))")
    let seconds = try finish(start: start, document: {
      var document = HTMLReport(title: "OTKit: transformers that solve optimal transport (seed 001)")
      SortingReport.html(curves, depths: depths, example: example, command: command, into: &document)
      return document
    }())
    if json {
      let encoded = (try? JSONValueEncoder.encode(curves)) ?? .null
      print(JSONValue.object([
        "experiment": .string("sorting"), "curves": encoded, "seconds": .number(seconds),
        "example": .object([
          "x": .array(example.x.map { .number($0) }), "sortedReadout": .array(example.sortedReadout.map { .number($0) }),
          "finalError": .number(example.finalError), "layers": .number(Double(example.readouts.last?.depth ?? 0)),
        ]),
      ]).serialized())
    }
  }
}
