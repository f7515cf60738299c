import RealModule

/// Sums, maxima, minima and means per row and per column.
///
/// Sums use `Relaxed` arithmetic so that the compiler may reorder and vectorize them. A NaN
/// element makes the maximum or minimum of its row or column NaN. Rows are processed in
/// parallel for row reductions; column reductions keep one partial vector per worker.
///
/// - Complexity: `O(rows * columns)`.
extension Matrix {
  /// The sum of each row (`rows` values).
  @inlinable
  public func rowSums() -> [Scalar] {
    rowReduce { row, n in
      var s: Scalar = 0
      for j in 0..<n { s = Relaxed.sum(s, row[j]) }
      return s
    }
  }

  /// The mean of each row; NaN for a matrix without columns.
  @inlinable
  public func rowMeans() -> [Scalar] {
    let n = Scalar(columns)
    return rowSums().map { columns == 0 ? .nan : $0 / n }
  }

  /// The largest element of each row; `-infinity` for a matrix without columns.
  @inlinable
  public func rowMaxima() -> [Scalar] {
    rowReduce { row, n in Kernels.maximum(row, count: n) }
  }

  /// The smallest element of each row; `+infinity` for a matrix without columns.
  @inlinable
  public func rowMinima() -> [Scalar] {
    rowReduce { row, n in -Kernels.maximum(row, count: n, negated: true) }
  }

  /// The sum of each column (`columns` values).
  @inlinable
  public func columnSums() -> [Scalar] {
    columnReduce(initial: 0, combine: { Relaxed.sum($0, $1) }) { acc, row, n in
      for j in 0..<n { acc[j] = Relaxed.sum(acc[j], row[j]) }
    }
  }

  /// The mean of each column; NaN for a matrix without rows.
  @inlinable
  public func columnMeans() -> [Scalar] {
    let m = Scalar(rows)
    return columnSums().map { rows == 0 ? .nan : $0 / m }
  }

  /// The largest element of each column; `-infinity` for a matrix without rows.
  @inlinable
  public func columnMaxima() -> [Scalar] {
    columnReduce(initial: -.infinity, combine: Kernels.nanMax) { acc, row, n in
      for j in 0..<n { acc[j] = Kernels.nanMax(acc[j], row[j]) }
    }
  }

  /// The smallest element of each column; `+infinity` for a matrix without rows.
  @inlinable
  public func columnMinima() -> [Scalar] {
    columnReduce(initial: .infinity, combine: Kernels.nanMin) { acc, row, n in
      for j in 0..<n { acc[j] = Kernels.nanMin(acc[j], row[j]) }
    }
  }

  /// The sum of all elements.
  @inlinable
  public func sum() -> Scalar {
    rowSums().reduce(0) { Relaxed.sum($0, $1) }
  }

  /// The largest element; `-infinity` for an empty matrix.
  @inlinable
  public func max() -> Scalar {
    rowMaxima().reduce(-Scalar.infinity, Kernels.nanMax)
  }

  /// The smallest element; `+infinity` for an empty matrix.
  @inlinable
  public func min() -> Scalar {
    rowMinima().reduce(Scalar.infinity, Kernels.nanMin)
  }

  /// The mean of all elements; NaN for an empty matrix.
  @inlinable
  public func mean() -> Scalar {
    isEmpty ? .nan : sum() / Scalar(count)
  }

  /// One value per row, rows in parallel.
  @inlinable
  func rowReduce(_ body: (UnsafePointer<Scalar>, Int) -> Scalar) -> [Scalar] {
    let (m, n) = (rows, columns)
    return [Scalar](unsafeUninitializedCapacity: m) { out, initialized in
      withUnsafeBufferPointer { a in
        let base = a.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Scalar>.alignment)!
        Parallel.forEachRange(count: m, cost: n) { range in
          for i in range { (out.baseAddress! + i).initialize(to: body(base + i * n, n)) }
        }
      }
      initialized = m
    }
  }

  /// One value per column: each worker folds its rows into a partial vector with `body`,
  /// and the partial vectors are merged with `combine`.
  @inlinable
  func columnReduce(
    initial: Scalar, combine: (Scalar, Scalar) -> Scalar,
    _ body: (UnsafeMutablePointer<Scalar>, UnsafePointer<Scalar>, Int) -> Void
  ) -> [Scalar] {
    let (m, n) = (rows, columns)
    let ranges = Parallel.workerRanges(count: m, cost: n)
    var partials = [Scalar](repeating: initial, count: Swift.max(ranges.count, 1) * n)
    partials.withUnsafeMutableBufferPointer { p in
      let partial = p.baseAddress
      withUnsafeBufferPointer { a in
        guard let base = a.baseAddress, let partial else { return }
        Parallel.forEachWorker(count: m, cost: n) { worker, range in
          let acc = partial + worker * n
          for i in range { body(acc, base + i * n, n) }
        }
      }
    }
    var result = Array(partials[0..<n])
    for w in 1..<Swift.max(ranges.count, 1) {
      for j in 0..<n { result[j] = combine(result[j], partials[w * n + j]) }
    }
    return result
  }
}
