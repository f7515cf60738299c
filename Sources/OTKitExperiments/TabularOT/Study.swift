import Foundation
import OTKitCore
import OTKitTabular
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural
import OTKitReport

/// The result of fitting one model once.
public struct StudyRun: Sendable, Codable {
  public var model: String
  public var classes: Int
  /// The separation index of simulated data (`nil` for real data).
  public var separation: Double?
  public var repetition: Int
  public var accuracy: Double
  public var pointAccuracy: Double
  public var seconds: Double
  public var epochs: Int
  /// The OT metrics of training (transformers with a trace).
  public var metrics: TransportMetrics?
}

/// Mean and standard deviation (`n - 1`) of a sample, as the tables show them
/// (``SampleStatistics``' convention: the deviation is 0 for one value).
public struct MeanDeviation: Sendable, Codable, Equatable {
  public var mean: Double
  public var deviation: Double

  public init(_ values: [Double]) {
    let statistics = SampleStatistics(values)
    (mean, deviation) = (statistics.mean, statistics.deviation)
  }

  public func formatted(_ digits: Int) -> String {
    NumberFormat.estimate(mean, deviation, digits)
  }
}

/// The study of seed 000 ("Transformers for tabular data: a training perspective of self-attention via optimal
/// transport", A. Candelieri and A. Quadrio, arXiv 2512.09530): simulated Gaussian classes and
/// the BEED data, the transformer, its pretrained variant, the OT classifier and the MLP.
public enum Study {
  /// The simulation study's settings.
  public struct SyntheticSettings: Sendable {
    public var classes: [Int] = [2, 3]
    public var separations: [Double] = [1, 2, 3]
    public var repetitions: Int = 3
    public var instances: Int = 90
    public var tokens: Int = 20
    public var variance: Double = 2
    public var seed: UInt64 = 0
    /// The study's original transformer (`TransformerSettings.study`).
    public var transformer = TransformerSettings.study
    public var ot = OTClassifierSettings()

    public init() {}
  }

  /// A fitted example kept for the report.
  public struct Example {
    public var title: String
    public var train: SequenceData
    public var outcome: TrainingOutcome
  }

  /// Runs the simulation study: for every class count, separation and repetition, one data
  /// set (instances split by alternating positions), and the transformer, the pretrained
  /// transformer (both with a trace) and the OT classifier fitted on it.
  ///
  /// - Parameters:
  ///   - settings: The classes, separations, repetitions and models of the study.
  ///   - separation: Keep the fitted models of the first repetition at this separation
  ///     (`keepExamples:`).
  ///   - progress: called after each fit with the number done, the total and a message.
  public static func synthetic(
    _ settings: SyntheticSettings, keepExamples separation: Double? = nil,
    progress: ReproductionProgress = .silent
  ) throws -> (runs: [StudyRun], examples: [Example]) {
    var runs: [StudyRun] = []
    var examples: [Example] = []
    let total = settings.classes.count * settings.separations.count * settings.repetitions * 3
    for k in settings.classes {
      for s in settings.separations {
        let gaussians = ClassGaussians.study(classes: k, separation: s, variance: settings.variance)
        for r in 0..<settings.repetitions {
          let seed = settings.seed &+ UInt64(r) &* 1_000_003 &+ UInt64(k) &* 7919 &+ UInt64(s * 1000)
          let data = gaussians.simulate(instances: settings.instances, tokens: settings.tokens, seed: seed)
          let (train, test) = data.alternatingSplit()
          let keep = r == 0 && separation == s
          let models: [TabularModel] = [
            .transformer(settings.transformer), .pretrained(settings.transformer), .ot(settings.ot),
          ]
          for choice in models {
            let model = choice.name
            var outcome = try choice.seeded(seed).fit(sequenceTrain: train, sequenceTest: test, trace: model != "ot")
            if !keep { outcome.recorder = nil }
            runs.append(StudyRun(
              model: model, classes: k, separation: s, repetition: r, accuracy: outcome.test.accuracy,
              pointAccuracy: outcome.test.pointAccuracy, seconds: outcome.history.seconds, epochs: outcome.history.epochs,
              metrics: outcome.metrics?.total))
            if keep {
              examples.append(Example(title: "\(k) classes, separation \(s)", train: train, outcome: outcome))
            }
            progress(runs.count, of: total, "\(k) classes, s = \(s), run \(r + 1): \(model) \(String(format: "%.3f", outcome.test.accuracy))")
          }
        }
      }
    }
    return (runs, examples)
  }

