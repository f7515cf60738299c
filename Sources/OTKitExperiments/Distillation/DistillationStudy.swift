import Foundation
import OTKitAutograd
import OTKitCore
import OTKitData
import OTKitNeural
import OTKitTabular

/// SinKD's tabular reproduction (spec `ot-training-signals.md` §2): a wide MLP teacher, a
/// small MLP student distilled with each loss over seeds, on one fixed split per dataset.
public enum DistillationStudy {
  /// One student fit.
  public struct Run: Sendable, Codable, Equatable {
    public var dataset: String
    /// The multiplier of the teacher's logits (5: the spec's little-overlap stress).
    public var teacherScale: Double
    public var arm: String
    public var seed: UInt64
    public var accuracy: Double
    /// The share of test rows where the student's class is the teacher's.
    public var agreement: Double
    public var seconds: Double
  }

  /// One arm over seeds.
  public struct Summary: Sendable, Codable, Equatable {
    public var dataset: String
    public var teacherScale: Double
    public var arm: String
    public var teacherAccuracy: Double
    public var accuracy: MeanDeviation
    /// The half-width of the 95% confidence interval of the mean accuracy (Student's t).
    public var interval: Double
    public var agreement: MeanDeviation
    /// Against the same seeds' `kl` arm: the mean paired difference, wins and losses, and
    /// the two-sided sign test's p-value (`nil` without a `kl` arm).
    public var againstKD: PairedComparison?
    public var seconds: Double
  }

  /// A paired comparison over seeds.
  public struct PairedComparison: Sendable, Codable, Equatable {
    public var difference: MeanDeviation
    public var wins: Int
    public var losses: Int
    public var signTestP: Double
  }

  /// The loss of an arm: `ce`, `kl`, `rkl`, `js`, each optionally `+sinkd` or `+sinkd:SCALE`
  /// (SinKD's batch-wise term at weight 0.8 and the given factor, 0.002 by default) or
  /// `+sinkd-sample[:SCALE]` (the sample-wise term, a mean over rows like the divergences:
  /// factor 1 by default).
  public static func arm(named name: String) -> Distillation? {
    let parts = name.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    var distillation: Distillation
    switch parts.first ?? "" {
    case "ce": distillation = Distillation(divergence: nil)
    default:
      guard let divergence = DistillationDivergence(rawValue: parts[0]) else { return nil }
      distillation = Distillation(divergence: divergence)
    }
    guard parts.count == 2 else { return distillation }
    let term = parts[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard term[0] == "sinkd" || term[0] == "sinkd-sample" else { return nil }
    var sinkhorn = SinkhornDistillation(granularity: term[0] == "sinkd" ? .batch : .sample)
    if sinkhorn.granularity == .sample { sinkhorn.scale = 1 }
    if term.count == 2 {
      guard let scale = Double(term[1]), scale > 0, scale.isFinite else { return nil }
      sinkhorn.scale = scale
    }
    distillation.sinkhorn = sinkhorn
    return distillation
  }

  /// A dataset standardized with its training rows' statistics, split once.
  struct Split {
    var train: Matrix<Double>, trainLabels: [Int]
    var test: Matrix<Double>, testLabels: [Int]
    var classes: Int

    init(_ data: LabeledData, testFraction: Double, seed: UInt64) throws {
      let (train, test) = data.split(testFraction: testFraction, seed: seed)
      let scaler = Standardizer(fitting: train.features)
      (self.train, self.test) = (try scaler.transform(train.features), try scaler.transform(test.features))
      (trainLabels, testLabels, classes) = (train.labels, test.labels, data.classLabels.count)
    }
  }

  /// The teacher of a split: an MLP of the settings' widths trained by cross-entropy.
  static func teacher(_ split: Split, settings: DistillationReproduction.Settings) throws -> MLP {
    var g = SeededGenerator(seed: settings.seed &+ 7_000)
    let teacher = MLP(sizes: [split.train.columns] + settings.teacherHidden + [split.classes], generator: &g)
    var configuration = TrainingConfiguration(epochs: settings.teacherEpochs, batchSize: 32, patience: nil, seed: settings.seed, showsProgress: false)
    configuration.restoreBest = false
    _ = try Trainer(configuration).fitClassifier(teacher, optimizer: Adam(learningRate: 1e-3), inputs: split.train, labels: split.trainLabels)
    return teacher
  }

  /// One student fit with one arm's loss.
  static func student(
    _ split: Split, teacherLogits: Matrix<Double>, teacherTest: [Int], arm: String, seed: UInt64, settings: DistillationReproduction.Settings
  ) throws -> (accuracy: Double, agreement: Double, seconds: Double) {
    var g = SeededGenerator(seed: seed)
    let student = MLP(sizes: [split.train.columns] + settings.studentHidden + [split.classes], generator: &g)
    var configuration = TrainingConfiguration(epochs: settings.epochs, batchSize: settings.batch, patience: nil, seed: seed &+ 1, showsProgress: false)
    configuration.restoreBest = false
    let history = try DistillationStudy.arm(named: arm)!.fit(
      student, optimizer: Adam(learningRate: settings.learningRate), inputs: split.train, teacher: teacherLogits, labels: split.trainLabels,
      configuration: configuration)
    let predicted = argmaxRows(student(Graph.inference().constant(split.test)).value)
    let n = Double(max(predicted.count, 1))
    return (Double(zip(predicted, split.testLabels).filter { $0 == $1 }.count) / n, Double(zip(predicted, teacherTest).filter { $0 == $1 }.count) / n, history.seconds)
  }
}
