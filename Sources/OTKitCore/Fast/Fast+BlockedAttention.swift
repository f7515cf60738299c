internal import _OTKitShims

extension Fast {
  /// Whether ``blockedSoftmaxAttention(queries:keys:values:scale:bias:)`` runs here (a CPU
  /// with AVX-512 or AVX2).
  public static var blockedAttentionIsAvailable: Bool { VectorKernels.width > 0 }

  /// Softmax attention `softmax(scale * Q K^T + bias) V` computed by blocks of 24 query rows,
  /// without forming the `n x m` weights (the approach of memory-efficient and flash
  /// attention: Rabe & Staats, "Self-attention does not need O(n^2) memory", 2021; Dao et
  /// al., "FlashAttention", NeurIPS 2022). A block's scores stay in cache from the score
  /// product through the row softmax to the product with the values; the products are
  /// register-tiled AVX-512 or AVX2 kernels (see ``VectorKernels``), the softmax is the
  /// one of ``Kernels/softmaxRowsInPlace(_:)``. Each query row is normalized exactly (all `m` scores
  /// of a row are in the block), so no running rescaling is needed.
  ///
  /// - Parameters:
  ///   - queries: `n x d`.
  ///   - keys: `m x d`.
  ///   - values: `m x dv`.
  ///   - scale: the factor of the scores, `1 / temperature`.
  ///   - bias: an additive `n x m` score bias (masks as `-inf`, ALiBi), or `nil`.
  /// - Returns: the `n x dv` output, or `nil` when no vector kernels are available (the
  ///   caller then forms the weights and uses two matrix products).
  /// - Complexity: `O(n m (d + dv))` time, `O(m (d + dv))` memory beyond the output.
  public static func blockedSoftmaxAttention(
    queries q: Matrix<Float>, keys k: Matrix<Float>, values v: Matrix<Float>, scale: Float,
    bias: Matrix<Float>? = nil
  ) -> Matrix<Float>? {
    precondition(q.columns == k.columns, "Queries and keys must have the same width")
    precondition(v.rows == k.rows, "One value per key")
    let (n, m, d, dv) = (q.rows, k.rows, q.columns, v.columns)
    if let bias { precondition(bias.rows == n && bias.columns == m, "The bias must be n x m") }
    guard VectorKernels.width > 0, m > 0, d > 0, dv > 0 else { return nil }
    var out = Matrix<Float>(uninitializedRows: n, columns: dv)
    guard n > 0 else { return out }
    let packed = UnsafeMutablePointer<Float>.allocate(capacity: otkit_attention_packed_count_f32(m, d, dv))
    defer { packed.deallocate() }
    k.withUnsafeBufferPointer { kp in
      v.withUnsafeBufferPointer { vp in
        otkit_attention_pack_f32(kp.baseAddress, vp.baseAddress, m, d, dv, packed)
      }
    }
    let scratchCount = otkit_attention_scratch_count_f32(m, d, dv)
    let block = 24
    let blocks = (n + block - 1) / block
    q.withUnsafeBufferPointer { qp in
      out.withUnsafeMutableBufferPointer { op in
        let (qbase, obase) = (qp.baseAddress, op.baseAddress)
        func run(_ biasBase: UnsafePointer<Float>?) {
          Parallel.forEachWorker(count: blocks, cost: block * m * (2 * d + 2 * dv + 16)) { _, range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
            defer { scratch.deallocate() }
            otkit_attention_rows_f32(
              qbase, packed, biasBase, m, d, dv, scale, range.lowerBound * block,
              min(n, range.upperBound * block), scratch, obase)
          }
        }
        if let bias {
          bias.withUnsafeBufferPointer { run($0.baseAddress) }
        } else {
          run(nil)
        }
      }
    }
    return out
  }
}
