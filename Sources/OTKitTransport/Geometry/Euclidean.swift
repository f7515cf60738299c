import OTKitCore

/// `c(x, y) = |x - y|_2`, the `W_1` cost.
///
/// - Complexity: `O(n m d)` for a matrix, `O(m d)` for a row.
public struct Euclidean: CostFunction {
  public init() {}

  public var description: String { "euclidean" }

  public func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
  }

  @_specialize(where T == Double)
  @_specialize(where T == Float)
  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    accumulateCoordinates(i, of: x, against: yT, into: row, term: { $0 * $0 }, finish: { $0.squareRoot() })
  }
}
