import OTKitCore

/// Fused multi-head scaled dot-product attention as one tape operation.
///
/// `queries`, `keys` and `values` hold `instances * tokens` rows; the tokens of an instance
/// attend to each other. The score of head `h` is `scale * q k^T` on the `h`-th block of
/// `keySize` columns; the weights are its row softmax (the one-sided entropic OT anchor;
/// `../shared/specs/attention-as-transport.md`, section 1).
///
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))`.
public func multiHeadAttention(
  queries: Tensor, keys: Tensor, values: Tensor, tokens: Int, heads: Int, scale: Double? = nil
) -> Tensor {
  precondition(tokens > 0 && queries.rows % tokens == 0, "\(queries.rows) rows are not whole instances of \(tokens) tokens")
  precondition(heads > 0 && queries.columns % heads == 0 && values.columns % heads == 0, "Columns must split into \(heads) heads")
  let shape = Kernels.AttentionShape(
    instances: queries.rows / tokens, tokens: tokens, heads: heads,
    keySize: queries.columns / heads, valueSize: values.columns / heads)
  let s = scale ?? 1 / Double(shape.keySize).squareRoot()
  let (output, weights) = Kernels.multiHeadAttention(
    queries: queries.value, keys: keys.value, values: values.value, shape: shape, scale: s)
  let record = AttentionRecord(
    tokens: tokens, heads: heads, keySize: shape.keySize, valueSize: shape.valueSize, scale: s,
    weights: weights)
  return queries.graph.record(.attention(record), inputs: [queries, keys, values], value: output)
}

/// The attention weights of the last forward pass of a fused attention tensor, `instances x
/// heads x tokens x tokens` in row-major order, or `nil` for another tensor or a graph that
/// does not record.
public func attentionWeights(of tensor: Tensor) -> [Double]? {
  guard tensor.node >= 0, case .attention(let record) = tensor.graph.nodes[tensor.node].operation else { return nil }
  return record.weights
}

/// Multi-head attention with any anchor, one instance and head at a time on the tape:
/// `weights = anchor(scale * q k^T)`, output `weights v`, heads side by side.
///
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))` plus the anchor.
public func anchoredMultiHeadAttention(
  queries: Tensor, keys: Tensor, values: Tensor, tokens: Int, heads: Int, anchor: AttentionAnchor, scale: Double? = nil
) -> Tensor {
  precondition(tokens > 0 && queries.rows % tokens == 0, "\(queries.rows) rows are not whole instances of \(tokens) tokens")
  precondition(heads > 0 && queries.columns % heads == 0 && values.columns % heads == 0, "Columns must split into \(heads) heads")
  let (dk, dv) = (queries.columns / heads, values.columns / heads)
  let s = scale ?? 1 / Double(dk).squareRoot()
  var instances: [Tensor] = []
  for b in 0..<(queries.rows / tokens) {
    let rows = (b * tokens)..<((b + 1) * tokens)
    var outputs: [Tensor] = []
    for h in 0..<heads {
      let q = queries.slice(rows: rows, columns: (h * dk)..<((h + 1) * dk))
      let k = keys.slice(rows: rows, columns: (h * dk)..<((h + 1) * dk))
      let v = values.slice(rows: rows, columns: (h * dv)..<((h + 1) * dv))
      let weights = (Tensor.product(q, k, transposeB: true) * s).anchored(anchor)
      outputs.append(Tensor.product(weights, v))
    }
    instances.append(heads == 1 ? outputs[0] : Tensor.concatenate(outputs, along: .columns))
  }
  return instances.count == 1 ? instances[0] : Tensor.concatenate(instances, along: .rows)
}
