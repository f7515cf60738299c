internal import _OTKitShims

/// One (instance, head) block of fused multi-head attention (an implementation detail of the
/// kernels, underscored because it carries raw pointers): where its queries, keys and
/// values start, how far apart their rows are, and its sizes.
///
/// The per-head kernels of ``Kernels/multiHeadAttention(queries:keys:values:shape:scale:bias:)``
/// take one; on x86-64 with AVX2 or AVX-512 they run as C kernels compiled for that vector
/// unit (`_OTKitShims`), elsewhere as the portable Swift loops.
public struct _HeadAttentionBlock<T> {
  public var queries: UnsafePointer<T>
  public var keys: UnsafePointer<T>
  public var values: UnsafePointer<T>
  /// The distance between two rows of the queries and of the keys (`heads * keySize`).
  public var queryStride: Int
  /// The distance between two rows of the values and of the output (`heads * valueSize`).
  public var valueStride: Int
  public var tokens: Int
  public var keySize: Int
  public var valueSize: Int
  public var scale: T

  @inlinable
  public init(
    queries: UnsafePointer<T>, keys: UnsafePointer<T>, values: UnsafePointer<T>, queryStride: Int,
    valueStride: Int, tokens: Int, keySize: Int, valueSize: Int, scale: T
  ) {
    self.queries = queries
    self.keys = keys
    self.values = values
    self.queryStride = queryStride
    self.valueStride = valueStride
    self.tokens = tokens
    self.keySize = keySize
    self.valueSize = valueSize
    self.scale = scale
  }
}

extension Kernels {
  /// The scratch elements the per-head kernels need for a block, or 0 when the AVX kernels
  /// are not in use (the portable loops allocate their own).
  public static func headAttentionScratchCount(tokens: Int, keySize: Int, valueSize: Int) -> Int {
    VectorKernels.width > 0 ? otkit_head_attention_scratch_count(tokens, keySize, valueSize) : 0
  }
}

extension Double {
  public static func _headAttentionForward(
    _ b: _HeadAttentionBlock<Double>, bias: UnsafePointer<Double>?, weights: UnsafeMutablePointer<Double>,
    output: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_forward_f64(
      b.queries, b.keys, b.values, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize, b.scale,
      bias, weights, output, scratch)
  }

  public static func _headAttentionBackward(
    _ b: _HeadAttentionBlock<Double>, weights: UnsafePointer<Double>, gradient: UnsafePointer<Double>,
    queries dq: UnsafeMutablePointer<Double>, keys dk: UnsafeMutablePointer<Double>,
    values dv: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_backward_f64(
      b.queries, b.keys, b.values, gradient, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize,
      b.scale, weights, dq, dk, dv, scratch)
  }
}

extension Float {
  public static func _headAttentionForward(
    _ b: _HeadAttentionBlock<Float>, bias: UnsafePointer<Float>?, weights: UnsafeMutablePointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_forward_f32(
      b.queries, b.keys, b.values, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize, b.scale,
      bias, weights, output, scratch)
  }

  public static func _headAttentionBackward(
    _ b: _HeadAttentionBlock<Float>, weights: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
    queries dq: UnsafeMutablePointer<Float>, keys dk: UnsafeMutablePointer<Float>,
    values dv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_backward_f32(
      b.queries, b.keys, b.values, gradient, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize,
      b.scale, weights, dq, dk, dv, scratch)
  }
}
