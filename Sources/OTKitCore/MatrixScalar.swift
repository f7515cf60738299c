import RealModule

/// The element types a ``Matrix`` can hold: `Double` and `Float`.
///
/// The protocol is the dispatch point between the generic API and the kernels: each
/// conforming type names the SIMD vector its kernels use and forwards the hot loops to
/// implementations that the compiler specializes for that type inside this module, so a
/// caller in another module never runs unspecialized generic code.
public protocol MatrixScalar: BinaryFloatingPoint, Real, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
  /// The SIMD vector of this scalar that the portable kernels work on.
  associatedtype Vector: SIMD<Self> & Sendable

  /// A short name of the type, as NumPy and the CLI spell it (`float64`, `float32`).
  static var dtypeName: String { get }

  /// `C = alpha * op(A) * op(B) + beta * C` on raw row-major buffers (see ``Kernels/gemm``).
  static func _gemm(
    _ shape: GEMMShape, alpha: Self, a: UnsafePointer<Self>, b: UnsafePointer<Self>,
    beta: Self, c: UnsafeMutablePointer<Self>, backend: KernelBackend
  )

  /// Writes `exp(x[i])` to `y[i]` for `count` elements (vectorized, about 1 ulp).
  static func _exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)

  /// Returns `sum_i exp(x[i] - shift)`, vectorized.
  static func _sumExp(_ x: UnsafePointer<Self>, count: Int, shift: Self) -> Self

  /// Replaces `row[0..<count]` (finite largest value) by its softmax, vectorized.
  static func _softmax(_ row: UnsafeMutablePointer<Self>, count: Int)

  /// `C = A B + row` (the `row` of `n` values added to every row of `C`) on the
  /// small-operand kernels (see ``Kernels/affine(_:_:bias:)``); returns `false`, doing
  /// nothing, when they do not take the product.
  static func _affine(
    _ shape: GEMMShape, a: UnsafePointer<Self>, b: UnsafePointer<Self>, row: UnsafePointer<Self>,
    c: UnsafeMutablePointer<Self>
  ) -> Bool
}

extension Double: MatrixScalar {
  public typealias Vector = SIMD4<Double>
  public static var dtypeName: String { "float64" }

  public static func _gemm(
    _ shape: GEMMShape, alpha: Double, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
    beta: Double, c: UnsafeMutablePointer<Double>, backend: KernelBackend
  ) {
    if SmallGEMM.accepts(shape, scalarSize: MemoryLayout<Double>.size) {
      SmallGEMM.run(shape, alpha: alpha, a: a, b: b, beta: beta, c: c)
      return
    }
    if backend == .blas, let blas = SystemBLAS.shared, blas.dgemm(shape, alpha, a, b, beta, c) {
      return
    }
    PortableGEMM<Double, SIMD2<Double>>.run(shape, alpha: alpha, a: a, b: b, beta: beta, c: c)
  }

  public static func _exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
    VectorExp.dispatchedExp(x, y, count: count)
  }

  public static func _sumExp(_ x: UnsafePointer<Double>, count: Int, shift: Double) -> Double {
    VectorExp.dispatchedSumExp(x, count: count, shift: shift)
  }

  public static func _softmax(_ row: UnsafeMutablePointer<Double>, count: Int) {
    VectorExp.dispatchedSoftmax(row, count: count)
  }
}

extension Float: MatrixScalar {
  public typealias Vector = SIMD8<Float>
  public static var dtypeName: String { "float32" }

  public static func _gemm(
    _ shape: GEMMShape, alpha: Float, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    beta: Float, c: UnsafeMutablePointer<Float>, backend: KernelBackend
  ) {
    if SmallGEMM.accepts(shape, scalarSize: MemoryLayout<Float>.size) {
      SmallGEMM.run(shape, alpha: alpha, a: a, b: b, beta: beta, c: c)
      return
    }
    if backend == .blas, let blas = SystemBLAS.shared, blas.sgemm(shape, alpha, a, b, beta, c) {
      return
    }
    PortableGEMM<Float, SIMD4<Float>>.run(shape, alpha: alpha, a: a, b: b, beta: beta, c: c)
  }

  public static func _exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    VectorExp.dispatchedExp(x, y, count: count)
  }

  public static func _sumExp(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
    VectorExp.dispatchedSumExp(x, count: count, shift: shift)
  }

  public static func _softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
    VectorExp.dispatchedSoftmax(row, count: count)
  }
}
