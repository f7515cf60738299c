/// Matrix products `A B`, `A B^T`, `A^T B` and `A^T B^T`, on the system BLAS when one is in
/// use (see ``KernelBackend``) and on the portable kernels otherwise.
///
/// - Complexity: `O(m n k)` for an `m x k` times `k x n` product.
extension Matrix {
  /// `op(a) * op(b)`, where `op` transposes when asked.
  @inlinable
  public static func product(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
  ) -> Matrix {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(
      k == kb,
      "Product of \(a.rows) x \(a.columns)\(transposeA ? "^T" : "") and \(b.rows) x \(b.columns)\(transposeB ? "^T" : ""): inner dimensions \(k) and \(kb) differ"
    )
    var c = k == 0 ? Matrix(rows: m, columns: n) : Matrix(uninitializedRows: m, columns: n)
    Kernels.gemm(
      alpha: 1, a, transposeA: transposeA, b, transposeB: transposeB, beta: 0, into: &c)
    return c
  }

  /// `self * other`.
  @inlinable
  public func multiplied(by other: Matrix) -> Matrix {
    Matrix.product(self, other)
  }

  /// `self * other^T`.
  @inlinable
  public func multiplied(byTransposeOf other: Matrix) -> Matrix {
    Matrix.product(self, other, transposeB: true)
  }

  /// `self^T * other`.
  @inlinable
  public func transposeMultiplied(by other: Matrix) -> Matrix {
    Matrix.product(self, other, transposeA: true)
  }

  /// `self * vector` for a vector of `columns` values.
  @inlinable
  public func multiplied(byVector vector: [Scalar]) -> [Scalar] {
    Matrix.product(self, Matrix(column: vector)).elements
  }

  /// `self^T * vector` for a vector of `rows` values.
  @inlinable
  public func transposeMultiplied(byVector vector: [Scalar]) -> [Scalar] {
    Matrix.product(self, Matrix(column: vector), transposeA: true).elements
  }
}

extension Kernels {
  /// `C = alpha * op(A) * op(B) + beta * C`, accumulating into an existing matrix.
  ///
  /// With `beta == 0` the old contents of `C` are not read (they may be NaN).
  @inlinable
  public static func gemm<T: MatrixScalar>(
    alpha: T, _ a: Matrix<T>, transposeA: Bool = false, _ b: Matrix<T>,
    transposeB: Bool = false, beta: T, into c: inout Matrix<T>,
    backend: KernelBackend = .current
  ) {
    let shape = GEMMShape(
      m: transposeA ? a.columns : a.rows, n: transposeB ? b.rows : b.columns,
      k: transposeA ? a.rows : a.columns, transposeA: transposeA, transposeB: transposeB)
    let kb = transposeB ? b.columns : b.rows
    precondition(shape.k == kb, "gemm: inner dimensions \(shape.k) and \(kb) differ")
    precondition(
      c.rows == shape.m && c.columns == shape.n,
      "gemm: result is \(c.rows) x \(c.columns), expected \(shape.m) x \(shape.n)")
    guard shape.m > 0, shape.n > 0 else { return }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          // Empty operands (k == 0) have no storage; any valid pointer will do.
          let dummy = UnsafeMutablePointer<T>.allocate(capacity: 1)
          defer { dummy.deallocate() }
          T._gemm(
            shape, alpha: alpha, a: pa.baseAddress ?? UnsafePointer(dummy),
            b: pb.baseAddress ?? UnsafePointer(dummy), beta: beta, c: pc.baseAddress!,
            backend: backend)
        }
      }
    }
  }

  /// `C = alpha * op(A) * op(B) + beta * C` on raw row-major buffers with the strides in
  /// `shape`.
  @inlinable
  public static func gemm<T: MatrixScalar>(
    _ shape: GEMMShape, alpha: T, a: UnsafePointer<T>, b: UnsafePointer<T>, beta: T,
    c: UnsafeMutablePointer<T>, backend: KernelBackend = .current
  ) {
    T._gemm(shape, alpha: alpha, a: a, b: b, beta: beta, c: c, backend: backend)
  }

  /// The affine map `x w + bias` of a layer: `x` is `m x k`, `w` is `k x n` and `bias` a
  /// row of `n` values added to every row.
  ///
  /// Fused where the small-operand kernels take the product (the bias is added as the
  /// product is stored); otherwise the rows are filled with the bias and the product
  /// accumulates onto them.
  ///
  /// - Complexity: `O(m n k)`.
  @inlinable
  public static func affine<T: MatrixScalar>(_ x: Matrix<T>, _ w: Matrix<T>, bias: [T]) -> Matrix<T> {
    precondition(x.columns == w.rows, "affine: \(x.rows) x \(x.columns) times \(w.rows) x \(w.columns)")
    precondition(bias.count == w.columns, "affine: the bias has \(bias.count) values, expected \(w.columns)")
    let (m, n) = (x.rows, w.columns)
    guard m > 0, n > 0 else { return Matrix(rows: m, columns: n) }
    var c = Matrix<T>(uninitializedRows: m, columns: n)
    let fused = x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        bias.withUnsafeBufferPointer { bp in
          c.withUnsafeMutableBufferPointer { cp in
            guard let xa = xp.baseAddress, let wa = wp.baseAddress else { return false }
            return T._affine(GEMMShape(m: m, n: n, k: x.columns), a: xa, b: wa, row: bp.baseAddress!, c: cp.baseAddress!)
          }
        }
      }
    }
    if fused { return c }
    c.withUnsafeMutableBufferPointer { cp in
      bias.withUnsafeBufferPointer { bp in
        let (cb, bb) = (cp.baseAddress!, bp.baseAddress!)
        Parallel.forEachRange(count: m, cost: n) { rows in
          for i in rows { (cb + i * n).update(from: bb, count: n) }
        }
      }
    }
    gemm(alpha: 1, x, w, beta: 1, into: &c)
    return c
  }
}
