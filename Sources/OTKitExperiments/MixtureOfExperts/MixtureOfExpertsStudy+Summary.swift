import Foundation
import OTKitCore

extension MixtureOfExpertsStudy {
  /// One router over seeds.
  public struct Summary: Sendable, Codable, Equatable {
    public var dataset: String
    public var arm: String
    public var accuracy: MeanDeviation
    /// The half-width of the 95% confidence interval of the mean accuracy (Student's t).
    public var interval: Double
    public var loadCV: MeanDeviation
    public var maxOverMeanLoad: MeanDeviation
    public var deadExperts: MeanDeviation
    public var trainingMaxOverMean: MeanDeviation
    public var droppedShare: MeanDeviation
    /// Against the same seeds' `softmax+aux` arm (the auxiliary loss), when there is one.
    public var againstAuxiliary: DistillationStudy.PairedComparison?
    public var secondsPerStep: MeanDeviation
    /// The load history averaged over seeds (`windows x experts`).
    public var loadHistory: [[Double]]
  }

  /// One summary per (dataset, arm), in the order of first appearance.
  static func summarize(_ runs: [Run]) -> [Summary] {
    runs.groupedInOrder { [$0.dataset, $0.arm] }.map { group in
      let first = group[0]
      let baseline = group.compactMap { r in runs.first { $0.dataset == r.dataset && $0.arm == "softmax+aux" && $0.seed == r.seed } }
      let accuracy = group.map(\.accuracy)
      let windows = first.loadHistory.count, experts = first.loadHistory.first?.count ?? 0
      let history = (0..<windows).map { w in (0..<experts).map { e in group.reduce(0) { $0 + $1.loadHistory[w][e] } / Double(group.count) } }
      return Summary(
        dataset: first.dataset, arm: first.arm, accuracy: MeanDeviation(accuracy),
        interval: DistillationStudy.studentT95(degrees: accuracy.count - 1) * SampleStatistics(accuracy).standardError,
        loadCV: MeanDeviation(group.map(\.loadCV)), maxOverMeanLoad: MeanDeviation(group.map(\.maxOverMeanLoad)),
        deadExperts: MeanDeviation(group.map { Double($0.deadExperts) }), trainingMaxOverMean: MeanDeviation(group.map(\.trainingMaxOverMean)),
        droppedShare: MeanDeviation(group.map(\.droppedShare)),
        againstAuxiliary: baseline.count == group.count && first.arm != "softmax+aux"
          ? DistillationStudy.paired(accuracy, baseline.map(\.accuracy)) : nil,
        secondsPerStep: MeanDeviation(group.map(\.secondsPerStep)), loadHistory: history)
    }
  }
}
