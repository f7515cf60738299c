extension Matrix where Scalar == Double {
  /// The eigenvalues (ascending) and eigenvectors (the columns of `vectors`) of a symmetric
  /// matrix, by the cyclic Jacobi method: plane rotations annihilate the off-diagonal
  /// entries sweep by sweep until they are below round-off of the diagonal.
  ///
  /// G. H. Golub and C. F. Van Loan, "Matrix Computations", 4th ed., section 8.5 (Jacobi
  /// methods). Accurate to round-off for the small covariance matrices of the tabular
  /// study; not meant for large matrices.
  ///
  /// - Throws: ``LinearAlgebraError`` when the matrix is not square or not symmetric
  ///   (relative `1e-10`).
  /// - Complexity: `O(n^3)` per sweep, a handful of sweeps.
  public func symmetricEigen() throws -> (values: [Double], vectors: Matrix<Double>) {
    guard rows == columns else {
      throw LinearAlgebraError.shapeMismatch("eigen-decomposition of a \(rows) x \(columns) matrix")
    }
    let n = rows
    var scale = 0.0
    for v in elements { scale = Swift.max(scale, v.magnitude) }
    for i in 0..<n {
      for j in 0..<i where (self[i, j] - self[j, i]).magnitude > 1e-10 * Swift.max(scale, 1) {
        throw LinearAlgebraError.notSymmetric(row: i, column: j)
      }
    }
    var a = self
    var v = Matrix<Double>(rows: n, columns: n) { i, j in i == j ? 1 : 0 }
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<n { for j in 0..<n where i != j { off += a[i, j] * a[i, j] } }
      if off <= 1e-30 * Swift.max(scale * scale, 1e-300) { break }
      for p in 0..<n {
        for q in (p + 1)..<n where a[p, q] != 0 {
          // The rotation that zeroes a[p, q] (Golub and Van Loan, Algorithm 8.5.1).
          let theta = (a[q, q] - a[p, p]) / (2 * a[p, q])
          let t = (theta >= 0 ? 1 : -1) / (theta.magnitude + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot(), s = t * c
          for k in 0..<n {
            let akp = a[k, p], akq = a[k, q]
            a[k, p] = c * akp - s * akq
            a[k, q] = s * akp + c * akq
          }
          for k in 0..<n {
            let apk = a[p, k], aqk = a[q, k]
            a[p, k] = c * apk - s * aqk
            a[q, k] = s * apk + c * aqk
          }
          for k in 0..<n {
            let vkp = v[k, p], vkq = v[k, q]
            v[k, p] = c * vkp - s * vkq
            v[k, q] = s * vkp + c * vkq
          }
        }
      }
    }
    let order = (0..<n).sorted { a[$0, $0] < a[$1, $1] }
    let values = order.map { a[$0, $0] }
    let vectors = Matrix<Double>(rows: n, columns: n) { i, j in v[i, order[j]] }
    return (values, vectors)
  }

  /// The symmetric positive semi-definite square root `S^{1/2}` (eigenvalues below zero by
  /// round-off are clamped to zero).
  ///
  /// - Throws: ``LinearAlgebraError`` as ``symmetricEigen()``, or
  ///   ``LinearAlgebraError/notPositiveSemiDefinite(column:)`` for a clearly negative
  ///   eigenvalue.
  /// - Complexity: `O(n^3)`.
  public func symmetricSquareRoot() throws -> Matrix<Double> {
    let (values, vectors) = try symmetricEigen()
    let largest = values.map(\.magnitude).max() ?? 0
    var roots = [Double]()
    for (j, value) in values.enumerated() {
      if value < -1e-10 * Swift.max(largest, 1) { throw LinearAlgebraError.notPositiveSemiDefinite(column: j) }
      roots.append(Swift.max(value, 0).squareRoot())
    }
    let n = rows
    return Matrix<Double>(rows: n, columns: n) { i, j in
      var sum = 0.0
      for k in 0..<n { sum += vectors[i, k] * roots[k] * vectors[j, k] }
      return sum
    }
  }
}
