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

  @Flag(help: "Also train the sorter of the author's Fig. 2 (E2: 19 layers x 2 heads, n = 7, batch 1000, Adam 5e-4) with OTKit's autograd, for every prompt and seed; long (about 10 minutes per run of 5001 steps on 2 cores).")
  var trained = false

  @Option(help: "Trained sorter: the number of seeds (10001, 10002, ... from --first-seed). (default: 5)")
  var seeds: Int?

  @Option(help: "Trained sorter: the first seed; the others follow it. (default: 10001, the author's)")
  var firstSeed: UInt64?

  @Option(help: "Trained sorter: the training steps. (default: 5001)")
  var steps: Int?

  @Option(help: "Trained sorter: the prompts, comma-separated: engineered, truncated (the author's ablation), padded, no-sink, no-registers. (default: all five)")
  var prompts: String?

  @Option(help: "Trained sorter: the list lengths evaluated, comma-separated, 2 to 50. (default: 7,9,15,31)")
  var evalLengths: String?

  @Option(help: "Trained sorter: test lists per evaluated length (the per-layer distances use the first 50). (default: 1000)")
  var testLists: Int?

  @Option(help: "Trained sorter: the training batch. (default: 1000)")
  var trainBatch: Int?

  @Flag(help: "Trained sorter: drop the author's code quirks (every parameter handed to Adam twice; the truncated prompt's readout masking its last token and copying y).")
  var noAuthorQuirks = false

  @Option(help: "Trained sorter: render the study from the runs saved by earlier 'otkit reproduce sorting --trained --json > FILE' (comma-separated files, same settings but for prompts and seeds) instead of training; splits a long study over processes or machines.")
  var trainedRuns: String?

  /// The first trained-sorter option given without --trained.
  var trainedGiven: String? {
    if seeds != nil { return "--seeds" }
    if steps != nil { return "--steps" }
    if firstSeed != nil { return "--first-seed" }
    if prompts != nil { return "--prompts" }
    if evalLengths != nil { return "--eval-lengths" }
    if trainBatch != nil { return "--train-batch" }
    if testLists != nil { return "--test-lists" }
    return noAuthorQuirks ? "--no-author-quirks" : nil
  }

  /// The trained-sorter study's options.
  func trainedOptions() throws -> TrainedSorterStudy.Options {
    var options = TrainedSorterStudy.Options()
    let count = seeds ?? 5
    guard (1...100).contains(count) else { throw ValidationError("--seeds must be an integer from 1 to 100 (got \(count))") }
    let first = firstSeed ?? 10001
    guard first <= UInt64.max - 100 else { throw ValidationError("--first-seed must be at most \(UInt64.max - 100) (got \(first))") }
    options.seeds = (0..<UInt64(count)).map { first + $0 }
    let steps = self.steps ?? 5001
    guard (1...1_000_000).contains(steps) else { throw ValidationError("--steps must be an integer from 1 to 1000000 (got \(steps))") }
    options.training.steps = steps
    let batch = trainBatch ?? 1000
    guard (1...100_000).contains(batch) else { throw ValidationError("--train-batch must be an integer from 1 to 100000 (got \(batch))") }
    options.training.batch = batch
    options.training.authorQuirks = !noAuthorQuirks
    let lists = testLists ?? 1000
    guard (1...100_000).contains(lists) else { throw ValidationError("--test-lists must be an integer from 1 to 100000 (got \(lists))") }
    (options.testInstances, options.distanceInstances) = (lists, min(50, lists))
    options.prompts = try parseList(
      prompts ?? SorterPrompt.allCases.map(\.rawValue).joined(separator: ","), option: "--prompts",
      must: "engineered, truncated, padded, no-sink or no-registers", { SorterPrompt(rawValue: $0) }, where: { _ in true })
    options.lengths = try parseList(evalLengths ?? "7,9,15,31", option: "--eval-lengths", must: "integers from 2 to 50", { Int($0) }, where: { (2...50).contains($0) })
    return options
  }

  /// The first sorting option given, for the message when another experiment is asked for.
  var given: String? {
    if lengths != nil { return "--lengths" }
    if depths != nil { return "--depths" }
    if lambda != nil { return "--lambda" }
    if gammaRatio != nil { return "--gamma-ratio" }
    if sinkValues != nil { return "--sink-values" }
    if sinkModes != nil { return "--sink-modes" }
    if dimensions != nil { return "--dimensions" }
    if fullGrid { return "--full-grid" }
    if trainedRuns != nil { return "--trained-runs" }
    return trained ? "--trained" : trainedGiven
  }

  /// The options and runs saved in the JSON outputs of earlier trained-sorter runs.
  func savedRuns(_ list: String) throws -> (options: TrainedSorterStudy.Options, runs: [TrainedSorterStudy.Run]) {
    let paths = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var options: TrainedSorterStudy.Options?
    var runs: [TrainedSorterStudy.Run] = []
    for path in paths {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("\(path): cannot be read") }
      guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let trained = object["trained"] as? [String: Any], let savedOptions = trained["options"], let savedRuns = trained["runs"]
      else {
        throw CLIError("\(path): holds no trained-sorter JSON line (write one with otkit reproduce sorting --trained --json > \(path))")
      }
      let decoder = JSONDecoder()
      let mine: TrainedSorterStudy.Options
      let found: [TrainedSorterStudy.Run]
      do {
        mine = try decoder.decode(TrainedSorterStudy.Options.self, from: JSONSerialization.data(withJSONObject: savedOptions))
        found = try decoder.decode([TrainedSorterStudy.Run].self, from: JSONSerialization.data(withJSONObject: savedRuns))
      } catch {
        throw CLIError("\(path): the trained-sorter JSON does not decode: \(error)")
      }
      if var first = options {
        var comparable = mine
        (comparable.prompts, comparable.seeds, comparable.training.prompt, comparable.training.seed) = (first.prompts, first.seeds, first.training.prompt, first.training.seed)
        guard comparable == first else {
          throw CLIError("\(path): its settings (steps, batch, layers, lengths, quirks) differ from those of \(paths[0])")
        }
        for prompt in mine.prompts where !first.prompts.contains(prompt) { first.prompts.append(prompt) }
        for seed in mine.seeds where !first.seeds.contains(seed) { first.seeds.append(seed) }
        options = first
      } else {
        options = mine
      }
      for run in found {
        guard !runs.contains(where: { $0.prompt == run.prompt && $0.seed == run.seed }) else {
          throw CLIError("\(path): prompt \(run.prompt.rawValue), seed \(run.seed) is also in an earlier file")
        }
        runs.append(run)
      }
    }
    guard let options else { throw CLIError("--trained-runs: no file given") }
    // Prompts in the usual order, seeds ascending.
    let order = SorterPrompt.allCases
    runs.sort { (order.firstIndex(of: $0.prompt)!, $0.seed) < (order.firstIndex(of: $1.prompt)!, $1.seed) }
    return (options, runs)
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
    if trainedRuns != nil {
      if let option = trainedGiven { throw ValidationError("--trained-runs takes the settings from its files; drop \(option)") }
    } else if trained {
      _ = try trainedOptions()
    } else if let option = trainedGiven {
      throw ValidationError("\(option) applies to the trained sorter (otkit reproduce sorting --trained \(option) ...)")
    }
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
    let saved = try sorting.trainedRuns.map { try sorting.savedRuns($0) }
    let trainedOptions = try saved?.options ?? (sorting.trained ? sorting.trainedOptions() : nil)
    let trainingSteps = saved == nil ? trainedOptions.map { $0.prompts.count * $0.seeds.count * $0.training.steps } ?? 0 : 0
    let bar = ProgressBar(total: settings.count * depth + 5000 + trainingSteps)
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
    done += 5000
    bar.update(done: done, message: "example")
    var trained: (runs: [TrainedSorterStudy.Run], summaries: [TrainedSorterStudy.Summary])?
    if let saved {
      trained = (saved.runs, TrainedSorterStudy.summaries(saved.runs, lengths: saved.options.lengths))
    } else if let trainedOptions {
      let base = done
      trained = try TrainedSorterStudy.run(trainedOptions) { steps, message in bar.update(done: base + steps, message: message) }
    }
    bar.finish()
    print("Transformers that solve entropic OT (seed 001): the readout's distance |M - P̄_λ|_F to the row-normalized Sinkhorn plan against depth; floor = |P̄_λ - Π*|_F; stated bound slope -1/2.")
    let (header, rows) = SortingReport.table(curves, depths: depths)
    print(TextTable(header: header, rows: rows).render())
    print("\nThe author's six numbers (n = 6, λ = 0.1, γ = 0.05, 5000 layers): sorted readout "
      + example.sortedReadout.map { String(format: "%.3f", $0) }.joined(separator: ", ")
      + " (the author: 0.025, 0.165, 0.333, 0.500, 0.668, 0.808); |M - P̄_λ|_F = \(String(format: "%.2e", example.finalError))")
    if let trained, let trainedOptions {
      print("\nA transformer trained to sort (the author's Fig. 2): \(trainedOptions.training.layers) layers x 2 heads, trained on n = \(trainedOptions.training.length), \(trainedOptions.training.steps) steps; mean ± SE over \(trainedOptions.seeds.count) seeds. The author: loss 1.3e-4 at 5k steps (engineered), plateau 4.2e-3 (truncated, 30x).")
      let (header, rows) = TrainedSorterReport.table(trained.summaries, lengths: trainedOptions.lengths)
      print(TextTable(header: header, rows: rows).render())
      let (ch, cr) = TrainedSorterReport.checkpoints(trained.runs)
      print(TextTable(header: ch, rows: cr).render())
    }
    let seconds = try finish(start: start, document: {
      var document = HTMLReport(title: "OTKit: transformers that solve optimal transport (seed 001)")
      SortingReport.html(curves, depths: depths, example: example, command: command, into: &document)
      if let trained, let trainedOptions {
        TrainedSorterReport.html(runs: trained.runs, summaries: trained.summaries, lengths: trainedOptions.lengths, training: trainedOptions.training, into: &document)
      }
      return document
    }())
    if json {
      let encoded = (try? JSONValueEncoder.encode(curves)) ?? .null
      var trainedJSON = JSONValue.null
      if let trained, let trainedOptions {
        trainedJSON = .object([
          "options": (try? JSONValueEncoder.encode(trainedOptions)) ?? .null,
          "runs": (try? JSONValueEncoder.encode(trained.runs)) ?? .null,
          "summaries": (try? JSONValueEncoder.encode(trained.summaries)) ?? .null,
        ])
      }
      print(JSONValue.object([
        "experiment": .string("sorting"), "curves": encoded, "seconds": .number(seconds), "trained": trainedJSON,
        "example": .object([
          "x": .array(example.x.map { .number($0) }), "sortedReadout": .array(example.sortedReadout.map { .number($0) }),
          "finalError": .number(example.finalError), "layers": .number(Double(example.readouts.last?.depth ?? 0)),
        ]),
      ]).serialized())
    }
  }
}
