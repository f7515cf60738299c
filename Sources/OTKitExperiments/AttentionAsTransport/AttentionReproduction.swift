import Foundation
import OTKitAttention
import OTKitNeural
import OTKitReport
import OTKitTabular

/// `otkit reproduce attention`: attention as transport across anchors (seeds 002 and 003,
/// QDSFormer's comparison): the tabular transformer trained with every anchor on the
/// simulated study data, BEED and digits over several seeds (accuracy, stability across
/// seeds, time per epoch, its heads read as transport), a temperature sweep of the softmax
/// (entropy against accuracy), the softmax trained with its gradient on the scores replaced
/// by the utility and by the natural gradient (question (c)), the doubly stochastic
/// matrices the anchors produce on a grid of inputs, and seed 002's open questions (a) and
/// (b) measured.
///
/// - Complexity: `(datasets · anchors + temperatures + preconditioning arms) · seeds`
///   transformer fits.
public struct AttentionReproduction: Reproduction {
  public static let experiment = Experiment.attention

  public struct Settings: ReproductionSettings, Equatable {
    public var datasets = ["simulated", "beed", "digits"]
    public var anchors = ["softmax", "sinkhorn-1", "sinkhorn-2", "sinkhorn-3", "sinkhorn-4", "sinkhorn-5", "sparsemax", "entmax-1.5", "orthostochastic", "circuit"]
    public var seeds = 3
    public var seed: UInt64 = 0
    /// The softmax's temperature sweep (multipliers of `sqrt(d_k)`), on the last dataset.
    public var temperatures = [0.25, 0.5, 1, 2, 4]
    /// Seed 002's question (c), on the last dataset: the softmax's gradient on the scores
    /// (Fisher-preconditioned), the utility alone and the natural gradient.
    public var preconditioning = ["softmax-utility", "softmax-natural"]
    /// Geometric Attention's regimes on the last dataset, softmax anchor
    /// (``AttentionStudy/regime(named:)``); the softmax's own runs are the `chart` regime.
    public var regimes = ["interaction", "field", "power:0.5", "window:1", "adaptive:2", "deep", "staged"]
    /// Instances per dataset (an evenly spaced subsample of the files; generated for the
    /// simulated data), 70% trained on.
    public var instances = 300
    /// Test instances whose attention is read per trained model.
    public var inspected = 16
    public var digits = "../shared/data/digits.csv"
    public var beed = "../shared/data/beed.csv"
    /// The transformer: one post-norm block of 4 heads of key size 8, feed-forward 32,
    /// RMSprop at 1e-2 on batches of 32, at most 30 epochs with early stopping.
    public var transformer: TransformerSettings = {
      var t = TransformerSettings()
      (t.heads, t.keySize, t.feedForward, t.headUnits, t.batchSize, t.epochs, t.patience) = (4, 8, 32, 16, 32, 30, 10)
      return t
    }()

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.datasets, s.anchors, s.seeds, s.temperatures, s.instances, s.inspected) = (["simulated"], ["softmax", "circuit"], 2, [2], 24, 2)
      (s.preconditioning, s.regimes) = (["softmax-natural"], ["adaptive:2"])
      s.transformer.epochs = 2
      return s
    }

    public static let options = [
      ReproductionOption("datasets", "The datasets: simulated, beed, digits (comma-separated)."),
      ReproductionOption("anchors", "The anchors: softmax, sinkhorn-K, sparsemax, entmax-ALPHA, orthostochastic, circuit (comma-separated)."),
      ReproductionOption("seeds", "Seeds per anchor (splits and initializations)."),
      ReproductionOption("seed", "The first seed."),
      ReproductionOption("temperatures", "The softmax's temperature sweep, multipliers of sqrt(d_k) (comma-separated)."),
      ReproductionOption("preconditioning", "The gradients compared with the softmax's: softmax-utility, softmax-natural (comma-separated)."),
      ReproductionOption("regimes", "Attention regimes of the softmax: interaction, field, power:Q, causal, window:R, adaptive:W, deep, staged (comma-separated; none for no run)."),
      ReproductionOption("instances", "Instances per dataset."),
      ReproductionOption("epochs", "The most epochs of every fit."),
      ReproductionOption("inspected", "Test instances whose attention is read per trained model."),
      ReproductionOption("digits", "The digits CSV file (label column label)."),
      ReproductionOption("beed", "The BEED CSV file (label column y)."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "datasets":
        datasets = try OptionText.list(text, option: option, must: "simulated, beed or digits", { $0 }, where: { ["simulated", "beed", "digits"].contains($0) })
      case "anchors": anchors = try OptionText.list(text, option: option, must: "anchor names", { $0 }, where: { AttentionStudy.anchor(named: $0) != nil })
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...1000)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "temperatures": temperatures = try OptionText.positives(text, option: option)
      case "preconditioning":
        preconditioning = try OptionText.list(
          text, option: option, must: "softmax-utility or softmax-natural", { $0 }, where: { ["softmax-utility", "softmax-natural"].contains($0) })
      case "regimes":
        regimes = text == "none" ? [] : try OptionText.list(text, option: option, must: "regime names", { $0 }, where: { AttentionStudy.regime(named: $0) != nil })
      case "instances": instances = try OptionText.integer(text, option: option, in: 10...1_000_000)
      case "epochs": transformer.epochs = try OptionText.integer(text, option: option, in: 1...100_000)
      case "inspected": inspected = try OptionText.integer(text, option: option, in: 1...10_000)
      case "digits": digits = text
      case "beed": beed = text
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  /// What the reproduction measured.
  public struct Result: Sendable, Codable, Equatable {
    public var runs: [AttentionStudy.Run]
    public var sweep: [AttentionStudy.Run]
    /// Question (c): the preconditioning arms (the softmax's own runs are in ``runs``).
    public var preconditioning: [AttentionStudy.Run]
    /// Geometric Attention's regimes (the softmax's own runs are in ``runs``).
    public var regimes: [AttentionStudy.Run]
    public var doublyStochastic: [DoublyStochasticMetrics]
    public var openQuestions: OpenQuestionMeasurements
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    let perSeed = settings.datasets.count * settings.anchors.count + settings.temperatures.count + settings.preconditioning.count
      + settings.regimes.count
    let total = perSeed * settings.seeds
    var (runs, sweep, preconditioning, regimes): ([AttentionStudy.Run], [AttentionStudy.Run], [AttentionStudy.Run], [AttentionStudy.Run]) = ([], [], [], [])
    func train(
      _ data: SequenceData, _ layout: TokenLayout, _ dataset: String, _ anchor: String, _ temperature: Double, regime: String = "chart"
    ) throws -> [AttentionStudy.Run] {
      try (0..<settings.seeds).map { k in
        let run = try AttentionStudy.train(
          data, layout: layout, dataset: dataset, anchor: anchor, temperature: temperature, seed: settings.seed &+ UInt64(k), settings: settings,
          regime: regime)
        let done = runs.count + sweep.count + preconditioning.count + regimes.count + k + 1
        progress(done, of: total, "\(dataset), \(anchor) (\(regime)) at temperature \(temperature), seed \(run.seed): accuracy \(String(format: "%.3f", run.accuracy))")
        return run
      }
    }
    for (d, name) in settings.datasets.enumerated() {
      let (data, layout) = try AttentionStudy.dataset(name, settings: settings)
      for anchor in settings.anchors {
        let trained = try train(data, layout, name, anchor, 1)
        runs += trained
      }
      guard d == settings.datasets.count - 1 else { continue }
      for temperature in settings.temperatures {
        let trained = try train(data, layout, name, "softmax", temperature)
        sweep += trained
      }
      for arm in settings.preconditioning {
        let trained = try train(data, layout, name, arm, 1)
        preconditioning += trained
      }
      for regime in settings.regimes {
        let trained = try train(data, layout, name, "softmax", 1, regime: regime)
        regimes += trained
      }
    }
    let doubly = ["sinkhorn-1", "sinkhorn-3", "sinkhorn-5", "sinkhorn-21", "orthostochastic", "circuit"].map {
      DoublyStochasticMetrics.measure(anchor: $0, tokens: 16, inputs: 24, seed: settings.seed)
    }
    return Result(
      runs: runs, sweep: sweep, preconditioning: preconditioning, regimes: regimes, doublyStochastic: doubly, openQuestions: .measure(seed: settings.seed))
  }

  public func report(_ result: Result) -> Report { AttentionReport.report(result, settings: settings) }
}
