import RealModule

/// Numerically stable log-sum-exp over rows and columns, plain and in the fused form the
/// Sinkhorn iterations use.
///
/// The fused row form returns `r_i = LSE_j(scale * C_ij + u_j)` and the column form
/// `c_j = LSE_i(scale * C_ij + v_i)`. With `scale = -1/eps`, `u_j = g_j/eps + log b_j` they
/// are the log-domain Sinkhorn updates `f_i = -eps * r_i` (Peyré and Cuturi, *Computational
/// Optimal Transport*, 2019, Remark 4.23), computed without allocating a second `n x m`
/// matrix: rows stream through a per-thread buffer of one row. Column forms keep a running
/// maximum and sum per column and per worker and merge them, so the row-major storage is
/// read in order.
///
/// Each result is `max + log(sum exp(x - max))`; a row or column whose values are all
/// `-infinity` gives `-infinity`, one holding `+infinity` gives `+infinity`, and NaN
/// propagates.
///
/// - Complexity: `O(rows * columns)` time (two passes), `O(columns)` extra memory per thread.
extension Matrix {
  /// `log(sum_j exp(A_ij))` for each row `i`.
  @inlinable
  public func rowLogSumExp() -> [Scalar] {
    Kernels.rowLogSumExp(self, scale: 1, columnOffsets: nil)
  }

  /// `log(sum_i exp(A_ij))` for each column `j`.
  @inlinable
  public func columnLogSumExp() -> [Scalar] {
    Kernels.columnLogSumExp(self, scale: 1, rowOffsets: nil)
  }
}

extension Kernels {
  /// `r_i = LSE_j(scale * C_ij + u_j)` for each row `i` of `C`; `u` has `C.columns` values
  /// (all zero when `nil`).
  @inlinable
  public static func rowLogSumExp<T: MatrixScalar>(
    _ c: Matrix<T>, scale: T, columnOffsets u: [T]?
  ) -> [T] {
    let (m, n) = (c.rows, c.columns)
    if let u { precondition(u.count == n, "\(u.count) column offsets for \(n) columns") }
    let plain = scale == 1 && u == nil
    return [T](unsafeUninitializedCapacity: m) { out, initialized in
      c.withUnsafeBufferPointer { cp in
        withOptionalBuffer(u) { up in
          Parallel.forEachRange(count: m, cost: 16 * n) { range in
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(n, 1))
            defer { buffer.deallocate() }
            for i in range {
              let row = cp.baseAddress! + i * n
              let value: T
              if plain {
                value = logSumExp(row, count: n)
              } else {
                affine(row, scale: scale, offsets: up, constant: 0, into: buffer, count: n)
                value = logSumExp(UnsafePointer(buffer), count: n)
              }
              (out.baseAddress! + i).initialize(to: value)
            }
          }
        }
      }
      initialized = m
    }
  }

  /// `c_j = LSE_i(scale * C_ij + v_i)` for each column `j` of `C`; `v` has `C.rows` values
  /// (all zero when `nil`).
  @inlinable
  public static func columnLogSumExp<T: MatrixScalar>(
    _ c: Matrix<T>, scale: T, rowOffsets v: [T]?
  ) -> [T] {
    let (m, n) = (c.rows, c.columns)
    if let v { precondition(v.count == m, "\(v.count) row offsets for \(m) rows") }
    guard n > 0 else { return [] }
    guard m > 0 else { return [T](repeating: -.infinity, count: n) }
    let ranges = Parallel.workerRanges(count: m, cost: 16 * n)
    let workers = ranges.count
    // Per worker: column maxima, then sums of exp(x - max).
    var maxima = [T](repeating: -.infinity, count: workers * n)
    var sums = [T](repeating: 0, count: workers * n)
    c.withUnsafeBufferPointer { cp in
      maxima.withUnsafeMutableBufferPointer { mx in
        sums.withUnsafeMutableBufferPointer { sm in
          let (cBase, mBase, sBase) = (cp.baseAddress!, mx.baseAddress!, sm.baseAddress!)
          Parallel.forEachWorker(count: m, cost: 16 * n) { worker, range in
            let colMax = mBase + worker * n
            let colSum = sBase + worker * n
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: n)
            defer { buffer.deallocate() }
            for i in range {
              let offset = v?[i] ?? 0
              affine(cBase + i * n, scale: scale, offsets: nil, constant: offset, into: buffer, count: n)
              for j in 0..<n { colMax[j] = nanMax(colMax[j], buffer[j]) }
            }
            // A column whose maximum is not finite is settled by it; shift it by zero.
            let shift = UnsafeMutablePointer<T>.allocate(capacity: n)
            defer { shift.deallocate() }
            for j in 0..<n { shift[j] = colMax[j].isFinite ? colMax[j] : 0 }
            for i in range {
              let offset = v?[i] ?? 0
              affine(cBase + i * n, scale: scale, offsets: nil, constant: offset, into: buffer, count: n)
              for j in 0..<n { buffer[j] -= shift[j] }
              T._exp(buffer, buffer, count: n)
              for j in 0..<n { colSum[j] = Relaxed.sum(colSum[j], buffer[j]) }
            }
          }
        }
      }
    }
    // Merge the workers: M = max_w m_w, S = sum_w s_w exp(m_w - M).
    var result = [T](repeating: 0, count: n)
    for j in 0..<n {
      var best = -T.infinity
      for w in 0..<workers { best = nanMax(best, maxima[w * n + j]) }
      if !best.isFinite { result[j] = best; continue }
      var total: T = 0
      for w in 0..<workers { total += sums[w * n + j] * T.exp(maxima[w * n + j] - best) }
      result[j] = best + T.log(total)
    }
    return result
  }

  /// `out_j = scale * x_j + offsets_j + constant`.
  @inline(__always)
  @inlinable
  static func affine<T: MatrixScalar>(
    _ x: UnsafePointer<T>, scale: T, offsets: UnsafePointer<T>?, constant: T,
    into out: UnsafeMutablePointer<T>, count: Int
  ) {
    if let offsets {
      for j in 0..<count { out[j] = scale * x[j] + offsets[j] + constant }
    } else {
      for j in 0..<count { out[j] = scale * x[j] + constant }
    }
  }

  @inline(__always)
  @inlinable
  static func withOptionalBuffer<T, R>(_ array: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
