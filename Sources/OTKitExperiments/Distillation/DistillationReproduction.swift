import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import OTKitReport

/// `otkit reproduce distill`: Sinkhorn knowledge distillation against KL, reverse KL and
/// Jensen-Shannon (X. Cui et al., LREC-COLING 2024; spec `ot-training-signals.md` §2): a
/// teacher MLP 64-256-256 trained once per dataset on a fixed 70/30 split, students 16 wide
/// distilled with each loss over seeds; test accuracy with its 95% interval, agreement with
/// the teacher, the paired difference against KD with a sign test; teacher logits scaled
/// by 5 as the spec's little-overlap stress.
///
/// - Complexity: per dataset one teacher fit and `scales · arms · seeds` student fits of
///   `epochs` epochs; SinKD adds `O(20 · batch²)` per step.
public struct DistillationReproduction: Reproduction {
  public static let experiment = Experiment.distill

  public struct Settings: ReproductionSettings, Equatable {
    public var datasets = ["digits", "beed"]
    public var beed = "../shared/data/beed.csv"
    public var digits = "../shared/data/digits.csv"
    /// `ce`, `kl`, `rkl`, `js`, each optionally `+sinkd[:SCALE]` or `+sinkd-sample[:SCALE]`.
    public var arms = ["ce", "kl", "rkl", "js", "kl+sinkd", "kl+sinkd:0.02", "kl+sinkd:0.2", "kl+sinkd-sample"]
    /// Multipliers of the teacher's logits (5: little overlap between teacher and student).
    public var teacherScales = [1.0, 5.0]
    public var seeds = 10
    public var seed: UInt64 = 0
    /// An evenly spaced subsample of each file's rows (0: every row): 2,000 keeps every
    /// digit and a quarter of BEED, so that the defaults finish in minutes.
    public var rows = 2_000
    public var testFraction = 0.3
    public var teacherHidden = [256, 256]
    public var teacherEpochs = 30
    public var studentHidden = [16]
    public var epochs = 30
    public var batch = 16
    public var learningRate = 1e-3

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.datasets, s.arms, s.teacherScales, s.seeds, s.rows, s.epochs, s.teacherEpochs) = (["digits"], ["ce", "kl", "js+sinkd"], [1], 2, 200, 2, 2)
      return s
    }

    public static let options = [
      ReproductionOption("datasets", "The datasets: digits, beed (comma-separated)."),
      ReproductionOption("beed", "The BEED CSV file (label column y)."),
      ReproductionOption("digits", "The digits CSV file (label column label)."),
      ReproductionOption("arms", "The losses: ce, kl, rkl, js, each optionally +sinkd[:SCALE] (batch-wise) or +sinkd-sample[:SCALE] (comma-separated)."),
      ReproductionOption("teacher-scales", "Multipliers of the teacher's logits (comma-separated)."),
      ReproductionOption("seeds", "Student seeds per arm."),
      ReproductionOption("seed", "The seed of the split, the teacher and the first student."),
      ReproductionOption("rows", "An evenly spaced subsample of each file's rows (0: every row)."),
      ReproductionOption("epochs", "Epochs of each student fit."),
      ReproductionOption("batch", "Rows per step of the students."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "datasets": datasets = try OptionText.list(text, option: option, must: "digits or beed", { $0 }, where: { ["beed", "digits"].contains($0) })
      case "beed": beed = text
      case "digits": digits = text
      case "arms": arms = try OptionText.list(text, option: option, must: "ce, kl, rkl or js, each optionally +sinkd[:SCALE] or +sinkd-sample[:SCALE]", { $0 }, where: { DistillationStudy.arm(named: $0) != nil })
      case "teacher-scales": teacherScales = try OptionText.positives(text, option: option)
      case "seeds": seeds = try OptionText.integer(text, option: option, in: 1...100)
      case "seed": seed = try OptionText.seed(text, option: option)
      case "rows": rows = try OptionText.integer(text, option: option, in: 0...Int.max)
      case "epochs": epochs = try OptionText.integer(text, option: option, in: 1...100_000)
      case "batch": batch = try OptionText.integer(text, option: option, in: 2...4_096)
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var runs: [DistillationStudy.Run]
    public var summaries: [DistillationStudy.Summary]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  /// - Throws: ``ReproductionError/file(path:message:)`` when a dataset cannot be read.
  public func run(progress: ReproductionProgress) throws -> Result {
    let total = settings.datasets.count * settings.teacherScales.count * settings.arms.count * settings.seeds
    var runs: [DistillationStudy.Run] = []
    var teacherAccuracy: [String: Double] = [:]
    for dataset in settings.datasets {
      let split = try DistillationStudy.Split(
        try ReproductionData.dataset(dataset, beed: settings.beed, digits: settings.digits, rows: settings.rows), testFraction: settings.testFraction,
        seed: settings.seed)
      let teacher = try DistillationStudy.teacher(split, settings: settings)
      let (logits, testLogits) = (teacher(Graph.inference().constant(split.train)).value, teacher(Graph.inference().constant(split.test)).value)
      let teacherTest = argmaxRows(testLogits)
      teacherAccuracy[dataset] = Double(zip(teacherTest, split.testLabels).filter { $0 == $1 }.count) / Double(max(teacherTest.count, 1))
      for scale in settings.teacherScales {
        for arm in settings.arms {
          for k in 0..<settings.seeds {
            let seed = settings.seed &+ UInt64(k)
            let fit = try DistillationStudy.student(split, teacherLogits: logits * scale, teacherTest: teacherTest, arm: arm, seed: seed, settings: settings)
            runs.append(DistillationStudy.Run(
              dataset: dataset, teacherScale: scale, arm: arm, seed: seed, accuracy: fit.accuracy, agreement: fit.agreement, seconds: fit.seconds))
            progress(runs.count, of: total, "\(dataset), teacher x\(NumberFormat.general(scale)), \(arm), seed \(seed): accuracy \(NumberFormat.fixed(fit.accuracy, 4))")
          }
        }
      }
    }
    return Result(runs: runs, summaries: DistillationStudy.summarize(runs, teacherAccuracy: teacherAccuracy))
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "Sinkhorn knowledge distillation against KL, reverse KL and Jensen-Shannon")
    report.paragraph(
      "A teacher MLP \(settings.teacherHidden) (ReLU, \(settings.teacherEpochs) epochs of cross-entropy) per dataset on one stratified "
        + "\(Int(100 - settings.testFraction * 100))/\(Int(settings.testFraction * 100)) split (seed \(settings.seed)); students \(settings.studentHidden) "
        + "trained \(settings.epochs) epochs on batches of \(settings.batch) with Adam at \(NumberFormat.general(settings.learningRate)) and "
        + "0.8 x divergence (temperature 3 to 1) + 0.2 x cross-entropy, plus 0.8 x SinKD's batch-wise term (epsilon 0.1, 20 scalings, "
        + "temperature 2, factor 0.002 unless given) where the arm says +sinkd, or the sample-wise term (cost 1 between classes, factor 1) "
        + "where it says +sinkd-sample; \(settings.seeds) student seeds. Teacher x5: its logits "
        + "multiplied by 5 (little overlap).")
    report.table(
      header: ["dataset", "teacher", "arm", "teacher accuracy", "student accuracy", "95% interval", "agreement", "against kl: difference", "wins / losses", "sign test p", "s"],
      rows: result.summaries.map { s in
        [s.dataset, "x" + NumberFormat.general(s.teacherScale), s.arm, NumberFormat.fixed(s.teacherAccuracy, 4), s.accuracy.formatted(4),
         "± " + NumberFormat.fixed(s.interval, 4), s.agreement.formatted(4), s.againstKD?.difference.formatted(4) ?? "-",
         s.againstKD.map { "\($0.wins) / \($0.losses)" } ?? "-", s.againstKD.map { NumberFormat.fixed($0.signTestP, 3) } ?? "-",
         NumberFormat.fixed(s.seconds, 2)]
      }, caption: "Mean ± sd over seeds")
    return report
  }
}
