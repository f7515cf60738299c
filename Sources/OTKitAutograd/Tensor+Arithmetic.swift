import OTKitCore

/// Element-wise arithmetic with broadcasting of `1 x n` rows, `m x 1` columns and `1 x 1`
/// scalars (the rules of ``Matrix``), and affine maps by constants.
///
/// - Complexity: `O(rows * columns)` of the result, forward and backward.
extension Tensor {
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    a.graph.record(.add, inputs: [a, b], value: a.value + b.value)
  }

  public static func - (a: Tensor, b: Tensor) -> Tensor {
    a.graph.record(.subtract, inputs: [a, b], value: a.value - b.value)
  }

  public static func * (a: Tensor, b: Tensor) -> Tensor {
    a.graph.record(.multiply, inputs: [a, b], value: a.value * b.value)
  }

  public static func / (a: Tensor, b: Tensor) -> Tensor {
    a.graph.record(.divide, inputs: [a, b], value: a.value / b.value)
  }

  /// `scale * self + shift` for constants.
  public func affine(scale: Double, shift: Double = 0) -> Tensor {
    graph.record(
      .affine(scale: scale, shift: shift), inputs: [self],
      value: value.map { scale * $0 + shift })
  }

  public static func * (a: Tensor, s: Double) -> Tensor { a.affine(scale: s) }
  public static func * (s: Double, a: Tensor) -> Tensor { a.affine(scale: s) }
  public static func / (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1 / s) }
  public static func + (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1, shift: s) }
  public static func + (s: Double, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
  public static func - (a: Tensor, s: Double) -> Tensor { a.affine(scale: 1, shift: -s) }
  public static func - (s: Double, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
  public static prefix func - (a: Tensor) -> Tensor { a.affine(scale: -1) }

  /// `op(a) op(b)`, where `op` transposes when asked; on the BLAS path when one is in use.
  ///
  /// - Complexity: `O(m n k)` forward and twice that backward.
  public static func product(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    a.graph.record(
      .product(transposeA: transposeA, transposeB: transposeB), inputs: [a, b],
      value: Matrix.product(a.value, b.value, transposeA: transposeA, transposeB: transposeB))
  }

  /// The affine map `x W + b` (`b` a `1 x columns` row, broadcast), fused
  /// (`Kernels.affine` of the core).
  public static func linear(_ x: Tensor, _ weight: Tensor, bias: Tensor?) -> Tensor {
    var value: Matrix<Double>
    if let bias {
      precondition(bias.rows == 1 && bias.columns == weight.columns, "The bias must be 1 x \(weight.columns)")
      value = Kernels.affine(x.value, weight.value, bias: bias.value.elements)
    } else {
      value = Matrix.product(x.value, weight.value)
    }
    return x.graph.record(.linear, inputs: bias.map { [x, weight, $0] } ?? [x, weight], value: value)
  }

  /// `self * other`.
  public func matmul(_ other: Tensor) -> Tensor { Tensor.product(self, other) }

  /// The sum over an axis: `.rows` gives `1 x columns`, `.columns` gives `rows x 1`.
  public func sum(_ axis: Axis = .all) -> Tensor {
    graph.record(.sum(axis), inputs: [self], value: Self.reduce(value, axis))
  }

  /// The mean over an axis.
  public func mean(_ axis: Axis = .all) -> Tensor {
    let count: Int
    switch axis {
    case .rows: count = rows
    case .columns: count = columns
    case .all: count = rows * columns
    }
    let total = Self.reduce(value, axis)
    return graph.record(.mean(axis), inputs: [self], value: total / Double(Swift.max(count, 1)))
  }

  static func reduce(_ m: Matrix<Double>, _ axis: Axis) -> Matrix<Double> {
    switch axis {
    case .rows: Matrix(row: m.columnSums())
    case .columns: Matrix(column: m.rowSums())
    case .all: Matrix(rows: 1, columns: 1, repeating: m.sum())
    }
  }

  /// Sums a broadcast gradient back to the shape of the operand it came from.
  static func unbroadcast(_ g: Matrix<Double>, to shape: (rows: Int, columns: Int)) -> Matrix<Double> {
    if g.rows == shape.rows && g.columns == shape.columns { return g }
    if shape.rows == 1 && shape.columns == 1 { return Matrix(rows: 1, columns: 1, repeating: g.sum()) }
    if shape.rows == 1 { return Matrix(row: g.columnSums()) }
    return Matrix(column: g.rowSums())
  }
}
