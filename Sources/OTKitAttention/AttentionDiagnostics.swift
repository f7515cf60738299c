import Foundation
import OTKitCore

/// What the transport view predicts about a head's weights
/// (Sander et al., "Sinkformers", AISTATS 2022; the one-sided EOT view of the softmax).
///
/// With scores `S` (already divided by the temperature `tau`) the cost of row `i` is
/// `c = -tau S_i`, and the one-sided entropic OT objective of a weight row `p` is
/// `<p, c> - tau H(p)`; the softmax is its minimizer, with value `-tau LSE(S_i)`, and the
/// gap of any `p` is `tau KL(p || softmax(S_i))`.
public struct AttentionDiagnostics: Sendable, Equatable, Codable {
  /// Mean Shannon entropy of the weight rows (nats).
  public var entropy: Double
  /// The share of weights that are exactly zero.
  public var zeroFraction: Double
  /// `max_i |sum_j W_ij - 1|`.
  public var rowMarginalError: Double
  /// `max_j |sum_i W_ij - n / m|`: the distance from doubly stochastic.
  public var columnMarginalError: Double
  /// Mean over rows of `sum_j |W_ij - P_ij|` with `P` the entropic OT plan of the same
  /// kernel (Sinkhorn to convergence, rows 1, columns `n / m`).
  public var planDistance: Double
  /// Mean over rows of the one-sided EOT objective of the weights.
  public var oneSidedObjective: Double
  /// Mean over rows of its minimum `-tau LSE(S_i)` (the softmax's value).
  public var oneSidedMinimum: Double
  /// Whether the entropic plan's Sinkhorn reached `1e-9`.
  public var planConverged: Bool
  /// The share of rows whose largest weight exceeds `1 - 1e-3`: softmax saturation, a
  /// failure signature of seed 002 (the gradient through such a row vanishes).
  public var saturatedRowShare: Double = 0
  /// Seed 002's identities on the head (set by the autograd library's measurement).
  public var identities: AttentionIdentities?
  /// The gauge of the scores and the interaction's normal form (Geometric Attention).
  public var gauge: GaugeSummary?
  /// The numerical rank of the context vectors `W V` (singular values above `1e-10` of
  /// the largest): rank collapse, a failure signature.
  public var contextRank: Int?
  /// The effective rank of the context vectors.
  public var contextEffectiveRank: Double?

  /// The weight above which a row counts as saturated: `1 - 1e-3`.
  public static let saturationThreshold = 1 - 1e-3

  /// The gap `objective - minimum >= 0` (zero for the softmax).
  public var oneSidedGap: Double { oneSidedObjective - oneSidedMinimum }

  /// The diagnostics of `weights` (`n x m`) for `scores` (divided by the temperature).
  ///
  /// - Complexity: `O(n m)` plus a Sinkhorn solve to convergence.
  public init(weights w: Matrix<Double>, scores s: Matrix<Double>, temperature tau: Double) {
    let (n, m) = (w.rows, w.columns)
    var entropy = 0.0, zeros = 0, objective = 0.0, minimum = 0.0
    let lse = s.rowLogSumExp()
    for i in 0..<n {
      var h = 0.0, linear = 0.0
      for j in 0..<m {
        let p = w[i, j]
        if p > 0 {
          h -= p * Foundation.log(p)
          if s[i, j].isFinite { linear += p * s[i, j] } else { linear = -.infinity }
        } else if p == 0 {
          zeros += 1
        }
      }
      entropy += h
      objective += tau * (-linear - h)
      minimum += -tau * lse[i]
    }
    self.entropy = entropy / Double(max(n, 1))
    zeroFraction = Double(zeros) / Double(max(n * m, 1))
    oneSidedObjective = objective / Double(max(n, 1))
    oneSidedMinimum = minimum / Double(max(n, 1))
    let rows = w.rowSums(), columns = w.columnSums()
    rowMarginalError = rows.map { abs($0 - 1) }.max() ?? 0
    let target = Double(n) / Double(max(m, 1))
    columnMarginalError = columns.map { abs($0 - target) }.max() ?? 0
    let plan = SinkhornAnchor.normalize(s, steps: 20_000, tolerance: 1e-9)
    planConverged = plan.rowError <= 1e-8 && plan.columnError <= 1e-8
    var distance = 0.0
    for i in 0..<n { for j in 0..<m { distance += abs(w[i, j] - plan.weights[i, j]) } }
    planDistance = distance / Double(max(n, 1))
    saturatedRowShare = Double(w.rowMaxima().filter { $0 > Self.saturationThreshold }.count) / Double(max(n, 1))
  }

  /// The one-sided EOT objective `<p, c> - tau H(p)` of one weight row for scores `s`
  /// (divided by `tau`; the cost is `c = -tau s`).
  public static func oneSidedObjective(weights p: [Double], scores s: [Double], temperature tau: Double) -> Double {
    var value = 0.0
    for (pj, sj) in zip(p, s) where pj > 0 { value += pj * (-tau * sj) + tau * pj * Foundation.log(pj) }
    return value
  }

