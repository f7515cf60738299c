import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import OTKitTabular

/// The OT classifier of seed 000 with and without the entropic Monge gap on its map `T_theta`:
/// one fit per (dataset, seed, weight), its test accuracy and how far `T_theta` is from an
/// optimal map between the held-out points and their images (the exact gap).
public enum MongeGapClassifierStudy {
  /// One fit.
  public struct Run: Sendable, Codable, Equatable {
    public var dataset: String
    /// The gap's weight `lambda` (0: the study's regression alone).
    public var weight: Double
    public var seed: UInt64
    /// Instance-wise test accuracy.
    public var accuracy: Double
    /// The exact Monge gap `(1/n) sum_i |x_i - T(x_i)|^2 - W_2^2` on held-out standardized points.
    public var exactGap: Double
    /// `(1/n) sum_i |x_i - T(x_i)|^2` on the same points.
    public var displacement: Double
    public var seconds: Double
    public var epochs: Int
  }

  /// Means and deviations over seeds of one (dataset, weight).
  public struct Summary: Sendable, Codable, Equatable {
    public var dataset: String
    public var weight: Double
    public var runs: Int
    public var accuracy: MeanDeviation
    /// The accuracy minus that of the same seed's fit without the gap (`nil` without such fits).
    public var accuracyChange: MeanDeviation?
    public var exactGap: MeanDeviation
    /// The exact gap over the displacement: the share of the map's cost that an optimal
    /// rearrangement of the same images would save.
    public var relativeGap: MeanDeviation
    public var seconds: MeanDeviation
  }

  /// Fits the classifier on `train` and measures it on `test`.
  ///
  /// - Throws: the classifier's and the gap's errors.
  /// - Complexity: one OT classifier fit, with a Sinkhorn solve on `points x points` per step
  ///   when `weight > 0`, and one assignment on `heldOut` points.
  static func run(
    dataset: String, train: SequenceData, test: SequenceData, weight: Double, seed: UInt64,
    settings: MongeGapClassifierReproduction.Settings
  ) throws -> Run {
    var classifier = settings.classifier
    classifier.seed = seed
    classifier.mongeGap = weight > 0 ? MongeGapPenalty(weight: weight, points: settings.points, epsilon: settings.epsilon) : nil
    let model = OTClassifier(settings: classifier)
    let history = try model.fit(train)
    let accuracy = try model.evaluate(test).accuracy
    let count = min(settings.heldOut, test.points.rows)
    let rows = (0..<count).map { $0 * test.points.rows / count }
    let x = try model.standardizer!.transform(test.points.rows(at: rows))
    let y = try model.mapped(standardized: x)
    let displacement = (x - y).elements.reduce(0) { $0 + $1 * $1 } / Double(max(count, 1))
    return Run(
      dataset: dataset, weight: weight, seed: seed, accuracy: accuracy, exactGap: max(0, try TransportLoss.exactMongeGap(source: x, mapped: y)),
      displacement: displacement, seconds: history.seconds, epochs: history.epochs)
  }

  /// One summary per (dataset, weight), in the order of first appearance.
  public static func summarize(_ runs: [Run]) -> [Summary] {
    runs.groupedInOrder { "\($0.dataset)|\($0.weight)" }.map { group in
      let baseline = group.compactMap { run in runs.first { $0.dataset == run.dataset && $0.weight == 0 && $0.seed == run.seed }.map { run.accuracy - $0.accuracy } }
      return Summary(
        dataset: group[0].dataset, weight: group[0].weight, runs: group.count, accuracy: MeanDeviation(group.map(\.accuracy)),
        accuracyChange: baseline.count == group.count ? MeanDeviation(baseline) : nil, exactGap: MeanDeviation(group.map(\.exactGap)),
        relativeGap: MeanDeviation(group.map { $0.exactGap / max($0.displacement, 1e-300) }), seconds: MeanDeviation(group.map(\.seconds)))
    }
  }
}
