import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import OTKitReport

/// `otkit reproduce moe`: Selective Sinkhorn Routing against the standard routers
/// (Nguyen et al., arXiv 2511.08972; spec `ot-training-signals.md` §4): a classifier with a
/// residual mixture-of-experts layer trained with each router over seeds on digits and BEED;
/// test accuracy with its 95% interval, the experts' loads (coefficient of variation, largest
/// over mean, dead experts) on the test set and in training, dropped tokens, time per step,
/// and the loads over training.
///
/// - Complexity: per dataset `arms · seeds` fits of `steps` steps; the seeds of an arm run
///   side by side on the process's threads, one thread each.
public struct MixtureOfExpertsReproduction: Reproduction {
  public static let experiment = Experiment.moe

  public struct Settings: ReproductionSettings, Equatable {
    public var datasets = ["digits", "beed"]
    public var beed = "../shared/data/beed.csv"
    public var digits = "../shared/data/digits.csv"
    /// Routers (see ``MixtureOfExpertsStudy/arm(named:)``).
    public var arms = ["softmax", "softmax+aux", "ssr:1", "ssr:0.1", "ssr:0.01", "s-base", "base", "sparse-ot"]
    public var seeds = 10
    public var seed: UInt64 = 0
    /// An evenly spaced subsample of each file's rows (0: every row).
    public var rows = 2_000
    public var testFraction = 0.3
    /// Training steps of each fit (the spec: 3,000; 500 keep the defaults within minutes on
    /// 2 cores, about 45 epochs of digits).
    public var steps = 500
    public var batch = 128
    public var learningRate = 1e-3
    /// The width of the tokens and of the experts' hidden layer.
    public var width = 64
    public var experts = 8
    public var topK = 2
    public var capacityFactor = 1.25
    /// Spans of training over which the load history is averaged.
    public var windows = 10

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.datasets, s.arms, s.seeds, s.rows, s.steps, s.windows) = (["digits"], ["softmax+aux", "ssr:0.5", "base", "sparse-ot"], 1, 300, 12, 3)
      return s
    }

    public static let options = [
      ReproductionOption("datasets", "The datasets: digits, beed (comma-separated)."),
      ReproductionOption("beed", "The BEED CSV file (label column y)."),
      ReproductionOption("digits", "The digits CSV file (label column label)."),
      ReproductionOption("arms", "The routers: softmax, noisy-softmax[:SIGMA], base, s-base, ssr:P[:detached|unrolled|implicit], sparse-ot[:GAMMA], each optionally +aux[:W] and +z[:W] (comma-separated)."),
      ReproductionOption("seeds", "Seeds per router."),
      ReproductionOption("seed", "The seed of the split and the first fit."),
      ReproductionOption("rows", "An evenly spaced subsample of each file's rows (0: every row)."),
      ReproductionOption("steps", "Training steps of each fit."),
      ReproductionOption("batch", "Tokens (rows) per step."),
      ReproductionOption("experts", "Experts of the layer."),
      ReproductionOption("top-k", "Experts per token."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "datasets": datasets = try OptionText.list(text, option: option, must: "digits or beed", { $0 }, where: { ["beed", "digits"].contains($0) })
      case "beed": beed = text
      case "digits": digits = text
      case "arms":
        arms = try OptionText.list(
          text, option: option, must: "softmax, noisy-softmax[:SIGMA], base, s-base, ssr:P[:GRADIENT] or sparse-ot[:GAMMA], each optionally +aux[:W] and +z[:W]",
          { $0 }, where: { MixtureOfExpertsStudy.arm(named: $0) != nil })
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "rows": rows = try OptionText.integer(text, option: option, in: 0...Int.max)
      case "steps": steps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "batch": batch = try OptionText.integer(text, option: option, in: 2...4_096)
      case "experts": experts = try OptionText.integer(text, option: option, in: 1...256)
      case "top-k": topK = try OptionText.integer(text, option: option, in: 1...256)
      default: throw ReproductionError.notAnOption(option)
      }
    }

    /// `top-k` at most `experts`; every arm a router (settings decoded from a file skip
    /// ``set(_:to:)``).
    public func validate(given: Set<String>) throws {
      if let bad = arms.first(where: { MixtureOfExpertsStudy.arm(named: $0) == nil }) {
        throw ReproductionError.invalid(option: "arms", message: "--arms: \"\(bad)\" is not a router (softmax, noisy-softmax[:SIGMA], base, s-base, ssr:P[:GRADIENT], sparse-ot[:GAMMA])")
      }
      guard topK <= experts else {
        throw ReproductionError.invalid(option: "top-k", message: "--top-k (\(topK)) must be at most --experts (\(experts))")
      }
      let counts = [("seeds", seeds), ("steps", steps), ("batch", batch - 1), ("experts", experts), ("top-k", topK), ("width", width), ("windows", windows)]
      if let (name, _) = counts.first(where: { $0.1 < 1 }) {
        throw ReproductionError.invalid(option: name, message: "--\(name) is too small")
      }
      guard capacityFactor > 0, capacityFactor.isFinite, learningRate > 0, learningRate.isFinite, testFraction > 0, testFraction < 1 else {
        throw ReproductionError.invalid(option: "settings", message: "the capacity factor and the learning rate must be positive, the test fraction in (0, 1)")
      }
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var runs: [MixtureOfExpertsStudy.Run]
    public var summaries: [MixtureOfExpertsStudy.Summary]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  /// - Throws: ``ReproductionError/file(path:message:)`` when a dataset cannot be read;
  ///   ``ReproductionError/invalid(option:message:)`` when `top-k` exceeds `experts`.
  public func run(progress: ReproductionProgress) throws -> Result {
    try settings.validate(given: [])
    let total = settings.datasets.count * settings.arms.count * settings.seeds
    var runs: [MixtureOfExpertsStudy.Run] = []
    for dataset in settings.datasets {
      let split = try DistillationStudy.Split(
        try ReproductionData.dataset(dataset, beed: settings.beed, digits: settings.digits, rows: settings.rows),
        testFraction: settings.testFraction, seed: settings.seed)
      for arm in settings.arms {
        // The seeds' fits run side by side, one thread each (small models gain nothing from more).
        let fits = try Parallel.independentJobs(settings.seeds) { k in
          try MixtureOfExpertsStudy.fit(split, dataset: dataset, arm: arm, seed: settings.seed &+ UInt64(k), settings: settings)
        }
        runs += fits
        let accuracy = MeanDeviation(fits.map(\.accuracy)).formatted(4), cv = MeanDeviation(fits.map(\.loadCV)).formatted(3)
        progress(runs.count, of: total, "\(dataset), \(arm), \(fits.count) seeds: accuracy \(accuracy), load CV \(cv)")
      }
    }
    return Result(runs: runs, summaries: MixtureOfExpertsStudy.summarize(runs))
  }
}
