import Foundation
import OTKitReport

/// `otkit reproduce flow`: conditional flow matching with independent, minibatch-OT and
/// Gibbs-weighted couplings (spec `ot-training-signals.md` §5): W-CFM's claim of OT-CFM's
/// straight paths at I-CFM's cost, on torchcfm's 2-D tasks, with W2, the normalized path
/// energy, Dormand-Prince's evaluations, the Euler steps that suffice, and W-CFM's tilt.
///
/// - Complexity: `tasks · arms · seeds` fits of `steps` steps (OT-CFM adds an exact solve
///   on each batch), each measured with one adaptive and up to eight Euler samplings and
///   exact `W2` on `samples x samples`.
public struct FlowReproduction: Reproduction {
  public static let experiment = Experiment.flow

  public struct Settings: ReproductionSettings, Equatable {
    public var tasks = ["8gaussians", "gaussian"]
    public var arms = ["icfm@256", "otcfm@16", "otcfm@64", "otcfm@256", "wcfm:0.5@256", "wcfm:1@256", "wcfm:2@256", "wcfm:5@256", "wcfm:1@16"]
    public var seeds = 1
    public var seed: UInt64 = 0
    /// The spec's 5,000 steps; it measures on 2,000 samples, the defaults on 1,000.
    public var steps = 5_000
    public var samples = 1_000
    public var sigma = 0.1
    /// The velocity field: an MLP on `(x, t)` of three hidden layers of 64 (GELU; torchcfm's is SELU).
    public var hidden = [64, 64, 64]
    public var learningRate = 1e-3

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.tasks, s.arms, s.steps, s.samples) = (["gaussian"], ["icfm@32", "otcfm@32", "wcfm:1@32"], 20, 64)
      return s
    }

    public static let options = [
      ReproductionOption("tasks", "The source distributions (to moons): 8gaussians, gaussian (comma-separated)."),
      ReproductionOption("arms", "The arms: icfm@B, otcfm@B, wcfm:KAPPA@B (epsilon = KAPPA x the median pair distance; comma-separated)."),
      ReproductionOption("seeds", "Seeds per arm."),
      ReproductionOption("seed", "The first seed."),
      ReproductionOption("steps", "Adam steps per fit."),
      ReproductionOption("samples", "Samples generated and held-out targets for the metrics."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "tasks": tasks = try OptionText.list(text, option: option, must: "8gaussians or gaussian", { $0 }, where: { FlowStudy.source($0) != nil })
      case "arms": arms = try OptionText.list(text, option: option, must: "icfm@B, otcfm@B or wcfm:KAPPA@B", { $0 }, where: { FlowStudy.arm(named: $0) != nil })
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "steps": steps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "samples": samples = try OptionText.integer(text, option: option, in: 8...20_000)
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var runs: [FlowStudy.Run]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    var runs: [FlowStudy.Run] = []
    let total = settings.tasks.count * settings.arms.count * settings.seeds
    for k in 0..<settings.seeds {
      for task in settings.tasks {
        for arm in settings.arms {
          let run = try FlowStudy.run(task: task, arm: arm, seed: settings.seed &+ UInt64(k), settings: settings)
          runs.append(run)
          progress(runs.count, of: total, "\(task), \(arm): W2 \(NumberFormat.fixed(run.w2, 3)), NPE \(NumberFormat.fixed(run.npe, 3))")
        }
      }
    }
    return Result(runs: runs)
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "Flow matching: independent, minibatch-OT and Gibbs-weighted couplings (W-CFM, torchcfm's 2-D tasks)")
    report.paragraph(
      "A velocity field MLP \(settings.hidden) on (x, t), Adam at \(settings.learningRate), \(settings.steps) steps, sigma \(settings.sigma); "
        + "samples by Dormand-Prince (tolerance 1e-4) from \(settings.samples) source points; W2 by exact OT against \(settings.samples) held-out "
        + "targets; NPE = |E - W2(mu, nu)^2| / W2(mu, nu)^2; Euler steps: the fewest of 1, 2, 4, ..., 128 within 10% of Dormand-Prince's W2; "
        + "ESS of W-CFM's source tilt (1: no tilt).")
    for task in settings.tasks {
      let rows = settings.arms.map { arm -> [String] in
        let runs = result.runs.filter { $0.task == task && $0.arm == arm }
        let ess = runs.compactMap(\.ess)
        return [arm, MeanDeviation(runs.map(\.w2)).formatted(3), MeanDeviation(runs.map(\.npe)).formatted(3),
                NumberFormat.fixed(Double(runs.map(\.nfe).reduce(0, +)) / Double(max(runs.count, 1)), 0),
                runs.map { $0.eulerSteps.map(String.init) ?? ">128" }.joined(separator: ", "),
                ess.isEmpty ? "-" : MeanDeviation(ess).formatted(3), NumberFormat.fixed(runs.map(\.seconds).reduce(0, +) / Double(max(runs.count, 1)), 1)]
      }
      report.table(header: ["arm", "W2", "NPE", "NFE", "Euler steps", "ESS", "s"], rows: rows, caption: "\(task) to moons")
      var chart = SVGChart(title: "\(task) to moons: samples of three arms", xLabel: "x", yLabel: "y")
      for (k, run) in result.runs.filter({ $0.task == task && $0.seed == settings.seed }).prefix(3).enumerated() {
        chart.addPoints(x: run.samples.map { $0[0] }, y: run.samples.map { $0[1] }, color: SVGChart.palette[k % SVGChart.palette.count], label: run.arm)
      }
      report.figures([chart])
    }
    return report
  }
}
