import Foundation
import OTKitNeural
import OTKitReport
import OTKitTabular

/// `otkit reproduce monge-gap-classifier`: the entropic Monge gap (A. Uscidda and M. Cuturi,
/// ICML 2023) as a regularizer of the OT classifier's map `T_theta` (seed 000, A. Candelieri
/// and A. Quadrio, arXiv 2512.09530) on BEED and digits: test accuracy, its change against the
/// same seed without the gap, and the exact gap of `T_theta` on held-out points.
///
/// - Complexity: `datasets · seeds · weights` classifier fits; with the gap, one Sinkhorn
///   solve on `points x points` costs per step.
public struct MongeGapClassifierReproduction: Reproduction {
  public static let experiment = Experiment.mongeGapClassifier

  public struct Settings: ReproductionSettings, Equatable {
    /// `beed` (4 classes, one token of 16 channels per row) and `digits` (10 classes, one
    /// token of 64 pixels per row).
    public var datasets = ["beed", "digits"]
    /// The BEED CSV file (label column `y`).
    public var beed = "../shared/data/beed.csv"
    /// The digits CSV file (label column `label`).
    public var digits = "../shared/data/digits.csv"
    /// The gap's weights `lambda` (0: the study's classifier).
    public var weights = [0, 0.1, 1.0]
    public var seeds = 3
    public var seed: UInt64 = 0
    /// An evenly spaced subsample of each file's rows (0: every row).
    public var rows = 0
    /// The stratified share of rows held out for testing.
    public var testFraction = 0.2
    /// Points per step on which the gap is taken.
    public var points = 64
    /// Sinkhorn's epsilon of the gap as a share of the mean point-target cost.
    public var epsilon = 0.01
    /// Held-out points of the exact gap.
    public var heldOut = 512
    /// The classifier's other settings (the defaults of `otkit train --model ot`).
    public var classifier = OTClassifierSettings()

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.datasets, s.weights, s.seeds, s.rows, s.points, s.heldOut) = (["digits"], [0, 1], 1, 300, 32, 48)
      s.classifier.epochs = 3
      return s
    }

    public static let options = [
      ReproductionOption("datasets", "The datasets: beed, digits (comma-separated)."),
      ReproductionOption("beed", "The BEED CSV file (label column y)."),
      ReproductionOption("digits", "The digits CSV file (label column label)."),
      ReproductionOption("weights", "The Monge gap's weights lambda, 0 for none (comma-separated)."),
      ReproductionOption("seeds", "Seeds (splits and fits) per weight."),
      ReproductionOption("seed", "The first seed."),
      ReproductionOption("rows", "An evenly spaced subsample of each file's rows (0: every row)."),
      ReproductionOption("epochs", "The most epochs of each fit."),
      ReproductionOption("points", "Points per step on which the gap is taken."),
      ReproductionOption("gap-epsilon", "The gap's epsilon as a share of the mean point-target squared distance."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "datasets": datasets = try OptionText.list(text, option: option, must: "beed or digits", { $0 }, where: { ["beed", "digits"].contains($0) })
      case "beed": beed = text
      case "digits": digits = text
      case "weights": weights = try OptionText.list(text, option: option, must: "numbers of at least 0", { Double($0) }, where: { $0 >= 0 && $0.isFinite })
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "rows": rows = try OptionText.integer(text, option: option, in: 0...Int.max)
      case "epochs": classifier.epochs = try OptionText.integer(text, option: option, in: 1...100_000)
      case "points": points = try OptionText.integer(text, option: option, in: 2...4_096)
      case "gap-epsilon": epsilon = try OptionText.value(text, option: option, must: "a positive number", { Double($0) }, where: { $0 > 0 && $0.isFinite })
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var runs: [MongeGapClassifierStudy.Run]
    public var summaries: [MongeGapClassifierStudy.Summary]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  /// - Throws: ``ReproductionError/file(path:message:)`` when a dataset cannot be read.
  public func run(progress: ReproductionProgress) throws -> Result {
    let total = settings.datasets.count * settings.seeds * settings.weights.count
    var runs: [MongeGapClassifierStudy.Run] = []
    for dataset in settings.datasets {
      let data = try ReproductionData.dataset(dataset, beed: settings.beed, digits: settings.digits, rows: settings.rows)
      for k in 0..<settings.seeds {
        let seed = settings.seed &+ UInt64(k)
        let (train, test) = data.split(testFraction: settings.testFraction, seed: seed)
        let (sequenceTrain, sequenceTest) = (try SequenceData(train), try SequenceData(test))
        for weight in settings.weights {
          let run = try MongeGapClassifierStudy.run(
            dataset: dataset, train: sequenceTrain, test: sequenceTest, weight: weight, seed: seed, settings: settings)
          runs.append(run)
          progress(runs.count, of: total, "\(dataset), seed \(seed), lambda \(NumberFormat.general(weight)): accuracy \(NumberFormat.fixed(run.accuracy, 4)), exact gap \(NumberFormat.fixed(run.exactGap, 4)), \(NumberFormat.fixed(run.seconds, 1)) s")
        }
      }
    }
    return Result(runs: runs, summaries: MongeGapClassifierStudy.summarize(runs))
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "The Monge gap as a regularizer of the OT classifier's map")
    report.paragraph(
      "The OT classifier of seed 000 (an MLP \(settings.classifier.hidden) map T fitted by mean squared error to exact per-class assignments of the "
        + "standardized points to dummy class Gaussians) with lambda times the entropic Monge gap of T (squared Euclidean, epsilon \(NumberFormat.general(settings.epsilon)) of the "
        + "mean point-target cost) on \(settings.points) points of each step. \(settings.seeds) seed(s), each its own 80/20 stratified split; "
        + "the exact gap on up to \(settings.heldOut) held-out standardized points.")
    report.table(
      header: ["dataset", "lambda", "test accuracy", "change against lambda 0 (same seed)", "exact gap", "gap / displacement", "s"],
      rows: result.summaries.map { s in
        [s.dataset, NumberFormat.general(s.weight), s.accuracy.formatted(4), s.accuracyChange?.formatted(4) ?? "-",
         s.exactGap.formatted(4), s.relativeGap.formatted(4), s.seconds.formatted(1)]
      }, caption: "Mean ± sd over seeds")
    return report
  }
}
