import Foundation
import OTKitCore

/// The structure of a head's gradient on its scores during training, seed 002's fourth
/// open question: the softmax's backward is REINFORCE with a baseline, `dL/dS = p (u - E_p u)`
/// for the utility `u = dL/dW`.
///
/// - `advantageMaxError`: `max |dL/dS - p (u - E_p u)|` with `dL/dS` read off the tape
///   (round-off for a softmax head at every step of training);
/// - `advantageSpread`: the mean over rows of `sqrt(E_p[(u - E_p u)^2])`;
/// - the variance of the one-sample score-function estimate `g = (u_j - b)(e_j - p)`,
///   `j ~ p`, of the same gradient, with the baseline `b = E_p u` and without (`b = 0`):
///   `E|g|^2 - |E g|^2` with `E|g|^2 = sum_j p_j (u_j - b)^2 (1 - 2 p_j + |p|^2)`, exactly,
///   averaged over rows. Their ratio is what the baseline buys.
public struct GradientStructure: Sendable, Codable, Equatable {
  public var advantageMaxError: Double
  public var advantageSpread: Double
  public var varianceBaselined: Double
  public var varianceNaive: Double
  /// The mean over rows of `|dL/dS_i|`: the gradient's size (it vanishes as rows saturate).
  public var gradientNorm: Double = 0
  /// The share of rows whose largest weight exceeds `1 - 1e-3` (softmax saturation).
  public var saturatedRowShare: Double = 0
  /// The effective rank of the head's context vectors `W V` (rank collapse), when known.
  public var contextEffectiveRank: Double?

  public init(advantageMaxError: Double, advantageSpread: Double, varianceBaselined: Double, varianceNaive: Double) {
    (self.advantageMaxError, self.advantageSpread) = (advantageMaxError, advantageSpread)
    (self.varianceBaselined, self.varianceNaive) = (varianceBaselined, varianceNaive)
  }

  /// The figures of one head: weights `p`, utility `u` and the tape's score gradient; with
  /// `values`, the context vectors' effective rank.
  ///
  /// - Complexity: `O(n m)`, plus the SVD of `W V` with `values`.
  public init(weights p: Matrix<Double>, upstream u: Matrix<Double>, scoreGradient g: Matrix<Double>, values: Matrix<Double>? = nil) {
    var (error, spread, baselined, naive, norms) = (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in 0..<p.rows {
      var (mean, norm) = (0.0, 0.0)
      for j in 0..<p.columns { mean += p[i, j] * u[i, j]; norm += p[i, j] * p[i, j] }
      var (gradientNorm, withBaseline, without, second) = (0.0, 0.0, 0.0, 0.0)
      for j in 0..<p.columns {
        let advantage = p[i, j] * (u[i, j] - mean)
        let difference = abs(g[i, j] - advantage)
        if !(difference <= error) { error = difference }
        gradientNorm += advantage * advantage
        let distance = 1 - 2 * p[i, j] + norm
        withBaseline += p[i, j] * (u[i, j] - mean) * (u[i, j] - mean) * distance
        without += p[i, j] * u[i, j] * u[i, j] * distance
        second += p[i, j] * (u[i, j] - mean) * (u[i, j] - mean)  // two passes: no cancellation
      }
      spread += second.squareRoot()
      norms += (0..<p.columns).reduce(0) { $0 + g[i, $1] * g[i, $1] }.squareRoot()
      baselined += Swift.max(withBaseline - gradientNorm, 0)
      naive += Swift.max(without - gradientNorm, 0)
    }
    let rows = Double(Swift.max(p.rows, 1))
    self.init(advantageMaxError: error, advantageSpread: spread / rows, varianceBaselined: baselined / rows, varianceNaive: naive / rows)
    gradientNorm = norms / rows
    saturatedRowShare = Double(p.rowMaxima().filter { $0 > AttentionDiagnostics.saturationThreshold }.count) / rows
    contextEffectiveRank = values.map { Matrix.product(p, $0).singularValueDecomposition().effectiveRank }
  }

  /// Several samples of one head as one: the largest error, the mean of the rest.
  public static func merged(_ samples: [GradientStructure]) -> GradientStructure {
    let n = Double(Swift.max(samples.count, 1))
    func mean(_ f: (GradientStructure) -> Double) -> Double { samples.map(f).reduce(0, +) / n }
    var merged = GradientStructure(
      advantageMaxError: samples.map(\.advantageMaxError).largestErrorPropagatingNaN(),
      advantageSpread: mean(\.advantageSpread), varianceBaselined: mean(\.varianceBaselined), varianceNaive: mean(\.varianceNaive))
    (merged.gradientNorm, merged.saturatedRowShare) = (mean(\.gradientNorm), mean(\.saturatedRowShare))
    let ranks = samples.compactMap(\.contextEffectiveRank)
    merged.contextEffectiveRank = ranks.count == samples.count && !ranks.isEmpty ? ranks.reduce(0, +) / Double(ranks.count) : nil
    return merged
  }
}
