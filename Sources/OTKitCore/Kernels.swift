import RealModule

/// Low-level kernels on raw buffers and arrays, shared by ``Matrix`` and the solvers.
public enum Kernels {
  /// The larger of two values; NaN if either is NaN.
  @inlinable
  public static func nanMax<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    (a.isNaN || b > a || b.isNaN) ? (a.isNaN ? a : b) : a
  }

  /// The smaller of two values; NaN if either is NaN.
  @inlinable
  public static func nanMin<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    (a.isNaN || b < a || b.isNaN) ? (a.isNaN ? a : b) : a
  }

  /// The maximum of `count` values (of their negations when `negated`); NaN if any is NaN,
  /// `-infinity` when `count == 0`.
  @inlinable
  public static func maximum<T: MatrixScalar>(
    _ x: UnsafePointer<T>, count: Int, negated: Bool = false
  ) -> T {
    var m0 = -T.infinity, m1 = -T.infinity
    var sawNaN = false
    var j = 0
    let sign: T = negated ? -1 : 1
    while j + 2 <= count {
      let a = sign * x[j], b = sign * x[j + 1]
      m0 = a > m0 ? a : m0
      m1 = b > m1 ? b : m1
      sawNaN = sawNaN || a != a || b != b
      j += 2
    }
    if j < count {
      let a = sign * x[j]
      m0 = a > m0 ? a : m0
      sawNaN = sawNaN || a != a
    }
    return sawNaN ? .nan : Swift.max(m0, m1)
  }

  /// `exp` of every element, vectorized (within 2 ulp, identical on every platform).
  ///
  /// - Complexity: `O(n)`.
  @inlinable
  public static func exp<T: MatrixScalar>(_ x: [T]) -> [T] {
    [T](unsafeUninitializedCapacity: x.count) { out, initialized in
      x.withUnsafeBufferPointer { p in
        if let src = p.baseAddress, let dst = out.baseAddress {
          Parallel.forEachRange(count: x.count, cost: 16) { range in
            T._exp(src + range.lowerBound, dst + range.lowerBound, count: range.count)
          }
        }
      }
      initialized = x.count
    }
  }

  /// `log(sum_j exp(x_j))` of `count` values, stable for any magnitude: `-infinity` when
  /// every value is `-infinity` (or `count == 0`), `+infinity` if one is, NaN if one is NaN.
  ///
  /// - Complexity: `O(n)`, two passes.
  @inlinable
  public static func logSumExp<T: MatrixScalar>(_ x: UnsafePointer<T>, count: Int) -> T {
    let m = maximum(x, count: count)
    guard m.isFinite else { return m }
    return m + T.log(T._sumExp(x, count: count, shift: m))
  }

  /// `log(sum_j exp(x_j))` of an array (see ``logSumExp(_:count:)``).
  @inlinable
  public static func logSumExp<T: MatrixScalar>(_ x: [T]) -> T {
    x.withUnsafeBufferPointer { p in
      guard let base = p.baseAddress else { return -T.infinity }
      return logSumExp(base, count: p.count)
    }
  }
}
