import Foundation
import OTKitCore

/// Seed 002's identities read off one head: how far the head's gradient on its scores is
/// from probability times advantage, and its Jacobian from the Fisher information and the
/// Hessian of the dual potential ("Scaled-dot-product attention as one-sided entropic
/// optimal transport", arXiv 2508.08369).
///
/// For the softmax `p = softmax(s / tau)` and `u = dL/dp`, `dL/ds = p (u - E_p u) / tau`,
/// and `dp/ds = (diag p - p p^T) / tau` is the Hessian of `tau LSE(s / tau)` and `1 / tau`
/// times the Fisher information of the categorical `p`: both errors are round-off for a
/// softmax head. For the other anchors they measure how far the head is from that geometry.
/// The measurement itself (through the autograd tape) is in OTKitAutograd.
public struct AttentionIdentities: Sendable, Equatable, Codable {
  /// `max |g - p (u - E_p u) / tau|` over the head, `g` the tape's gradient on the raw
  /// scores for the upstream `u`.
  public var advantageMaxError: Double
  /// `max |g|`: the scale the error compares with.
  public var gradientMax: Double
  /// Over the sampled rows, the largest of `|J - F / tau|` and `|J - H|`, with `J` the
  /// tape's Jacobian of the row's weights in its scores, `F` the Fisher information of the
  /// row (as an expectation) and `H` the Hessian of `tau LSE(s / tau)` (by complex step);
  /// `nil` when not computed (a non-row anchor on a large head).
  public var fisherHessianMaxError: Double?
  /// The rows whose Jacobian was checked.
  public var jacobianRows: Int
  /// The mean over rows of `sqrt(E_p[(u - E_p u)^2])`: the spread of the advantage the
  /// gradient weighs.
  public var advantageSpread: Double

  public init(advantageMaxError: Double, gradientMax: Double, fisherHessianMaxError: Double?, jacobianRows: Int, advantageSpread: Double) {
    (self.advantageMaxError, self.gradientMax, self.fisherHessianMaxError) = (advantageMaxError, gradientMax, fisherHessianMaxError)
    (self.jacobianRows, self.advantageSpread) = (jacobianRows, advantageSpread)
  }

  /// `p (u - E_p u) / tau` for weights `p` (rows) and upstream `u`
  /// (``AttentionDiagnostics/advantageGradient(weights:upstream:)`` over `tau`).
  ///
  /// - Complexity: `O(n m)`.
  public static func advantageForm(weights p: Matrix<Double>, upstream u: Matrix<Double>, temperature tau: Double) -> Matrix<Double> {
    let form = AttentionDiagnostics.advantageGradient(weights: p, upstream: u)
    return tau == 1 ? form : form * (1 / tau)
  }

  /// The mean over rows of `sqrt(E_p[(u - E_p u)^2])`.
  public static func advantageSpread(weights p: Matrix<Double>, upstream u: Matrix<Double>) -> Double {
    var total = 0.0
    for i in 0..<p.rows {
      var (mean, spread) = (0.0, 0.0)
      for j in 0..<p.columns { mean += p[i, j] * u[i, j] }
      for j in 0..<p.columns { spread += p[i, j] * (u[i, j] - mean) * (u[i, j] - mean) }  // two passes: no cancellation
      total += spread.squareRoot()
    }
    return total / Double(Swift.max(p.rows, 1))
  }

  /// The Hessian of `tau LSE(s / tau)` (the Jacobian of `softmax(s / tau)`) by complex-step
  /// differentiation of the softmax: `H_jk = Im softmax_j((s + i h e_k) / tau) / h`,
  /// `h = 1e-20`, exact to round-off and independent of the closed form.
  ///
  /// W. Squire and G. Trapp, "Using complex variables to estimate derivatives of real
  /// functions", SIAM Review 40 (1998).
  ///
  /// - Complexity: `O(m^2)`.
  public static func dualPotentialHessian(scores s: [Double], temperature tau: Double) -> Matrix<Double> {
    let h = 1e-20
    let top = s.max() ?? 0
    let w = s.map { Foundation.exp(($0 - top) / tau) }
    let total = w.reduce(0, +)
    return Matrix(rows: s.count, columns: s.count) { j, k in
      // Only w_k gains an imaginary part: w_k (cos(h / tau) + i sin(h / tau)).
      let imaginaryK = w[k] * Foundation.sin(h / tau), realK = w[k] * Foundation.cos(h / tau)
      let (re, im) = (total - w[k] + realK, imaginaryK)
      let (wr, wi) = j == k ? (realK, imaginaryK) : (w[j], 0.0)
      return (wi * re - wr * im) / (re * re + im * im) / h
    }
  }
}
