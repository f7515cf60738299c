import RealModule

/// The orthostochastic anchor of attention: the elementwise square of the orthogonal factor
/// `Q` of the QR decomposition of a square score matrix. The rows and the columns of an
/// orthogonal matrix are unit vectors, so `Q ⊙ Q` is doubly stochastic to round-off.
///
/// The decomposition is classical Gram-Schmidt with one reorthogonalization ("twice is
/// enough": L. Giraud, J. Langou and M. Rozložník, Comput. Math. Appl. 50, 2005), which
/// keeps `Q` orthogonal to round-off; `R` has a positive diagonal, so the factors are unique
/// for an invertible matrix. A rank-deficient score matrix gets an orthonormal completion.
///
/// - Complexity: `O(n^3)`.
extension Kernels {
  /// `Q` and `R` with `S = Q R`, `Q^T Q = I`, `R` upper triangular with `R_kk >= 0`.
  public static func qrDecomposition(_ s: Matrix<Double>) -> (q: Matrix<Double>, r: Matrix<Double>) {
    precondition(s.rows == s.columns, "The QR anchor needs a square score matrix")
    let n = s.rows
    // Work on columns as rows of the transpose.
    let a = s.transposed()
    var qt = Matrix<Double>(rows: n, columns: n)
    var r = Matrix<Double>(rows: n, columns: n)
    for k in 0..<n {
      var v = a.row(k)
      var coefficients = [Double](repeating: 0, count: k)
      for _ in 0..<2 {
        for j in 0..<k {
          var dot = 0.0
          for i in 0..<n { dot += qt[j, i] * v[i] }
          coefficients[j] += dot
          for i in 0..<n { v[i] -= dot * qt[j, i] }
        }
      }
      var norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let scale = a.row(k).reduce(0) { $0 + $1 * $1 }.squareRoot()
      if norm <= 1e-13 * Swift.max(scale, 1e-300) {
        // Rank deficiency: complete with the unit vector least covered so far.
        var best = 0, bestNorm = -1.0
        for e in 0..<n {
          var w = [Double](repeating: 0, count: n)
          w[e] = 1
          for _ in 0..<2 {
            for j in 0..<k {
              var dot = 0.0
              for i in 0..<n { dot += qt[j, i] * w[i] }
              for i in 0..<n { w[i] -= dot * qt[j, i] }
            }
          }
          let wn = w.reduce(0) { $0 + $1 * $1 }
          if wn > bestNorm {
            bestNorm = wn
            best = e
            v = w
          }
        }
        _ = best
        norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        r[k, k] = 0
      } else {
        r[k, k] = norm
      }
      for j in 0..<k { r[j, k] = coefficients[j] }
      for i in 0..<n { qt[k, i] = v[i] / norm }
    }
    return (qt.transposed(), r)
  }

  /// The backward pass of `W = Q ⊙ Q` through `S = Q R`: with `Qbar = 2 Q ⊙ Wbar`,
  /// `M = -Qbar^T Q` and `copyltu(M)` its lower triangle mirrored,
  /// `Sbar = (Qbar + Q copyltu(M)) R^{-T}` (the QR adjoint with `Rbar = 0`; M. Seeger,
  /// A. Hetzel, Z. Dai, E. Meissner and N. D. Lawrence, "Auto-differentiating linear
  /// algebra", 2017).
  ///
  /// - Complexity: `O(n^3)`.
  public static func orthostochasticBackward(q: Matrix<Double>, r: Matrix<Double>, gradient: Matrix<Double>) -> Matrix<Double> {
    let n = q.rows
    let qbar = 2 * q * gradient
    let m = -1 * Matrix.product(qbar, q, transposeA: true)
    let sym = Matrix<Double>(rows: n, columns: n) { i, j in i >= j ? m[i, j] : m[j, i] }
    let b = qbar + Matrix.product(q, sym)
    // X R^T = B, R upper triangular: row by row, x R^T = b  <=>  R x^T = b^T (back substitution).
    var x = Matrix<Double>(rows: n, columns: n)
    for row in 0..<n {
      for k in stride(from: n - 1, through: 0, by: -1) {
        var value = b[row, k]
        for j in (k + 1)..<n { value -= r[k, j] * x[row, j] }
        x[row, k] = r[k, k] != 0 ? value / r[k, k] : 0
      }
    }
    return x
  }
}
