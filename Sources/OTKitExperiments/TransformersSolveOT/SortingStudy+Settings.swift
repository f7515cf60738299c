import Foundation

extension SortingStudy {
  /// The settings of `otkit reproduce sorting`: the grid of the depth study (the spec's
  /// default curves; `fullGrid` for the whole grid) and, with `trained`, the trained sorter
  /// at the author's settings for every prompt and seed.
  public struct Settings: ReproductionSettings, Equatable {
    public var lengths = [8, 32, 128]
    /// The depths reported; the study runs to the largest.
    public var depths = [1, 4, 16, 64, 256, 1024, 4096]
    public var lambda = [0.1]
    public var gammaRatio = [0.5]
    public var sinkValues = SortingDepthStudy.SinkValue.allCases
    public var sinkModes = [OTTransformer.SinkMode.drift]
    public var dimensions = [1]
    /// The spec's whole grid (n 4 to 512, λ 0.3/0.1/0.03, γ/λ 0.25/0.5/1, both sink values and modes, d 1/2/5).
    public var fullGrid = false
    public var seed: UInt64 = 0
    /// Also train the sorter of the author's Fig. 2 for every prompt and seed.
    public var trained = false
    public var seeds = 5
    public var firstSeed: UInt64 = 10001
    public var steps = 5001
    public var prompts = SorterPrompt.allCases
    public var evalLengths = [7, 9, 15, 31]
    public var testLists = 1000
    public var trainBatch = 1000
    public var authorQuirks = true
    /// Files of earlier `--trained --json` runs to render instead of training.
    public var trainedRuns: [String] = []

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.lengths, s.depths) = ([4, 8], [1, 16, 256])
      return s
    }

    /// The largest n and depth accepted (a 2,048-point forward pass of 65,536 layers is hours).
    public static let largestLength = 2_048
    public static let largestDepth = 65_536

    /// The options that only the trained sorter takes.
    static let trainedOptions = ["seeds", "steps", "first-seed", "prompts", "eval-lengths", "train-batch", "test-lists", "no-author-quirks"]
    static let gridOptions = ["lengths", "lambda", "gamma-ratio", "sink-values", "sink-modes", "dimensions"]

    public static let options = [
      ReproductionOption("lengths", "The list lengths n, comma-separated."),
      ReproductionOption("depths", "The depths to report, comma-separated; the study runs to the largest."),
      ReproductionOption("lambda", "The entropic constants λ, comma-separated."),
      ReproductionOption("gamma-ratio", "The steps γ as multiples of λ, comma-separated."),
      ReproductionOption("sink-values", "The sink values a: 1/n (the author's code), 1 (unit marginals), or both."),
      ReproductionOption("sink-modes", "The sink modes: drift (a plain transformer), frozen (exact dual gradient descent), or both."),
      ReproductionOption("dimensions", "The point dimensions: 1 (lists to sort) or more (point clouds)."),
      ReproductionOption("full-grid", "Run the spec's whole grid; long."),
      ReproductionOption("seed", "The seed of the lists."),
      ReproductionOption("trained", "Also train the sorter of the author's Fig. 2 (E2) for every prompt and seed; long."),
      ReproductionOption("seeds", "Trained sorter: the number of seeds (from --first-seed on)."),
      ReproductionOption("first-seed", "Trained sorter: the first seed (the author's 10001)."),
      ReproductionOption("steps", "Trained sorter: the training steps."),
      ReproductionOption("prompts", "Trained sorter: engineered, truncated, padded, no-sink, no-registers."),
      ReproductionOption("eval-lengths", "Trained sorter: the list lengths evaluated, 2 to 50."),
      ReproductionOption("test-lists", "Trained sorter: test lists per evaluated length."),
      ReproductionOption("train-batch", "Trained sorter: the training batch."),
      ReproductionOption("no-author-quirks", "Trained sorter: drop the author's code quirks."),
      ReproductionOption("trained-runs", "Trained sorter: render the runs saved by earlier --trained --json runs (comma-separated files) instead of training."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "lengths":
        lengths = try OptionText.list(text, option: option, must: "integers from 2 to \(Self.largestLength)", { Int($0) }, where: { (2...Self.largestLength).contains($0) })
      case "depths":
        depths = try OptionText.list(text, option: option, must: "integers from 1 to \(Self.largestDepth)", { Int($0) }, where: { (1...Self.largestDepth).contains($0) }).sorted()
      case "lambda": lambda = try OptionText.positives(text, option: option)
      case "gamma-ratio": gammaRatio = try OptionText.positives(text, option: option)
      case "sink-values": sinkValues = try OptionText.list(text, option: option, must: "1/n or 1", { SortingDepthStudy.SinkValue(rawValue: $0) })
      case "sink-modes": sinkModes = try OptionText.list(text, option: option, must: "drift or frozen", { OTTransformer.SinkMode(rawValue: $0) })
      case "dimensions": dimensions = try OptionText.list(text, option: option, must: "integers from 1 to 64", { Int($0) }, where: { (1...64).contains($0) })
      case "full-grid": fullGrid = try OptionText.flag(text, option: option)
      case "seed": seed = try OptionText.seed(text, option: option)
      default: try setTrained(option, to: text)
      }
    }

    mutating func setTrained(_ option: String, to text: String) throws {
      switch option {
      case "trained": trained = try OptionText.flag(text, option: option)
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "first-seed":
        firstSeed = try OptionText.value(text, option: option, must: "an integer from 0 to \(UInt64.max - 100)", { UInt64($0) }, where: { $0 <= UInt64.max - 100 })
      case "steps": steps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "prompts":
        prompts = try OptionText.list(text, option: option, must: "engineered, truncated, padded, no-sink or no-registers", { SorterPrompt(rawValue: $0) })
      case "eval-lengths": evalLengths = try OptionText.list(text, option: option, must: "integers from 2 to 50", { Int($0) }, where: { (2...50).contains($0) })
      case "test-lists": testLists = try OptionText.integer(text, option: option, in: 1...100_000)
      case "train-batch": trainBatch = try OptionText.integer(text, option: option, in: 1...100_000)
      case "no-author-quirks": authorQuirks = !(try OptionText.flag(text, option: option))
      case "trained-runs":
        trainedRuns = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !trainedRuns.isEmpty else { throw ReproductionError.invalid(option: option, message: "--trained-runs: no file given") }
      default: throw ReproductionError.notAnOption(option)
      }
    }

    public func validate(given: Set<String>) throws {
      let trainedGiven = Self.trainedOptions.first(where: given.contains)
      if !trainedRuns.isEmpty, let option = trainedGiven {
        throw ReproductionError.invalid(option: "trained-runs", message: "--trained-runs takes the settings from its files; drop --\(option)")
      }
      if trainedRuns.isEmpty && !trained, let option = trainedGiven {
        throw ReproductionError.invalid(option: option, message: "--\(option) applies to the trained sorter (otkit reproduce sorting --trained --\(option) ...)")
      }
      if fullGrid, let option = Self.gridOptions.first(where: given.contains) {
        throw ReproductionError.invalid(option: "full-grid", message: "--full-grid sets --\(option) itself; give one or the other")
      }
    }

    /// The curves of the grid, in a stable order.
    public var curves: [SortingDepthStudy.Setting] {
      let grid = fullGrid
        ? (lengths: [4, 8, 16, 32, 64, 128, 256, 512], lambda: [0.3, 0.1, 0.03], ratio: [0.25, 0.5, 1], values: SortingDepthStudy.SinkValue.allCases,
           modes: OTTransformer.SinkMode.allCases, dimensions: [1, 2, 5])
        : (lengths: lengths, lambda: lambda, ratio: gammaRatio, values: sinkValues, modes: sinkModes, dimensions: dimensions)
      var out: [SortingDepthStudy.Setting] = []
      for d in grid.dimensions {
        for lambda in grid.lambda {
          for ratio in grid.ratio {
            for a in grid.values {
              for mode in grid.modes {
                for n in grid.lengths {
                  out.append(SortingDepthStudy.Setting(n: n, dimension: d, lambda: lambda, gammaRatio: ratio, sinkValue: a, sinkMode: mode))
                }
              }
            }
          }
        }
      }
      return out
    }

    /// The trained-sorter study's options.
    public var trainedStudy: TrainedSorterStudy.Options {
      var options = TrainedSorterStudy.Options()
      options.seeds = (0..<UInt64(seeds)).map { firstSeed + $0 }
      options.training.steps = steps
      options.training.batchSize = trainBatch
      options.training.authorQuirks = authorQuirks
      (options.testInstances, options.distanceInstances) = (testLists, min(50, testLists))
      options.prompts = prompts
      options.lengths = evalLengths
      return options
    }
  }
}
