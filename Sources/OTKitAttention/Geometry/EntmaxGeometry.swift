import Foundation
import OTKitCore

/// The Tsallis geometry of alpha-entmax, seed 002's first open question: what takes the place
/// of "the Jacobian is the Hessian of the dual potential and the Fisher information" when the
/// Shannon entropy becomes the Tsallis entropy.
///
/// For `p = entmax_alpha(z) = argmax_{p in simplex} <p, z> + H_alpha(p)` with
/// `H_alpha(p) = sum_j (p_j - p_j^alpha) / (alpha (alpha - 1))`:
/// - what holds: the Jacobian `dp/dz` is the Hessian of the conjugate potential
///   `Omega*(z) = max_p <p, z> + H_alpha(p)` (its gradient is `p`, by Danskin), wherever the
///   support is locally constant; and it is `(sum_j p_j^(2 - alpha))` times the Fisher
///   information `diag(r) - r r^T` of the escort distribution `r = p^(2 - alpha) / sum p^(2 - alpha)`
///   of order `2 - alpha`, restricted to the support;
/// - what does not: the categorical Fisher identity `dp/dz = diag(p) - p p^T` fails for every
///   `alpha > 1` as soon as two weights of the support differ (the escort is not `p`); at
///   `alpha -> 1` the escort tends to `p`, the factor to 1, and the softmax identity returns;
///   at `alpha = 2` (sparsemax) the escort is uniform on the support.
///
/// B. Peters, V. Niculae and A. F. T. Martins, "Sparse sequence-to-sequence models", ACL 2019;
/// C. Tsallis, "Possible generalization of Boltzmann-Gibbs statistics", J. Stat. Phys. 52 (1988).
public enum EntmaxGeometry {
  /// `H_alpha(p) = sum_j (p_j - p_j^alpha) / (alpha (alpha - 1))` (`alpha > 1`).
  public static func tsallisEntropy(_ p: [Double], alpha: Double) -> Double {
    p.reduce(0) { $0 + ($1 - Foundation.pow($1, alpha)) } / (alpha * (alpha - 1))
  }

  /// `Omega*(z) = <p, z> + H_alpha(p)` at `p = entmax_alpha(z)`.
  public static func conjugatePotential(_ z: [Double], alpha: Double) -> Double {
    let p = AttentionAnchor.entmax(alpha: alpha).weights(Matrix(row: z)).row(0)
    return zip(p, z).reduce(0) { $0 + $1.0 * $1.1 } + tsallisEntropy(p, alpha: alpha)
  }

  /// The Hessian of ``conjugatePotential(_:alpha:)`` by central second differences of its
  /// values (step `h`; error `O(h^2)` plus round-off over `h^2`).
  public static func conjugateHessian(_ z: [Double], alpha: Double, step h: Double = 1e-4) -> Matrix<Double> {
    func value(_ dj: Int, _ sj: Double, _ dk: Int, _ sk: Double) -> Double {
      var x = z
      x[dj] += sj * h
      x[dk] += sk * h
      return conjugatePotential(x, alpha: alpha)
    }
    return Matrix(rows: z.count, columns: z.count) { j, k in
      (value(j, 1, k, 1) - value(j, 1, k, -1) - value(j, -1, k, 1) + value(j, -1, k, -1)) / (4 * h * h)
    }
  }

  /// The escort distribution of order `q`: `p_j^q / sum p^q` on the support (0 off it).
  public static func escort(_ p: [Double], order q: Double) -> [Double] {
    let powered = p.map { $0 > 0 ? Foundation.pow($0, q) : 0 }
    let total = powered.reduce(0, +)
    return powered.map { total > 0 ? $0 / total : 0 }
  }

  /// `(sum_j p_j^(2 - alpha)) (diag(r) - r r^T)` with `r` the escort of order `2 - alpha`:
  /// the entmax Jacobian as a scaled escort Fisher information.
  ///
  /// - Complexity: `O(m^2)`.
  public static func escortFisher(_ p: [Double], alpha: Double) -> Matrix<Double> {
    let scale = p.reduce(0) { $0 + ($1 > 0 ? Foundation.pow($1, 2 - alpha) : 0) }
    let r = escort(p, order: 2 - alpha)
    return Matrix(rows: p.count, columns: p.count) { j, k in scale * ((j == k ? r[j] : 0) - r[j] * r[k]) }
  }
}
