import OTKitCore

/// `c(x, y) = |x - y|_2^2`, the `W_2` cost and the default.
///
/// Cost matrices of points of dimension above 4 use the norm expansion
/// `|x|^2 + |y|^2 - 2 <x, y>` with one matrix product (`Matrix.squaredDistances` of the core);
/// below that the differences are summed directly.
///
/// - Complexity: `O(n m d)` for a matrix, `O(m d)` for a row.
public struct SquaredEuclidean: CostFunction {
  public init() {}

  public var description: String { "sqeuclidean" }

  public func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
  }

  @_specialize(where T == Double)
  @_specialize(where T == Float)
  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    accumulateCoordinates(i, of: x, against: yT, into: row, term: { $0 * $0 }, finish: nil)
  }

  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    x.columns > 4 && x.columns == y.columns ? Matrix.squaredDistances(x, y) : rowwiseMatrix(x, y)
  }
}
