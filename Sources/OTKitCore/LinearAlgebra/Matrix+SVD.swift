import Foundation

/// A thin singular value decomposition `A = U diag(sigma) V^T` of an `n x m` matrix:
/// `U` is `n x k`, `V` is `m x k` with `k = min(n, m)`, `sigma` descending and non-negative.
/// Where a singular value is zero its columns of `U` are zero (the factor has no direction
/// there); the other columns are orthonormal.
public struct SingularValueDecomposition: Sendable {
  public var u: Matrix<Double>
  public var values: [Double]
  public var v: Matrix<Double>
  /// The sweeps the one-sided Jacobi method took.
  public var sweeps: Int

  /// The rank-`r` truncation `sum_{k < r} sigma_k u_k v_k^T` (all of it for `r >= k`):
  /// the best rank-`r` approximation in the Frobenius and spectral norms (Eckart-Young).
  ///
  /// - Complexity: `O(n m r)`.
  public func reconstruction(rank r: Int? = nil) -> Matrix<Double> {
    let k = Swift.min(r ?? values.count, values.count)
    var scaled = Matrix<Double>(rows: u.rows, columns: k)
    for i in 0..<u.rows { for c in 0..<k { scaled[i, c] = u[i, c] * values[c] } }
    return Matrix.product(scaled, v.columns(0..<k), transposeB: true)
  }

  /// The squared singular values relative to the largest one's (so that tiny values do not
  /// underflow when squared); empty for the zero matrix.
  var relativeEnergies: [Double] {
    guard let first = values.first, first > 0 else { return [] }
    return values.map { ($0 / first) * ($0 / first) }
  }

  /// `exp(-sum_k p_k log p_k)` with `p_k = sigma_k^2 / sum sigma^2`: the effective rank (1 for
  /// a rank-one matrix, `k` when every singular value is equal; 0 for the zero matrix).
  public var effectiveRank: Double {
    let energies = relativeEnergies
    let total = energies.reduce(0, +)
    guard total > 0 else { return 0 }
    var entropy = 0.0
    for e in energies where e > 0 {
      let p = e / total
      entropy -= p * Foundation.log(p)
    }
    return Foundation.exp(entropy)
  }

  /// `||A||_F^2 / sigma_1^2`: the stable rank (0 for the zero matrix).
  public var stableRank: Double { relativeEnergies.reduce(0, +) }

  /// `||A - A_r||_F / ||A||_F` of the rank-`r` truncation, from the singular values
  /// (0 for the zero matrix).
  public func truncationResidual(rank r: Int) -> Double {
    let energies = relativeEnergies
    let total = energies.reduce(0, +)
    guard total > 0 else { return 0 }
    return (energies.dropFirst(Swift.max(r, 0)).reduce(0, +) / total).squareRoot()
  }

  /// The singular values above `tolerance` times the largest: the numerical rank.
  public func numericalRank(tolerance: Double = 1e-10) -> Int {
    guard let first = values.first, first > 0 else { return 0 }
    return values.filter { $0 > tolerance * first }.count
  }
}

extension Matrix where Scalar == Double {
  /// The thin singular value decomposition by the one-sided Jacobi method (Hestenes):
  /// plane rotations of the columns until every pair is orthogonal to round-off; the
  /// singular values are then the column norms. Singular values come with small relative
  /// error, so the reconstruction holds to round-off and a rank bound shows as a residual
  /// at round-off.
  ///
  /// M. R. Hestenes, "Inversion of matrices by biorthogonalization", J. SIAM 6 (1958);
  /// J. Demmel and K. Veselic, "Jacobi's method is more accurate than QR", SIAM J. Matrix
  /// Anal. Appl. 13 (1992).
  ///
  /// - Precondition: the elements are finite.
  /// - Complexity: `O(n m min(n, m))` per sweep, about 6 to 12 sweeps.
  public func singularValueDecomposition() -> SingularValueDecomposition {
    precondition(isFinite, "The SVD needs finite elements")
    guard rows >= columns else {
      let t = transposed().singularValueDecomposition()
      return SingularValueDecomposition(u: t.v, values: t.values, v: t.u, sweeps: t.sweeps)
    }
    // Columns of A and of V as contiguous rows, scaled to a largest magnitude of 1 so that
    // squares neither underflow nor overflow.
    let scale = elements.reduce(0) { Swift.max($0, $1.magnitude) }
    var a = transposed()
    if scale > 0 { a = a.map { $0 / scale } }
    var v = Matrix<Double>.identity(columns)
    let sweeps = Self.orthogonalizeRows(&a, &v)
    var order = Array(0..<columns)
    let norms = (0..<columns).map { k in a.row(k).reduce(0) { $0 + $1 * $1 }.squareRoot() }
    order.sort { norms[$0] > norms[$1] }
    let u = Matrix(rows: rows, columns: columns) { i, c in norms[order[c]] > 0 ? a[order[c], i] / norms[order[c]] : 0 }
    let vv = Matrix(rows: columns, columns: columns) { j, c in v[order[c], j] }
    return SingularValueDecomposition(u: u, values: order.map { norms[$0] * scale }, v: vv, sweeps: sweeps)
  }

  /// Rotates pairs of rows of `a` (and the same pairs of `v`) until every pair of rows of
  /// `a` is orthogonal to round-off; returns the sweeps taken (at most 60).
  static func orthogonalizeRows(_ a: inout Matrix<Double>, _ v: inout Matrix<Double>) -> Int {
    let (k, n, w) = (a.rows, a.columns, v.columns)
    return a.withUnsafeMutableBufferPointer { pa in
      v.withUnsafeMutableBufferPointer { pv in
        for sweep in 1...60 {
          var rotated = false
          for p in 0..<k {
            for q in (p + 1)..<Swift.max(k, p + 1) {
              var (alpha, beta, gamma) = (0.0, 0.0, 0.0)
              for i in 0..<n {
                let (x, y) = (pa[p * n + i], pa[q * n + i])
                alpha += x * x; beta += y * y; gamma += x * y
              }
              guard alpha > 0, beta > 0, gamma.magnitude > 1e-15 * (alpha * beta).squareRoot() else { continue }
              rotated = true
              let zeta = (beta - alpha) / (2 * gamma)
              let t = (zeta >= 0 ? 1.0 : -1.0) / (zeta.magnitude + (1 + zeta * zeta).squareRoot())
              let c = 1 / (1 + t * t).squareRoot(), s = c * t
              rotate(pa, p * n, q * n, n, c, s)
              rotate(pv, p * w, q * w, w, c, s)
            }
          }
          if !rotated { return sweep }
        }
        return 60
      }
    }
  }

  /// The `count` elements from `p` and from `q` become `c x_p - s x_q` and `s x_p + c x_q`.
  static func rotate(_ m: UnsafeMutableBufferPointer<Double>, _ p: Int, _ q: Int, _ count: Int, _ c: Double, _ s: Double) {
    for i in 0..<count {
      let (x, y) = (m[p + i], m[q + i])
      m[p + i] = c * x - s * y
      m[q + i] = s * x + c * y
    }
  }
}
