internal import _OTKitShims

/// One (instance, head) block of fused multi-head attention: where its queries, keys and
/// values start, how far apart their rows are, and its sizes.
///
/// The per-head kernels of ``Fast/multiHeadAttention(queries:keys:values:shape:scale:bias:)``
/// take one; on x86-64 with AVX2 or AVX-512 they run as C kernels compiled for that vector
/// unit (`_OTKitShims`), elsewhere as the portable Swift loops.
struct HeadAttentionBlock<T> {
  var queries: UnsafePointer<T>
  var keys: UnsafePointer<T>
  var values: UnsafePointer<T>
  /// The distance between two rows of the queries and of the keys (`heads * keySize`).
  var queryStride: Int
  /// The distance between two rows of the values and of the output (`heads * valueSize`).
  var valueStride: Int
  var tokens: Int
  var keySize: Int
  var valueSize: Int
  var scale: T
}

/// The scalars the fused attention kernels run on (`Double` and `Float`): the hooks from
/// the generic loops of ``Fast`` to the per-type C kernels.
///
/// Internal on purpose: the public ``MatrixScalar`` stays the element protocol of
/// ``Matrix`` and carries no attention hooks; the public entry points of ``Fast`` dispatch
/// on the concrete type once per call and run code specialized inside this module.
protocol AttentionKernelScalar: MatrixScalar {
  /// The forward of one (instance, head) block on the AVX kernels, with a `scratch` of
  /// ``Fast/headAttentionScratchCount(tokens:keySize:valueSize:)`` elements; only when that
  /// count is positive (the kernels are in use).
  static func headAttentionForward(
    _ block: HeadAttentionBlock<Self>, bias: UnsafePointer<Self>?, weights: UnsafeMutablePointer<Self>,
    output: UnsafeMutablePointer<Self>, scratch: UnsafeMutablePointer<Self>
  )

  /// The backward of one (instance, head) block on the AVX kernels, under the same
  /// condition.
  static func headAttentionBackward(
    _ block: HeadAttentionBlock<Self>, weights: UnsafePointer<Self>, gradient: UnsafePointer<Self>,
    queries dq: UnsafeMutablePointer<Self>, keys dk: UnsafeMutablePointer<Self>,
    values dv: UnsafeMutablePointer<Self>, scratch: UnsafeMutablePointer<Self>
  )
}

extension Fast {
  /// The scratch elements the per-head kernels need for a block, or 0 when the AVX kernels
  /// are not in use (the portable loops allocate their own).
  static func headAttentionScratchCount(tokens: Int, keySize: Int, valueSize: Int) -> Int {
    VectorKernels.width > 0 ? otkit_head_attention_scratch_count(tokens, keySize, valueSize) : 0
  }
}

extension Double: AttentionKernelScalar {
  static func headAttentionForward(
    _ b: HeadAttentionBlock<Double>, bias: UnsafePointer<Double>?, weights: UnsafeMutablePointer<Double>,
    output: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_forward_f64(
      b.queries, b.keys, b.values, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize, b.scale,
      bias, weights, output, scratch)
  }

  static func headAttentionBackward(
    _ b: HeadAttentionBlock<Double>, weights: UnsafePointer<Double>, gradient: UnsafePointer<Double>,
    queries dq: UnsafeMutablePointer<Double>, keys dk: UnsafeMutablePointer<Double>,
    values dv: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_backward_f64(
      b.queries, b.keys, b.values, gradient, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize,
      b.scale, weights, dq, dk, dv, scratch)
  }
}

extension Float: AttentionKernelScalar {
  static func headAttentionForward(
    _ b: HeadAttentionBlock<Float>, bias: UnsafePointer<Float>?, weights: UnsafeMutablePointer<Float>,
    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_forward_f32(
      b.queries, b.keys, b.values, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize, b.scale,
      bias, weights, output, scratch)
  }

  static func headAttentionBackward(
    _ b: HeadAttentionBlock<Float>, weights: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
    queries dq: UnsafeMutablePointer<Float>, keys dk: UnsafeMutablePointer<Float>,
    values dv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    precondition(VectorKernels.width > 0, "The per-head kernels need AVX2 or AVX-512")
    otkit_head_attention_backward_f32(
      b.queries, b.keys, b.values, gradient, b.queryStride, b.valueStride, b.tokens, b.keySize, b.valueSize,
      b.scale, weights, dq, dk, dv, scratch)
  }
}
