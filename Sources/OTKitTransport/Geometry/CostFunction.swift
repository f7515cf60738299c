import OTKitCore

/// A ground cost `c(x, y)` between points: the one thing a new cost implements.
///
/// A conforming type evaluates one pair (``cost(_:_:)``) and one row of costs against every
/// target point (``fillRow(_:of:against:into:)``), in `Double` or `Float`; cost matrices
/// (``matrix(_:_:)``, built rows in parallel), online costs of the entropic solvers (rows
/// computed on the fly, `O(n + m)` memory) and optimality certificates all come from these.
/// Register a new cost by one case of ``GroundCost`` that names it, and every solver and
/// `otkit transport --cost` can use it.
///
/// The row form takes the target points transposed (`d x m`) so that its inner loops run
/// over the targets with unit stride.
public protocol CostFunction: Sendable, CustomStringConvertible {
  /// `c(x, y)` of two points of the same dimension.
  func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double

  /// `row[j] = c(x_i, y_j)` for every column `j` of `yT` (the target points transposed,
  /// `d x m`), where `x_i` is row `i` of `x` (`n x d`); `row` has `m` elements.
  func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>)

  /// The `n x m` matrix of costs between the rows of `x` and of `y`.
  func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double>
}

extension CostFunction {
  /// The costs of row `i` of `x` against every column of `yT`, from the pair cost
  /// ``cost(_:_:)`` in `Double` (the default: a new cost needs no pointer code; the
  /// built-in costs override it with vectorized rows).
  ///
  /// - Complexity: `O(m d)`.
  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    let (d, m) = (x.columns, yT.columns)
    let point = (0..<d).map { Double(x[i, $0]) }
    var other = [Double](repeating: 0, count: d)
    for j in 0..<m {
      for k in 0..<d { other[k] = Double(yT[k, j]) }
      row[j] = T(cost(point[...], other[...]))
    }
  }

  /// The cost matrix from ``fillRow(_:of:against:into:)``, rows in parallel.
  ///
  /// - Complexity: `O(n m d)`.
  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    rowwiseMatrix(x, y)
  }

  /// The cost matrix built row by row (the default of ``matrix(_:_:)``).
  public func rowwiseMatrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    precondition(x.columns == y.columns, "point dimensions \(x.columns) and \(y.columns) differ")
    let (n, m, d) = (x.rows, y.rows, x.columns)
    let yT = y.transposed()
    var out = Matrix<Double>(rows: n, columns: m)
    out.withUnsafeMutableBufferPointer { o in
      guard let base = o.baseAddress else { return }
      Parallel.forEachRange(count: n, cost: m * Swift.max(d, 1)) { range in
        for i in range {
          fillRow(i, of: x, against: yT, into: UnsafeMutableBufferPointer(start: base + i * m, count: m))
        }
      }
    }
    return out
  }
}

/// The shared loop of the costs that are a sum over coordinates, `c = F(sum_k g(x_k - y_k))`:
/// accumulates `g` of the differences into `row`, coordinate by coordinate, then applies
/// `finish` to every entry.
@inline(__always)
func accumulateCoordinates<T: MatrixScalar>(
  _ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>,
  term: (T) -> T, finish: ((T) -> T)?
) {
  let (d, m) = (x.columns, yT.columns)
  guard let out = row.baseAddress else { return }
  out.update(repeating: 0, count: m)
  x.withUnsafeBufferPointer { xp in
    yT.withUnsafeBufferPointer { yp in
      guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
      let xi = xb + i * d
      for k in 0..<d {
        let v = xi[k]
        let column = yb + k * m
        for j in 0..<m { out[j] += term(v - column[j]) }
      }
    }
  }
  if let finish {
    for j in 0..<m { out[j] = finish(out[j]) }
  }
}
