/// Pairwise squared Euclidean distances between two point sets.
extension Matrix {
  /// `D_ij = |x_i - y_j|^2` between the rows of `x` (`n x d`) and `y` (`m x d`).
  ///
  /// Computed by the norm expansion `|x_i|^2 + |y_j|^2 - 2 <x_i, y_j>` with one matrix
  /// product, then clamped at zero (round-off can make the expansion slightly negative).
  /// The expansion loses relative accuracy for points much closer to each other than to the
  /// origin; center the data first when that matters.
  ///
  /// - Complexity: `O(n m d)` time, `O(n m)` memory for the result.
  @inlinable
  public static func squaredDistances(_ x: Matrix, _ y: Matrix) -> Matrix {
    precondition(
      x.columns == y.columns,
      "Point sets of dimensions \(x.columns) and \(y.columns) cannot be compared")
    let (n, m) = (x.rows, y.rows)
    guard n > 0, m > 0, x.columns > 0 else { return Matrix(rows: n, columns: m) }
    var d = Matrix(uninitializedRows: n, columns: m)
    Kernels.gemm(alpha: -2, x, y, transposeB: true, beta: 0, into: &d)
    let xn = x.rowSquaredNorms()
    let yn = y.rowSquaredNorms()
    d.withUnsafeMutableBufferPointer { p in
      let base = p.baseAddress!
      yn.withUnsafeBufferPointer { ynp in
        let ynb = ynp.baseAddress!
        Parallel.forEachRange(count: n, cost: m) { range in
          for i in range {
            let row = base + i * m
            let a = xn[i]
            for j in 0..<m { row[j] = Swift.max(row[j] + a + ynb[j], 0) }
          }
        }
      }
    }
    return d
  }

  /// `|x_i|^2` for each row.
  @inlinable
  public func rowSquaredNorms() -> [Scalar] {
    rowReduce { row, n in
      var s: Scalar = 0
      for j in 0..<n { s += row[j] * row[j] }
      return s
    }
  }
}
