/// Errors of the dense linear algebra routines.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
  /// The operands' shapes do not fit; the text says how.
  case shapeMismatch(String)
  /// The matrix is not symmetric: entry `(row, column)` differs from its mirror.
  case notSymmetric(row: Int, column: Int)
  /// The matrix is not positive semi-definite: the pivot of this column was negative.
  case notPositiveSemiDefinite(column: Int)

  @inlinable
  public var description: String {
    switch self {
    case .shapeMismatch(let text): "shape mismatch: \(text)"
    case .notSymmetric(let i, let j): "the matrix is not symmetric at (\(i), \(j))"
    case .notPositiveSemiDefinite(let j):
      "the matrix is not positive semi-definite (negative pivot in column \(j))"
    }
  }
}

extension Matrix {
  /// The lower-triangular Cholesky factor `L` with `L L^T = self`.
  ///
  /// Semi-definite matrices are accepted: a pivot within round-off of zero gives a zero
  /// column, so degenerate covariances (a variable that is a combination of others) work.
  ///
  /// - Throws: ``LinearAlgebraError`` when the matrix is not square, not symmetric (relative
  ///   `1e-10` in `Double`), or has a clearly negative pivot.
  /// - Complexity: `O(n^3 / 3)`.
  @inlinable
  public func cholesky() throws -> Matrix {
    guard rows == columns else {
      throw LinearAlgebraError.shapeMismatch("Cholesky of a \(rows) x \(columns) matrix")
    }
    let n = rows
    var scale: Scalar = 0
    for i in 0..<n { scale = Swift.max(scale, self[i, i].magnitude) }
    let symmetryTolerance = Scalar.ulpOfOne.squareRoot() / 100 * Swift.max(scale, 1)
    for i in 0..<n {
      for j in 0..<i where (self[i, j] - self[j, i]).magnitude > symmetryTolerance {
        throw LinearAlgebraError.notSymmetric(row: i, column: j)
      }
    }
    let pivotTolerance = Scalar(n) * Scalar.ulpOfOne * Swift.max(scale, Scalar.leastNormalMagnitude) * 8
    var l = Matrix(rows: n, columns: n)
    for j in 0..<n {
      var diagonal = self[j, j]
      for k in 0..<j { diagonal -= l[j, k] * l[j, k] }
      if diagonal < -pivotTolerance || diagonal.isNaN {
        throw LinearAlgebraError.notPositiveSemiDefinite(column: j)
      }
      if diagonal <= pivotTolerance { continue }  // a zero column
      let pivot = diagonal.squareRoot()
      l[j, j] = pivot
      for i in (j + 1)..<n {
        var value = self[i, j]
        for k in 0..<j { value -= l[i, k] * l[j, k] }
        l[i, j] = value / pivot
      }
    }
    return l
  }
}
