/// The shape of a general matrix product `C = alpha * op(A) * op(B) + beta * C` on
/// row-major buffers, as BLAS names it.
///
/// `op(A)` is `m x k` and `op(B)` is `k x n`; with `transposeA` the buffer `A` holds the
/// `k x m` matrix whose transpose is used. `lda`, `ldb` and `ldc` are the row strides of the
/// stored matrices.
public struct GEMMShape: Sendable, Equatable {
  public var m: Int
  public var n: Int
  public var k: Int
  public var transposeA: Bool
  public var transposeB: Bool
  public var lda: Int
  public var ldb: Int
  public var ldc: Int

  /// A product of contiguous row-major matrices.
  public init(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) {
    self.m = m
    self.n = n
    self.k = k
    self.transposeA = transposeA
    self.transposeB = transposeB
    self.lda = transposeA ? m : k
    self.ldb = transposeB ? k : n
    self.ldc = n
  }

  /// The number of floating-point operations of the product, `2 m n k`.
  public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}
