import OTKitCore

/// A user-supplied cost of two points, which must return finite values.
///
/// - Complexity: `O(n m)` calls of the closure for a matrix, each with copied coordinates.
public struct CustomCost: CostFunction {
  public var name: String
  public var function: @Sendable (ArraySlice<Double>, ArraySlice<Double>) -> Double

  public init(name: String, _ function: @escaping @Sendable (ArraySlice<Double>, ArraySlice<Double>) -> Double) {
    self.name = name
    self.function = function
  }

  public var description: String { name }

  public func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double { function(x, y) }

  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    let (d, m) = (x.columns, yT.columns)
    let point = (0..<d).map { Double(x[i, $0]) }
    var other = [Double](repeating: 0, count: d)
    for j in 0..<m {
      for k in 0..<d { other[k] = Double(yT[k, j]) }
      row[j] = T(function(point[...], other[...]))
    }
  }

  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    let d = x.columns
    return Matrix(rows: x.rows, columns: y.rows) { i, j in
      function(x.elements[i * d..<(i + 1) * d], y.elements[j * d..<(j + 1) * d])
    }
  }
}
