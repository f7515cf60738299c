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

extension Matrix {
  /// Solves `A x = rhs` for a symmetric positive (semi-)definite `A` by Cholesky
  /// factorization, keeping tiny positive pivots rather than dropping them: in nearly
  /// singular systems (Newton steps of entropic OT at small `eps`) the directions of tiny
  /// curvature are the ones that matter. A non-positive pivot is replaced by the smallest
  /// normal number, so the solve never fails.
  ///
  /// - Complexity: `O(n^3 / 3)` time, `O(n^2)` memory.
  @inlinable
  public func solvingPositiveDefinite(_ rhs: [Scalar]) -> [Scalar] {
    precondition(rows == columns && rhs.count == rows, "solvingPositiveDefinite needs a square system")
    let n = rows
    var l = Matrix(rows: n, columns: n)
    withUnsafeBufferPointer { a in
      l.withUnsafeMutableBufferPointer { lp in
        for j in 0..<n {
          let rowJ = lp.baseAddress! + j * n
          var d = a[j * n + j]
          for q in 0..<j { d -= rowJ[q] * rowJ[q] }
          let pivot = d > 0 ? d.squareRoot() : Scalar.leastNormalMagnitude.squareRoot()
          rowJ[j] = pivot
          for i in (j + 1)..<n {
            let rowI = lp.baseAddress! + i * n
            var v = a[i * n + j]
            for q in 0..<j { v -= rowI[q] * rowJ[q] }
            rowI[j] = v / pivot
          }
        }
      }
    }
    // Forward and back substitution.
    var x = rhs
    l.withUnsafeBufferPointer { lp in
      for i in 0..<n {
        var t = x[i]
        for q in 0..<i { t -= lp[i * n + q] * x[q] }
        x[i] = t / lp[i * n + i]
      }
      for i in stride(from: n - 1, through: 0, by: -1) {
        var t = x[i]
        for q in (i + 1)..<n { t -= lp[q * n + i] * x[q] }
        x[i] = t / lp[i * n + i]
      }
    }
    return x
  }
}
