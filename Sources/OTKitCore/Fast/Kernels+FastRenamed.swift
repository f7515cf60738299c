// The fused attention entry points moved from `Kernels` to `Fast` (OTKit 0.3); these
// forwarders keep code written against 0.2 building, with a warning that names the new home.

extension Kernels {
  @available(*, deprecated, renamed: "Fast.AttentionShape")
  public typealias AttentionShape = Fast.AttentionShape

  @available(*, deprecated, renamed: "Fast.multiHeadAttention(queries:keys:values:shape:scale:bias:)")
  public static func multiHeadAttention<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    shape: Fast.AttentionShape, scale: T, bias: Matrix<T>? = nil
  ) -> (output: Matrix<T>, weights: [T]) {
    Fast.multiHeadAttention(queries: q, keys: k, values: v, shape: shape, scale: scale, bias: bias)
  }

  @available(*, deprecated, renamed: "Fast.multiHeadAttentionBackward(queries:keys:values:weights:shape:scale:gradient:)")
  public static func multiHeadAttentionBackward<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    weights: [T], shape: Fast.AttentionShape, scale: T, gradient g: Matrix<T>
  ) -> (queries: Matrix<T>, keys: Matrix<T>, values: Matrix<T>) {
    Fast.multiHeadAttentionBackward(
      queries: q, keys: k, values: v, weights: weights, shape: shape, scale: scale, gradient: g)
  }

  @available(*, deprecated, renamed: "Fast.blockedSoftmaxAttention(queries:keys:values:scale:bias:)")
  public static func blockedSoftmaxAttention(
    queries q: Matrix<Float>, keys k: Matrix<Float>, values v: Matrix<Float>, scale: Float,
    bias: Matrix<Float>? = nil
  ) -> Matrix<Float>? {
    Fast.blockedSoftmaxAttention(queries: q, keys: k, values: v, scale: scale, bias: bias)
  }
}
