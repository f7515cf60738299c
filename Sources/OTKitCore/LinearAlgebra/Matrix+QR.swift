/// The QR decomposition of a square matrix: classical Gram-Schmidt with one
/// reorthogonalization ("twice is enough": L. Giraud, J. Langou and M. Rozložník, Comput.
/// Math. Appl. 50, 2005), which keeps `Q` orthogonal to round-off; `R` has a positive
/// diagonal, so the factors are unique for an invertible matrix. A rank-deficient matrix
/// gets an orthonormal completion of `Q`.
///
/// - Complexity: `O(n^3)`.
extension Matrix where Scalar == Double {
  /// `Q` and `R` with `S = Q R`, `Q^T Q = I`, `R` upper triangular with `R_kk >= 0`.
  public func qrDecomposition() -> (q: Matrix<Double>, r: Matrix<Double>) {
    let s = self
    precondition(s.rows == s.columns, "The QR decomposition needs a square matrix")
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

}
