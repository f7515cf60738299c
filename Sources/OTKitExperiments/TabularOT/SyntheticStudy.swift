import OTKitNeural
import OTKitReport
import OTKitTabular

/// `otkit reproduce synthetic`: the simulation study of the tabular OT paper (arXiv
/// 2512.09530) on Gaussian classes in the plane: the transformer, its pretrained variant
/// and the OT classifier, accuracy, fit time and the OT metrics of training, mean and
/// standard deviation over repetitions.
///
/// - Complexity: `classes · separations · repetitions · 3` model fits (``Study/synthetic(_:keepExamples:progress:)``).
public struct SyntheticStudy: Reproduction {
  public static let experiment = Experiment.synthetic

  /// The study's settings (the paper's: separations 1, 2, 3, three repetitions, 200 epochs).
  public struct Settings: ReproductionSettings, TabularRunSettings, Equatable {
    public var separations: [Double] = [1, 2, 3]
    public var repetitions = 3
    public var seed: UInt64 = 0
    public var epochs = 200
    /// Where the transformers normalize: post (the study's) or pre.
    public var norm: NormPlacement = .post
    /// Instances per data set and tokens per instance (the study's 90 and 20).
    public var instances = 90
    public var tokens = 20

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.separations, s.repetitions, s.epochs, s.instances, s.tokens) = ([3], 1, 3, 12, 6)
      return s
    }

    public static let options = [
      ReproductionOption("separations", "The separations of the simulated classes, comma-separated."),
      ReproductionOption("repetitions", "Repetitions (new data) per setting."),
      ReproductionOption("seed", "The base seed of the data and the models."),
      ReproductionOption("epochs", "The most epochs of every model."),
      ReproductionOption("norm", "Where the transformers normalize: post (the study's) or pre."),
      ReproductionOption("instances", "Instances per simulated data set (half train)."),
      ReproductionOption("tokens", "Tokens per instance."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      if try setRunOption(option, to: text) { return }
      switch option {
      case "separations": separations = try OptionText.positives(text, option: option)
      case "instances": instances = try OptionText.integer(text, option: option, in: 4...1_000_000)
      case "tokens": tokens = try OptionText.integer(text, option: option, in: 1...100_000)
      default: throw ReproductionError.notAnOption(option)
      }
    }

    /// The library study's settings.
    var study: Study.SyntheticSettings {
      var s = Study.SyntheticSettings()
      (s.separations, s.repetitions, s.seed, s.instances, s.tokens) = (separations, repetitions, seed, instances, tokens)
      s.transformer.epochs = epochs
      s.transformer.normPlacement = norm
      s.ot.epochs = epochs
      return s
    }
  }

  /// The summaries per class count, separation and model, and the fitted examples of the
  /// first repetition at the middle separation (for the report's figures).
  public struct Result: Encodable {
    public var summaries: [Study.Summary]
    public var examples: [Study.Example]

    enum CodingKeys: String, CodingKey { case summaries }
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    let study = settings.study
    let keep = study.separations[study.separations.count / 2]
    let (runs, examples) = try Study.synthetic(study, keepExamples: keep, progress: progress)
    return Result(summaries: Study.summarize(runs, variance: study.variance), examples: examples)
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "The tabular OT study: simulated classes")
    StudyReport.synthetic(result.summaries, examples: result.examples, settings: settings.study, into: &report)
    return report
  }

  public func legacyFields(_ result: Result) -> [String: JSONValue] {
    ["rows": .array(result.summaries.map(\.flatRow))]
  }
}
