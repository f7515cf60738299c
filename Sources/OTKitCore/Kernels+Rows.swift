import RealModule

/// Row-wise kernels of the neural-network layer: softmax, log-softmax, layer normalization
/// and their backward passes, computed over unsafe buffers opened once per call and in
/// parallel over row blocks.
///
/// A row holding `+infinity` or NaN gives NaN in its softmax (as in every library); a row of
/// all `-infinity` gives a row of NaN as well, which the callers avoid by construction.
///
/// - Complexity: `O(rows * columns)`.
extension Kernels {
  /// `softmax(x)_ij = exp(x_ij - max_i) / sum_k exp(x_ik - max_i)`, or the log of it.
  @inlinable
  public static func softmaxRows<T: MatrixScalar>(_ x: Matrix<T>, log: Bool = false) -> Matrix<T> {
    var y = x
    let (rows, n) = (x.rows, x.columns)
    guard n > 0 else { return y }
    y.withUnsafeMutableBufferPointer { yp in
      let base = yp.baseAddress!
      Parallel.forEachRange(count: rows, cost: 8 * n) { range in
        for i in range {
          let row = base + i * n
          if log {
            var peak = row[0]
            for j in 1..<n where row[j] > peak { peak = row[j] }
            let total = T._sumExp(UnsafePointer(row), count: n, shift: peak)
            let offset = peak + T.log(total)
            for j in 0..<n { row[j] -= offset }
          } else {
            T._softmax(row, count: n)
          }
        }
      }
    }
    return y
  }

  /// Replaces every row of `x` by its softmax, in place (no copy of the matrix).
  @inlinable
  public static func softmaxRowsInPlace<T: MatrixScalar>(_ x: inout Matrix<T>) {
    let (rows, n) = (x.rows, x.columns)
    guard n > 0 else { return }
    x.withUnsafeMutableBufferPointer { xp in
      let base = xp.baseAddress!
      Parallel.forEachRange(count: rows, cost: 8 * n) { range in
        for i in range { T._softmax(base + i * n, count: n) }
      }
    }
  }

  /// Replaces `row[0..<count]` by its softmax, given its largest value `peak` (finite).
  @inlinable
  public static func softmaxInPlace<T: MatrixScalar>(_ row: UnsafeMutablePointer<T>, count n: Int, peak: T) {
    for j in 0..<n { row[j] -= peak }
    T._exp(UnsafePointer(row), row, count: n)
    var total: T = 0
    for j in 0..<n { total += row[j] }
    let inverse = 1 / total
    for j in 0..<n { row[j] *= inverse }
  }

  /// The backward pass of a row softmax `y`: `y * (g - rowsum(g * y))`.
  @inlinable
  public static func softmaxRowsBackward<T: MatrixScalar>(output y: Matrix<T>, gradient g: Matrix<T>) -> Matrix<T> {
    var dx = g
    let (rows, n) = (y.rows, y.columns)
    y.withUnsafeBufferPointer { yp in
      dx.withUnsafeMutableBufferPointer { dp in
        let (ybase, dbase) = (yp.baseAddress, dp.baseAddress)
        guard let ybase, let dbase else { return }
        Parallel.forEachRange(count: rows, cost: 4 * n) { range in
          for i in range {
            let yr = ybase + i * n, dr = dbase + i * n
            var dot: T = 0
            for j in 0..<n { dot += yr[j] * dr[j] }
            for j in 0..<n { dr[j] = yr[j] * (dr[j] - dot) }
          }
        }
      }
    }
    return dx
  }

  /// The backward pass of a row log-softmax `y`: `g - exp(y) * rowsum(g)`.
  @inlinable
  public static func logSoftmaxRowsBackward<T: MatrixScalar>(output y: Matrix<T>, gradient g: Matrix<T>) -> Matrix<T> {
    var dx = g
    let (rows, n) = (y.rows, y.columns)
    y.withUnsafeBufferPointer { yp in
      dx.withUnsafeMutableBufferPointer { dp in
        let (ybase, dbase) = (yp.baseAddress, dp.baseAddress)
        guard let ybase, let dbase else { return }
        Parallel.forEachRange(count: rows, cost: 8 * n) { range in
          for i in range {
            let yr = ybase + i * n, dr = dbase + i * n
            var total: T = 0
            for j in 0..<n { total += dr[j] }
            for j in 0..<n { dr[j] -= T.exp(yr[j]) * total }
          }
        }
      }
    }
    return dx
  }

  /// Normalizes each row to mean 0 and variance 1: `(x - mean) / sqrt(var + epsilon)`, the
  /// variance with divisor `columns`. Returns the normalized rows and each row's
  /// `1 / sqrt(var + epsilon)`.
  ///
  /// J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer normalization", arXiv:1607.06450, 2016.
  @inlinable
  public static func layerNormRows<T: MatrixScalar>(_ x: Matrix<T>, epsilon: T) -> (Matrix<T>, [T]) {
    var y = x
    let (rows, n) = (x.rows, x.columns)
    var inverse = [T](repeating: 0, count: rows)
    guard n > 0 else { return (y, inverse) }
    y.withUnsafeMutableBufferPointer { yp in
      inverse.withUnsafeMutableBufferPointer { ip in
        let (base, inv) = (yp.baseAddress!, ip.baseAddress!)
        Parallel.forEachRange(count: rows, cost: 4 * n) { range in
          for i in range {
            let row = base + i * n
            var mean: T = 0
            for j in 0..<n { mean += row[j] }
            mean /= T(n)
            var variance: T = 0
            for j in 0..<n {
              row[j] -= mean
              variance += row[j] * row[j]
            }
            variance /= T(n)
            let s = 1 / (variance + epsilon).squareRoot()
            inv[i] = s
            for j in 0..<n { row[j] *= s }
          }
        }
      }
    }
    return (y, inverse)
  }

  /// The backward pass of ``layerNormRows(_:epsilon:)``:
  /// `dx = s * (g - mean(g) - y * mean(g * y))` per row, with `s = 1 / sqrt(var + epsilon)`.
  @inlinable
  public static func layerNormRowsBackward<T: MatrixScalar>(
    output y: Matrix<T>, inverseDeviation s: [T], gradient g: Matrix<T>
  ) -> Matrix<T> {
    var dx = g
    let (rows, n) = (y.rows, y.columns)
    y.withUnsafeBufferPointer { yp in
      dx.withUnsafeMutableBufferPointer { dp in
        let (ybase, dbase) = (yp.baseAddress, dp.baseAddress)
        guard let ybase, let dbase else { return }
        Parallel.forEachRange(count: rows, cost: 6 * n) { range in
          for i in range {
            let yr = ybase + i * n, dr = dbase + i * n
            var meanG: T = 0, meanGY: T = 0
            for j in 0..<n {
              meanG += dr[j]
              meanGY += dr[j] * yr[j]
            }
            meanG /= T(n)
            meanGY /= T(n)
            for j in 0..<n { dr[j] = s[i] * (dr[j] - meanG - yr[j] * meanGY) }
          }
        }
      }
    }
    return dx
  }
}
