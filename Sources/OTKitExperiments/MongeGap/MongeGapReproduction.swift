import Foundation
import OTKitNeural
import OTKitReport

/// `otkit reproduce monge-gap`: transport maps learned with the Monge gap (A. Uscidda and
/// M. Cuturi, ICML 2023; spec `ot-training-signals.md` §1). (a) OTT-JAX's tutorial, a half
/// moon to an S-curve, an MLP map fitted by a Sinkhorn fitting loss alone and with the
/// Euclidean and squared Euclidean gaps; (b) Gaussians with a known optimal map, L2-UVP and
/// the exact gap on held-out points with and without the gap.
///
/// - Complexity: `(tutorial arms + dimensions · maps) · seeds` map fits of `steps` steps,
///   each two or three Sinkhorn solves on `batch x batch` costs.
public struct MongeGapReproduction: Reproduction {
  public static let experiment = Experiment.mongeGap

  public struct Settings: ReproductionSettings, Equatable {
    /// The tutorial's arms (``MongeGapStudy/arm(named:)``).
    public var arms = ["none", "l2:2", "l2sq:0.1"]
    public var dimensions = [2, 8]
    /// The benchmark's maps (``GaussianMapBenchmark/map(named:)``); the spec's `mlp:0.1`
    /// (`--set maps=...`) is left out of the defaults to keep them under 5 minutes.
    public var maps = ["optimal", "mlp:0", "mlp:1", "icnn:0", "entropic"]
    /// The entropic map's samples per side and its epsilon (times the mean cost).
    public var entropicSamples = 1_024
    public var entropicEpsilon = 0.01
    public var seeds = 1
    public var seed: UInt64 = 0
    /// The tutorial runs 5,000 steps; the defaults run fewer to finish in minutes.
    public var tutorialSteps = 800
    /// The spec's benchmark runs 3,000 steps.
    public var benchmarkSteps = 500
    /// The tutorial's batch.
    public var batch = 256
    /// The benchmark's batch.
    public var benchmarkBatch = 128
    public var validationBatches = 4
    public var heldOut = 512
    /// The tutorial's map: an MLP of widths 32, 64, 32 (GELU); the benchmark's 64, 64.
    public var tutorialHidden = [32, 64, 32]
    public var benchmarkHidden = [64, 64]
    /// How the tutorial's map starts: Flax's LeCun normal, as OTT-JAX's MLP.
    public var initialization = WeightInitialization.lecunNormal
    /// Adam at 1e-3, OTT's epsilons (fitting 0.1, gap 0.01 of the batches' mean costs) and
    /// Sinkhorn's tolerance 1e-3 with at most 2,000 iterations.
    public var estimator = MongeGapEstimator()

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.arms, s.dimensions, s.maps, s.tutorialSteps, s.benchmarkSteps) = (["none", "l2sq:0.1"], [2], ["mlp:1", "icnn:0", "entropic"], 20, 20)
      (s.batch, s.benchmarkBatch, s.validationBatches, s.heldOut, s.entropicSamples) = (32, 32, 1, 48, 64)
      return s
    }

    public static let options = [
      ReproductionOption("arms", "The tutorial's arms: none, l2:LAMBDA, l2sq:LAMBDA (comma-separated)."),
      ReproductionOption("dimensions", "The Gaussian benchmark's dimensions (comma-separated)."),
      ReproductionOption("maps", "The Gaussian benchmark's maps: mlp:LAMBDA, icnn:LAMBDA (the Monge gap at LAMBDA), entropic, optimal (comma-separated)."),
      ReproductionOption("seeds", "Seeds per arm."),
      ReproductionOption("seed", "The first seed."),
      ReproductionOption("tutorial-steps", "Adam steps of the tutorial's fits."),
      ReproductionOption("benchmark-steps", "Adam steps of the benchmark's fits."),
      ReproductionOption("batch", "Points per batch of the tutorial."),
      ReproductionOption("benchmark-batch", "Points per batch of the benchmark."),
      ReproductionOption("initialization", "How the tutorial's map starts: lecunNormal (Flax's, as OTT-JAX) or glorotUniform (Keras's)."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "arms": arms = try OptionText.list(text, option: option, must: "none, l2:LAMBDA or l2sq:LAMBDA", { $0 }, where: { MongeGapStudy.arm(named: $0) != nil })
      case "dimensions": dimensions = try OptionText.list(text, option: option, must: "integers from 1 to 64", { Int($0) }, where: { (1...64).contains($0) })
      case "maps": maps = try OptionText.list(text, option: option, must: "mlp:LAMBDA, icnn:LAMBDA, entropic or optimal", { $0 }, where: { GaussianMapBenchmark.map(named: $0) != nil })
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "tutorial-steps": tutorialSteps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "benchmark-steps": benchmarkSteps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "batch": batch = try OptionText.integer(text, option: option, in: 4...4096)
      case "benchmark-batch": benchmarkBatch = try OptionText.integer(text, option: option, in: 4...4096)
      case "initialization": initialization = try OptionText.value(text, option: option, must: "lecunNormal or glorotUniform", { WeightInitialization(rawValue: $0) })
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var tutorial: [MongeGapStudy.TutorialRun]
    public var benchmark: [MongeGapStudy.BenchmarkRun]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    let total = (settings.arms.count + settings.dimensions.count * settings.maps.count) * settings.seeds
    var (tutorial, benchmark): ([MongeGapStudy.TutorialRun], [MongeGapStudy.BenchmarkRun]) = ([], [])
    for k in 0..<settings.seeds {
      let seed = settings.seed &+ UInt64(k)
      for arm in settings.arms {
        let run = try MongeGapStudy.tutorial(arm: arm, seed: seed, settings: settings)
        tutorial.append(run)
        progress(tutorial.count + benchmark.count, of: total, "tutorial \(arm), seed \(seed): fitting \(NumberFormat.fixed(run.fitting, 4)), gap \(NumberFormat.fixed(run.gap, 4))")
      }
      for d in settings.dimensions {
        let problem = GaussianMapBenchmark(dimension: d, seed: settings.seed &+ UInt64(d))
        for map in settings.maps {
          let run = try problem.run(map: map, seed: seed, settings: settings)
          benchmark.append(run)
          progress(tutorial.count + benchmark.count, of: total, "Gaussians d = \(d), \(map), seed \(seed): L2-UVP \(NumberFormat.fixed(run.uvp, 2))%")
        }
      }
    }
    return Result(tutorial: tutorial, benchmark: benchmark)
  }

  public func report(_ result: Result) -> Report { MongeGapReport.report(result, settings: settings) }
}
