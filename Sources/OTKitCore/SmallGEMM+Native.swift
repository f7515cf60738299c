internal import _OTKitShims

/// Matrix products whose `op(B)` is small (at most 64 x 64, the weights of a small layer)
/// on the AVX kernels, without packing and without the system BLAS.
///
/// A product such as a batch of 4,096 rows times a 16 x 16 weight matrix is too small for
/// a BLAS to pay off its packing and the waking of its threads. `Benchmarks/NeuralBenchmarks`
/// ("layer product", "weight gradient"; two threads, medians): 47-51 us for that product,
/// 79-99 us through OpenBLAS (`OTKIT_VECTOR_KERNELS=0`); 4096 x 16 by 16 x 64, 114-168 vs
/// 210-218 us; the weight gradient `x^T g` of 4096 rows, 16 by 64 columns, 114-150 vs
/// 261-322 us.
/// Here `B` stays in L1 and is read in place, `A` is read in place with its strides (so
/// `A^T B`, the weight gradient, costs no transposition), and the rows of `C` are split
/// over OTKit's own threads; for `A^T B` the long shared dimension is split instead and
/// the partial products are added.
///
/// Used for `A B`, `A B^T` (`B^T` copied, at most 4,096 values) and `A^T B` when
/// `op(B)` has at most 64 rows (`A^T B`: `C` at most 64 rows) and its column count is a
/// whole number of vectors; other products go to the BLAS or the portable kernels.
///
/// - Complexity: `O(m n k)`, `O(n k)` extra memory (`O(threads m n)` for `A^T B`).
enum SmallGEMM {
  static let limit = 64

  /// The cost, in ``Parallel``'s elementary operations, of one row of the split dimension
  /// with `products` multiply-adds: the kernels do about eight per operation, so a range
  /// handed to another thread holds at least about 256 K multiply-adds, well above the
  /// cost of waking a thread. A batch of 64 rows through a 16 x 32 layer stays on the
  /// calling thread.
  static func rowCost(_ products: Int) -> Int { max(1, products / 8) }

  /// Whether the kernels take this product.
  static func accepts(_ s: GEMMShape, scalarSize: Int) -> Bool {
    let width = VectorKernels.width
    guard width > 0, s.m > 0, s.n > 0, s.k > 0, s.n <= limit, s.n % (width / scalarSize) == 0 else { return false }
    switch (s.transposeA, s.transposeB) {
    case (false, _): return s.k <= limit
    case (true, false): return s.m <= limit
    case (true, true): return false
    }
  }

  /// Runs an accepted product, adding `row` (n values) to every row of `C` when given;
  /// `kernel(m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc, row)` is the C kernel of
  /// the precision.
  static func run<T: MatrixScalar>(
    _ s: GEMMShape, alpha: T, a: UnsafePointer<T>, b: UnsafePointer<T>, beta: T, c: UnsafeMutablePointer<T>,
    row: UnsafePointer<T>?,
    kernel: (Int, Int, Int, T, UnsafePointer<T>, Int, Int, UnsafePointer<T>, Int, T, UnsafeMutablePointer<T>, Int, UnsafePointer<T>?) -> Void
  ) {
    let (m, n, k) = (s.m, s.n, s.k)
    if !s.transposeA {
      var bp = b, ldb = s.ldb
      var packed: UnsafeMutablePointer<T>? = nil
      defer { packed?.deallocate() }
      if s.transposeB {
        // B is stored n x k: copy its transpose, k x n.
        let p = UnsafeMutablePointer<T>.allocate(capacity: k * n)
        for j in 0..<n {
          for q in 0..<k { p[q * n + j] = b[j * s.ldb + q] }
        }
        packed = p
        bp = UnsafePointer(p)
        ldb = n
      }
      let (lda, ldc, bb) = (s.lda, s.ldc, bp)
      Parallel.forEachRange(count: m, cost: rowCost(n * k)) { rows in
        kernel(rows.count, n, k, alpha, a + rows.lowerBound * lda, lda, 1, bb, ldb, beta, c + rows.lowerBound * s.ldc, ldc, row)
      }
      return
    }
    // C = alpha A^T B + beta C: A is stored k x m. Split the shared dimension.
    let ranges = Parallel.workerRanges(count: k, cost: rowCost(m * n))
    let partials = ranges.count > 1 ? UnsafeMutablePointer<T>.allocate(capacity: (ranges.count - 1) * m * n) : nil
    defer { partials?.deallocate() }
    Parallel.forEachWorker(count: k, cost: rowCost(m * n)) { worker, range in
      let ap = a + range.lowerBound * s.lda, bp = b + range.lowerBound * s.ldb
      if worker == 0 {
        kernel(m, n, range.count, alpha, ap, 1, s.lda, bp, s.ldb, beta, c, s.ldc, row)
      } else {
        kernel(m, n, range.count, alpha, ap, 1, s.lda, bp, s.ldb, 0, partials! + (worker - 1) * m * n, n, nil)
      }
    }
    if let partials {
      for w in 0..<(ranges.count - 1) {
        let p = partials + w * m * n
        for i in 0..<m {
          for j in 0..<n { c[i * s.ldc + j] += p[i * n + j] }
        }
      }
    }
  }

  static func run(
    _ s: GEMMShape, alpha: Double, a: UnsafePointer<Double>, b: UnsafePointer<Double>, beta: Double,
    c: UnsafeMutablePointer<Double>, row: UnsafePointer<Double>? = nil
  ) {
    run(s, alpha: alpha, a: a, b: b, beta: beta, c: c, row: row) {
      otkit_small_gemm_f64($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    }
  }

  static func run(
    _ s: GEMMShape, alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float,
    c: UnsafeMutablePointer<Float>, row: UnsafePointer<Float>? = nil
  ) {
    run(s, alpha: alpha, a: a, b: b, beta: beta, c: c, row: row) {
      otkit_small_gemm_f32($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    }
  }
}

extension Double {
  public static func _affine(
    _ shape: GEMMShape, a: UnsafePointer<Double>, b: UnsafePointer<Double>, row: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>
  ) -> Bool {
    guard SmallGEMM.accepts(shape, scalarSize: 8) else { return false }
    SmallGEMM.run(shape, alpha: 1, a: a, b: b, beta: 0, c: c, row: row)
    return true
  }
}

extension Float {
  public static func _affine(
    _ shape: GEMMShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, row: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>
  ) -> Bool {
    guard SmallGEMM.accepts(shape, scalarSize: 4) else { return false }
    SmallGEMM.run(shape, alpha: 1, a: a, b: b, beta: 0, c: c, row: row)
    return true
  }
}
