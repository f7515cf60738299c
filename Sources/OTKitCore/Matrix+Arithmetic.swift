import RealModule

/// Element-wise arithmetic with NumPy-style broadcasting.
///
/// Two shapes combine when, in each dimension, they are equal or one of them is 1; a `1 x n`
/// operand is repeated over rows, an `m x 1` operand over columns, a `1 x 1` operand
/// everywhere. Incompatible shapes are a programmer error and trap with both shapes named.
///
/// - Complexity: `O(rows * columns)` of the result.
extension Matrix {
  /// The shape two operands broadcast to, or `nil` when they do not combine.
  @inlinable
  public static func broadcastShape(
    _ a: (rows: Int, columns: Int), _ b: (rows: Int, columns: Int)
  ) -> (rows: Int, columns: Int)? {
    func combine(_ x: Int, _ y: Int) -> Int? {
      if x == y { return x }
      if x == 1 { return y }
      if y == 1 { return x }
      return nil
    }
    guard let r = combine(a.rows, b.rows), let c = combine(a.columns, b.columns) else { return nil }
    return (r, c)
  }

  /// Combines two matrices element by element with broadcasting.
  @inlinable
  public static func combine(
    _ a: Matrix, _ b: Matrix, _ operation: (Scalar, Scalar) -> Scalar
  ) -> Matrix {
    guard let shape = broadcastShape(a.shape, b.shape) else {
      preconditionFailure(
        "Shapes \(a.rows) x \(a.columns) and \(b.rows) x \(b.columns) do not broadcast")
    }
    var result = Matrix(uninitializedRows: shape.rows, columns: shape.columns)
    let columns = shape.columns
    result.withUnsafeMutableBufferPointer { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          guard let o = out.baseAddress, let x = pa.baseAddress, let y = pb.baseAddress else { return }
          if a.rows == b.rows && a.columns == b.columns {
            for i in 0..<out.count { o[i] = operation(x[i], y[i]) }
            return
          }
          let aRowStride = a.rows == 1 ? 0 : a.columns
          let bRowStride = b.rows == 1 ? 0 : b.columns
          let aScalar = a.columns == 1 && columns > 1
          let bScalar = b.columns == 1 && columns > 1
          for i in 0..<shape.rows {
            let ra = x + i * aRowStride, rb = y + i * bRowStride, ro = o + i * columns
            switch (aScalar, bScalar) {
            case (false, false): for j in 0..<columns { ro[j] = operation(ra[j], rb[j]) }
            case (false, true): let v = rb[0]; for j in 0..<columns { ro[j] = operation(ra[j], v) }
            case (true, false): let v = ra[0]; for j in 0..<columns { ro[j] = operation(v, rb[j]) }
            case (true, true): let v = operation(ra[0], rb[0]); for j in 0..<columns { ro[j] = v }
            }
          }
        }
      }
    }
    return result
  }

  /// Applies `transform` to every element.
  @inlinable
  public func map(_ transform: (Scalar) throws -> Scalar) rethrows -> Matrix {
    var result = Matrix(uninitializedRows: rows, columns: columns)
    try result.withUnsafeMutableBufferPointer { out in
      try withUnsafeBufferPointer { x in
        for i in 0..<x.count { out[i] = try transform(x[i]) }
      }
    }
    return result
  }

  @inlinable
  public static func + (a: Matrix, b: Matrix) -> Matrix { combine(a, b, +) }
  @inlinable
  public static func - (a: Matrix, b: Matrix) -> Matrix { combine(a, b, -) }
  /// The element-wise (Hadamard) product; see ``product(_:_:transposeA:transposeB:)`` for
  /// the matrix product.
  @inlinable
  public static func * (a: Matrix, b: Matrix) -> Matrix { combine(a, b, *) }
  @inlinable
  public static func / (a: Matrix, b: Matrix) -> Matrix { combine(a, b, /) }

  @inlinable
  public static func + (a: Matrix, s: Scalar) -> Matrix { a.map { $0 + s } }
  @inlinable
  public static func - (a: Matrix, s: Scalar) -> Matrix { a.map { $0 - s } }
  @inlinable
  public static func * (a: Matrix, s: Scalar) -> Matrix { a.map { $0 * s } }
  @inlinable
  public static func / (a: Matrix, s: Scalar) -> Matrix { a.map { $0 / s } }
  @inlinable
  public static func + (s: Scalar, a: Matrix) -> Matrix { a.map { s + $0 } }
  @inlinable
  public static func - (s: Scalar, a: Matrix) -> Matrix { a.map { s - $0 } }
  @inlinable
  public static func * (s: Scalar, a: Matrix) -> Matrix { a.map { s * $0 } }
  @inlinable
  public static func / (s: Scalar, a: Matrix) -> Matrix { a.map { s / $0 } }
  @inlinable
  public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }

  @inlinable
  public static func += (a: inout Matrix, b: Matrix) { a = a + b }
  @inlinable
  public static func -= (a: inout Matrix, b: Matrix) { a = a - b }
  @inlinable
  public static func *= (a: inout Matrix, b: Matrix) { a = a * b }
  @inlinable
  public static func /= (a: inout Matrix, b: Matrix) { a = a / b }
  @inlinable
  public static func += (a: inout Matrix, s: Scalar) { a = a + s }
  @inlinable
  public static func -= (a: inout Matrix, s: Scalar) { a = a - s }
  @inlinable
  public static func *= (a: inout Matrix, s: Scalar) { a = a * s }
  @inlinable
  public static func /= (a: inout Matrix, s: Scalar) { a = a / s }

  /// `exp` of every element (vectorized; see ``Kernels/exp(_:)``).
  @inlinable
  public func exp() -> Matrix {
    var result = self
    result.elements = Kernels.exp(elements)
    return result
  }

  /// The natural logarithm of every element.
  @inlinable
  public func log() -> Matrix { map { Scalar.log($0) } }

  /// The square root of every element.
  @inlinable
  public func squareRoot() -> Matrix { map { $0.squareRoot() } }
}
