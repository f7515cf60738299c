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

  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    let d = x.columns
    return Matrix(rows: x.rows, columns: y.rows) { i, j in
      function(x.elements[i * d..<(i + 1) * d], y.elements[j * d..<(j + 1) * d])
    }
  }
}
