import OTKitCore

/// The figures of a head's gauge (``ScoreGauge``) and of its interaction's normal form,
/// as `otkit attention` and `otkit inspect` report them.
public struct GaugeSummary: Sendable, Equatable, Codable {
  /// `||a 1^T + 1 b^T||^2 / ||S - mu||^2` over the carrier.
  public var unaryFraction: Double
  /// `||1 b^T||^2 / ||S - mu||^2`: the unary part a row anchor keeps.
  public var columnFieldShare: Double
  /// The interaction's largest singular values, descending (at most 32).
  public var singularValues: [Double]
  /// `exp(-sum p_k log p_k)`, `p_k = sigma_k^2 / sum sigma^2`.
  public var effectiveRank: Double
  /// `||I||_F^2 / sigma_1^2`.
  public var stableRank: Double
  /// The singular values above `1e-10` of the largest.
  public var numericalRank: Int
  /// The rank `r` of the normal form (the keys' width `d_k` for a dot-product chart).
  public var rank: Int
  /// `||I - I_r||_F / ||I||_F`: round-off when the chart's rank bound holds.
  public var residual: Double
  /// Whether the carrier's backfit met its tolerance.
  public var converged: Bool
}

extension ScoreGauge {
  /// The gauge's figures with the interaction's rank-`r` normal form.
  ///
  /// - Complexity: the SVD's, `O(n m min(n, m))` per sweep.
  public func summary(carrier: AttentionCarrier = .full, rank r: Int) -> GaugeSummary {
    let svd = interaction.singularValueDecomposition()
    return GaugeSummary(
      unaryFraction: unaryFraction(carrier: carrier), columnFieldShare: columnFieldShare(carrier: carrier),
      singularValues: Array(svd.values.prefix(32)), effectiveRank: svd.effectiveRank, stableRank: svd.stableRank,
      numericalRank: svd.numericalRank(), rank: r, residual: svd.truncationResidual(rank: r), converged: converged)
  }

  /// Whether the gauge and its SVD are computed for `n x m` scores by default: when
  /// `n m min(n, m)` is at most `2^27` (512 x 512), a few seconds at most.
  public static func isAffordable(rows n: Int, columns m: Int) -> Bool {
    let (product, overflow) = n.multipliedReportingOverflow(by: m)
    guard !overflow else { return false }
    let (cube, overflow2) = product.multipliedReportingOverflow(by: Swift.min(n, m))
    return !overflow2 && cube <= 1 << 27
  }
}
