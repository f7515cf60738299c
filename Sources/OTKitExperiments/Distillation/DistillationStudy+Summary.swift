import Foundation
import OTKitCore

extension DistillationStudy {
  /// One summary per (dataset, teacher scale, arm), in the order of first appearance.
  static func summarize(_ runs: [Run], teacherAccuracy: [String: Double]) -> [Summary] {
    runs.groupedInOrder { "\($0.dataset)|\($0.teacherScale)|\($0.arm)" }.map { group in
      let first = group[0]
      let baseline = group.compactMap { r in runs.first { $0.dataset == r.dataset && $0.teacherScale == r.teacherScale && $0.arm == "kl" && $0.seed == r.seed } }
      let accuracy = group.map(\.accuracy)
      return Summary(
        dataset: first.dataset, teacherScale: first.teacherScale, arm: first.arm, teacherAccuracy: teacherAccuracy[first.dataset] ?? 0,
        accuracy: MeanDeviation(accuracy), interval: studentT95(degrees: accuracy.count - 1) * SampleStatistics(accuracy).standardError,
        agreement: MeanDeviation(group.map(\.agreement)),
        againstKD: baseline.count == group.count && first.arm != "kl" ? paired(accuracy, baseline.map(\.accuracy)) : nil,
        seconds: group.map(\.seconds).reduce(0, +) / Double(group.count))
    }
  }

  /// The paired differences `a - b`, their wins and losses, and the two-sided sign test.
  static func paired(_ a: [Double], _ b: [Double]) -> PairedComparison {
    let differences = zip(a, b).map { $0 - $1 }
    let (wins, losses) = (differences.filter { $0 > 0 }.count, differences.filter { $0 < 0 }.count)
    return PairedComparison(difference: MeanDeviation(differences), wins: wins, losses: losses, signTestP: signTest(wins, losses))
  }

  /// The two-sided sign test: `min(1, 2 P(X <= min(wins, losses)))`, `X ~ Binomial(wins + losses, 1/2)`
  /// (ties dropped).
  ///
  /// - Complexity: `O(wins + losses)`.
  static func signTest(_ wins: Int, _ losses: Int) -> Double {
    let n = wins + losses
    guard n > 0 else { return 1 }
    var (term, tail) = (Foundation.pow(0.5, Double(n)), 0.0)
    for k in 0...min(wins, losses) {
      tail += term
      term *= Double(n - k) / Double(k + 1)
    }
    return min(1, 2 * tail)
  }

  /// Student's t quantile at 0.975 for `degrees` degrees of freedom (1.96 beyond 30).
  static func studentT95(degrees: Int) -> Double {
    let table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
    guard degrees >= 1 else { return 0 }
    return degrees <= table.count ? table[degrees - 1] : 1.96
  }
}