  /// The BEED settings: the models compared on the first 2, 3 and 4 labels.
  public struct RealSettings: Sendable {
    public var classes: [Int] = [2, 3, 4]
    public var repetitions: Int = 1
    public var testFraction: Double = 0.2
    public var seed: UInt64 = 0
    public var models: [String] = ["ot", "transformer", "mlp"]
    /// The study's transformer with four changes for BEED's 6,400 one-token rows (the
    /// defaults of `TransformerSettings`): mini-batches of 64 instances, a feed-forward
    /// width of 64, a head of 16 units with dropout 0.1 (the study's full batch, width 32
    /// and an 8-unit head with dropout 0.4 reach 0.835 on 4 classes in 200 epochs; these
    /// reach 0.94-0.95 over seeds 0-2), and a 10% validation split for early stopping.
    public var transformer = TransformerSettings()
    public var ot = OTClassifierSettings()
    public var mlp = MLPSettings()

    public init() {}
  }

  /// Runs the real-data study: stratified splits (seed + repetition) of the labelled rows,
  /// one token per row.
  public static func real(
    _ table: CSVTable, file: String, settings: RealSettings, progress: ReproductionProgress = .silent
  ) throws -> [StudyRun] {
    var runs: [StudyRun] = []
    let total = settings.classes.count * settings.repetitions * settings.models.count
    for k in settings.classes {
      let data = try LabeledData(table: table, file: file, classes: k)
      for r in 0..<settings.repetitions {
        let seed = settings.seed &+ UInt64(r)
        let (train, test) = data.split(testFraction: settings.testFraction, seed: seed)
        let (sTrain, sTest) = (try SequenceData(train), try SequenceData(test))
        for model in settings.models {
          let choice: TabularModel
          switch model {
          case "ot": choice = .ot(settings.ot)
          case "mlp": choice = .mlp(settings.mlp)
          case "pretrained": choice = .pretrained(settings.transformer)
          default: choice = .transformer(settings.transformer)
          }
          let outcome = try choice.seeded(seed).fit(train: train, sequenceTrain: sTrain, sequenceTest: sTest)
          let (evaluation, history) = (outcome.test, outcome.history)
          runs.append(StudyRun(
            model: model, classes: k, separation: nil, repetition: r, accuracy: evaluation.accuracy,
            pointAccuracy: evaluation.pointAccuracy, seconds: history.seconds, epochs: history.epochs, metrics: nil))
          progress(runs.count, of: total, "\(k) classes, run \(r + 1): \(model) \(String(format: "%.4f", evaluation.accuracy)) in \(String(format: "%.2f", history.seconds)) s")
        }
      }
    }
    return runs
  }

  /// One table row per (classes, separation, model): means and deviations over repetitions.
  public struct Summary: Sendable, Codable {
    public var model: String
    public var classes: Int
    public var separation: Double?
    public var gaussDist: Double?
    public var runs: Int
    public var accuracy: MeanDeviation
    public var pointAccuracy: MeanDeviation
    public var seconds: MeanDeviation
    /// Mean and deviation of each OT metric of training, by its JSON name.
    public var metrics: [String: MeanDeviation]
  }

  /// Groups runs into summaries, in the order of first appearance.
  public static func summarize(_ runs: [StudyRun], variance: Double = 2) -> [Summary] {
    var keys: [String] = []
    var groups: [String: [StudyRun]] = [:]
    for run in runs {
      let key = "\(run.classes)|\(run.separation.map { "\($0)" } ?? "-")|\(run.model)"
      if groups[key] == nil { keys.append(key) }
      groups[key, default: []].append(run)
    }
    return keys.map { key in
      let group = groups[key]!
      let first = group[0]
      var metrics: [String: MeanDeviation] = [:]
      let withMetrics = group.compactMap(\.metrics)
      if withMetrics.count == group.count, let sample = withMetrics.first {
        for (index, figure) in sample.figures.enumerated() {
          metrics[figure.name] = MeanDeviation(withMetrics.map { $0.figures[index].value })
        }
      }
      let gauss = first.separation.flatMap { s in
        (first.classes == 2 || first.classes == 3) ? try? ClassGaussians.study(classes: first.classes, separation: s, variance: variance).gaussDist() : nil
      }
      return Summary(
        model: first.model, classes: first.classes, separation: first.separation, gaussDist: gauss, runs: group.count,
        accuracy: MeanDeviation(group.map(\.accuracy)), pointAccuracy: MeanDeviation(group.map(\.pointAccuracy)),
        seconds: MeanDeviation(group.map(\.seconds)), metrics: metrics)
    }
  }
}