  /// The score gradient of a softmax head as probability times advantage (REINFORCE with a
  /// baseline): `dL/dS_ij = p_ij (u_ij - E_p[u_i])` with `u = dL/dW`, for scores `S`
  /// already divided by the temperature (the raw scores `tau S` get a further `1 / tau`).
  ///
  /// - Complexity: `O(n m)` (one baseline per row).
  public static func advantageGradient(weights p: Matrix<Double>, upstream u: Matrix<Double>) -> Matrix<Double> {
    var out = Matrix<Double>(rows: p.rows, columns: p.columns)
    for i in 0..<p.rows {
      var baseline = 0.0
      for k in 0..<p.columns { baseline += p[i, k] * u[i, k] }
      for j in 0..<p.columns { out[i, j] = p[i, j] * (u[i, j] - baseline) }
    }
    return out
  }

  /// The Jacobian of `softmax(s / tau)` with respect to the raw scores `s`:
  /// `(diag p - p p^T) / tau`; it is the Hessian of the dual potential `tau LSE(s / tau)`
  /// and `1 / tau` times the Fisher information of the categorical distribution `p`.
  public static func softmaxJacobian(probabilities p: [Double], temperature tau: Double) -> Matrix<Double> {
    Matrix(rows: p.count, columns: p.count) { i, j in ((i == j ? p[i] : 0) - p[i] * p[j]) / tau }
  }

  /// The Fisher information of a categorical distribution in its natural parameters:
  /// `E_y[(e_y - p)(e_y - p)^T]`, computed as the expectation.
  public static func fisherInformation(probabilities p: [Double]) -> Matrix<Double> {
    var f = Matrix<Double>(rows: p.count, columns: p.count)
    for (y, py) in p.enumerated() {
      for i in 0..<p.count {
        for j in 0..<p.count {
          f[i, j] += py * ((i == y ? 1 : 0) - p[i]) * ((j == y ? 1 : 0) - p[j])
        }
      }
    }
    return f
  }
}

extension AttentionDiagnostics {
  enum ReportKeys: String, CodingKey {
    case entropy, zeroFraction, rowMarginalError, columnMarginalError, planDistance, planConverged
    case oneSidedObjective, oneSidedMinimum, oneSidedGap, saturatedRowShare
    case advantageMaxError, gradientMax, fisherHessianMaxError, jacobianRows, advantageSpread
    case unaryFraction, columnFieldShare, interactionSingularValues, interactionEffectiveRank, interactionStableRank
    case interactionNumericalRank, interactionRank, interactionResidual, contextRank, contextEffectiveRank
  }

  /// The figures as `otkit attention --json` prints them per head (the stored ones,
  /// `oneSidedGap`, the identities and the gauge flattened; non-finite numbers and what
  /// was not computed as `null`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: ReportKeys.self)
    try c.encodeFinite(entropy, forKey: .entropy)
    try c.encodeFinite(zeroFraction, forKey: .zeroFraction)
    try c.encodeFinite(rowMarginalError, forKey: .rowMarginalError)
    try c.encodeFinite(columnMarginalError, forKey: .columnMarginalError)
    try c.encodeFinite(planDistance, forKey: .planDistance)
    try c.encode(planConverged, forKey: .planConverged)
    try c.encodeFinite(oneSidedObjective, forKey: .oneSidedObjective)
    try c.encodeFinite(oneSidedMinimum, forKey: .oneSidedMinimum)
    try c.encodeFinite(oneSidedGap, forKey: .oneSidedGap)
    try c.encodeFinite(saturatedRowShare, forKey: .saturatedRowShare)
    try encodeIdentities(&c)
    try encodeGauge(&c)
    try contextRank.map { try c.encode($0, forKey: .contextRank) } ?? c.encodeNil(forKey: .contextRank)
    try c.encodeFinite(contextEffectiveRank, forKey: .contextEffectiveRank)
  }

  func encodeIdentities(_ c: inout KeyedEncodingContainer<ReportKeys>) throws {
    try c.encodeFinite(identities?.advantageMaxError, forKey: .advantageMaxError)
    try c.encodeFinite(identities?.gradientMax, forKey: .gradientMax)
    try c.encodeFinite(identities?.fisherHessianMaxError, forKey: .fisherHessianMaxError)
    try identities.map { try c.encode($0.jacobianRows, forKey: .jacobianRows) } ?? c.encodeNil(forKey: .jacobianRows)
    try c.encodeFinite(identities?.advantageSpread, forKey: .advantageSpread)
  }

  func encodeGauge(_ c: inout KeyedEncodingContainer<ReportKeys>) throws {
    try c.encodeFinite(gauge?.unaryFraction, forKey: .unaryFraction)
    try c.encodeFinite(gauge?.columnFieldShare, forKey: .columnFieldShare)
    try gauge.map { try c.encode($0.singularValues, forKey: .interactionSingularValues) }
      ?? c.encodeNil(forKey: .interactionSingularValues)
    try c.encodeFinite(gauge?.effectiveRank, forKey: .interactionEffectiveRank)
    try c.encodeFinite(gauge?.stableRank, forKey: .interactionStableRank)
    try gauge.map { try c.encode($0.numericalRank, forKey: .interactionNumericalRank) } ?? c.encodeNil(forKey: .interactionNumericalRank)
    try gauge.map { try c.encode($0.rank, forKey: .interactionRank) } ?? c.encodeNil(forKey: .interactionRank)
    try c.encodeFinite(gauge?.residual, forKey: .interactionResidual)
  }
}
