import OTKitAttention
import OTKitCore

/// Fused multi-head scaled dot-product attention as one tape operation.
///
/// `queries`, `keys` and `values` hold `instances * tokens` rows; the tokens of an instance
/// attend to each other. The score of head `h` is `scale * q k^T` on the `h`-th block of
/// `keySize` columns; the weights are its row softmax (the one-sided entropic OT anchor;
/// Sander et al., "Sinkformers", AISTATS 2022). `bias`, a constant `tokens x tokens`
/// additive score bias shared by every instance and head, masks keys with `-infinity`.
///
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))`.
public func multiHeadAttention(
  queries: Tensor, keys: Tensor, values: Tensor, tokens: Int, heads: Int, scale: Double? = nil, bias: Matrix<Double>? = nil
) -> Tensor {
  precondition(tokens > 0 && queries.rows % tokens == 0, "\(queries.rows) rows are not whole instances of \(tokens) tokens")
  precondition(heads > 0 && queries.columns % heads == 0 && values.columns % heads == 0, "Columns must split into \(heads) heads")
  let shape = Fast.AttentionShape(
    instances: queries.rows / tokens, tokens: tokens, heads: heads,
    keySize: queries.columns / heads, valueSize: values.columns / heads)
  let s = scale ?? 1 / Double(shape.keySize).squareRoot()
  let (output, weights) = Fast.multiHeadAttention(
    queries: queries.value, keys: keys.value, values: values.value, shape: shape, scale: s, bias: bias)
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

/// Multi-head attention with any anchor as one tape operation: for every instance and
/// head, `weights = anchor(scale * q k^T)` and the output `weights v`, heads side by side.
/// The backward pass runs the anchor's rule block by block.
///
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))` plus the anchor.
public func anchoredMultiHeadAttention(
  queries: Tensor, keys: Tensor, values: Tensor, tokens: Int, heads: Int, anchor: AttentionAnchor, scale: Double? = nil
) -> Tensor {
  anchoredMultiHeadAttention(
    queries: queries, keys: keys, values: values, tokens: tokens, anchors: Array(repeating: anchor, count: heads), scale: scale)
}

/// Multi-head attention with one anchor per head (a mixed layer: softmax, Sinkhorn and
/// entmax heads side by side) as one tape operation: for every instance and head `h`,
/// `weights = anchors[h](chart(scale * q k^T))` and the output `weights v`. The chart
/// (``ScoreChart``) applies the unary regime, `bias` (a constant `tokens x tokens` score
/// bias shared by every instance and head: a locality cost such as ALiBi's
/// `-gamma |i - j|`, or `-infinity` off a carrier), the link and an adaptive carrier.
///
/// - Parameters:
///   - columnField: the learned column field of the ``UnaryRegime/field`` regime,
///     `(instances * tokens) x heads` (one value per key token and head), differentiable.
///   - window: an adaptive carrier, with `widths` (`1 x heads`, differentiable) its learned
///     width per head.
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))` plus the anchors.
public func anchoredMultiHeadAttention(
  queries: Tensor, keys: Tensor, values: Tensor, tokens: Int, anchors: [AttentionAnchor], scale: Double? = nil,
  bias: Matrix<Double>? = nil, chart: ScoreChart = ScoreChart(), columnField: Tensor? = nil, window: AdaptiveWindow? = nil,
  widths: Tensor? = nil
) -> Tensor {
  let heads = anchors.count
  precondition(tokens > 0 && queries.rows % tokens == 0, "\(queries.rows) rows are not whole instances of \(tokens) tokens")
  precondition(heads > 0 && queries.columns % heads == 0 && values.columns % heads == 0, "Columns must split into \(heads) heads")
  precondition(bias.map { $0.rows == tokens && $0.columns == tokens } ?? true, "The bias must be tokens x tokens")
  precondition(columnField.map { $0.rows == queries.rows && $0.columns == heads } ?? true, "The column field must be rows x heads")
  precondition((window == nil) == (widths == nil) && (widths.map { $0.rows == 1 && $0.columns == heads } ?? true), "One width per head")
  var record = AnchoredAttentionRecord(
    tokens: tokens, heads: heads, scale: scale ?? 1 / Double(queries.columns / heads).squareRoot(), anchors: anchors, bias: bias,
    chart: chart, window: window, hasColumnField: columnField != nil, blocks: [])
  let (dk, dv) = (queries.columns / heads, values.columns / heads)
  var output = Matrix<Double>(rows: queries.rows, columns: values.columns)
  record.blocks.reserveCapacity(queries.rows / tokens * heads)
  for b in 0..<(queries.rows / tokens) {
    let rows = (b * tokens)..<((b + 1) * tokens)
    for h in 0..<heads {
      let q = queries.value.rows(rows).columns((h * dk)..<((h + 1) * dk))
      let k = keys.value.rows(rows).columns((h * dk)..<((h + 1) * dk))
      let v = values.value.rows(rows).columns((h * dv)..<((h + 1) * dv))
      let scores = Matrix.product(q, k, transposeB: true) * record.scale
      let evidence = chart.evidence(
        scores, columnField: columnField.map { f in rows.map { f.value[$0, h] } }, bias: bias, window: window,
        width: widths?.value[0, h] ?? 0)
      let (weights, block) = anchors[h].forward(evidence)
      let out = Matrix.product(weights, v)
      for i in 0..<tokens { for c in 0..<dv { output[b * tokens + i, h * dv + c] = out[i, c] } }
      record.blocks.append(block)
    }
  }
  let inputs = [queries, keys, values] + [columnField, widths].compactMap { $0 }
  return queries.graph.record(.anchoredAttention(record), inputs: inputs, value: output)
}

/// What the anchored multi-head attention keeps for its backward pass.
struct AnchoredAttentionRecord {
  var tokens: Int
  var heads: Int
  var scale: Double
  /// One anchor per head.
  var anchors: [AttentionAnchor]
  /// The constant score bias (`tokens x tokens`), if any.
  var bias: Matrix<Double>?
  var chart: ScoreChart
  var window: AdaptiveWindow?
  /// Whether the fourth input is a learned column field (the widths follow it).
  var hasColumnField: Bool
  /// One record per instance and head, instance-major.
  var blocks: [AnchorRecord]

  /// The gradients of the queries, keys, values, column field and widths (the last two
  /// when given); `capture` receives each instance's and head's sample (its weights,
  /// values, `dL/dW` and `dL/dS`, `S` the anchor's input).
  func backward(inputs: [Matrix<Double>], gradient g: Matrix<Double>, capture: ((AttentionGradientSample) -> Void)? = nil) -> [Matrix<Double>] {
    let (queries, keys, values) = (inputs[0], inputs[1], inputs[2])
    let field = hasColumnField ? inputs[3] : nil
    let widths = window == nil ? nil : inputs[hasColumnField ? 4 : 3]
    let (dk, dv) = (queries.columns / heads, values.columns / heads)
    var dq = Matrix<Double>(rows: queries.rows, columns: queries.columns)
    var dkey = Matrix<Double>(rows: keys.rows, columns: keys.columns)
    var dval = Matrix<Double>(rows: values.rows, columns: values.columns)
    var dField = field.map { Matrix<Double>(rows: $0.rows, columns: $0.columns) }
    var dWidths = widths.map { Matrix<Double>(rows: $0.rows, columns: $0.columns) }
    for b in 0..<(queries.rows / tokens) {
      let rows = (b * tokens)..<((b + 1) * tokens)
      for h in 0..<heads {
        let record = blocks[b * heads + h]
        let q = queries.rows(rows).columns((h * dk)..<((h + 1) * dk))
        let k = keys.rows(rows).columns((h * dk)..<((h + 1) * dk))
        let v = values.rows(rows).columns((h * dv)..<((h + 1) * dv))
        let go = g.rows(rows).columns((h * dv)..<((h + 1) * dv))
        let dw = Matrix.product(go, v, transposeB: true)
        let dvBlock = Matrix.product(record.weights, go, transposeA: true)
        let scores = Matrix.product(q, k, transposeB: true) * scale
        let width = widths?[0, h] ?? 0
        let argument = chart.linkArgument(scores, columnField: field.map { f in rows.map { f[$0, h] } }, bias: bias)
        var evidence = chart.link.logKernel(rows: argument)
        if let window { evidence = evidence + window.logMask(rows: tokens, columns: tokens, width: width) }
        let evidenceGradient = anchors[h].backward(scores: evidence, record: record, gradient: dw)
        capture?(AttentionGradientSample(node: 0, instance: b, head: h, weights: record.weights, values: v, upstream: dw, scoreGradient: evidenceGradient))
        let pulled = chart.isStandard && window == nil
          ? (scores: evidenceGradient, columnField: field == nil ? [] : evidenceGradient.columnSums(), width: 0)
          : chart.pullback(argument, gradient: evidenceGradient, window: window, width: width)
        for (i, row) in rows.enumerated() where field != nil { dField![row, h] = pulled.columnField[i] }
        dWidths?[0, h] += pulled.width
        let ds = pulled.scores * scale
        let dqBlock = Matrix.product(ds, k)
        let dkBlock = Matrix.product(ds, q, transposeA: true)
        for i in 0..<tokens {
          for c in 0..<dk {
            dq[b * tokens + i, h * dk + c] = dqBlock[i, c]
            dkey[b * tokens + i, h * dk + c] = dkBlock[i, c]
          }
          for c in 0..<dv { dval[b * tokens + i, h * dv + c] = dvBlock[i, c] }
        }
      }
    }
    return [dq, dkey, dval] + [dField, dWidths].compactMap { $0 }
  }
}

/// One head of one instance as a backward pass saw it (``Graph/capturesAttentionGradients``):
/// the weights `W`, the values `V`, the upstream gradient `dL/dW` and the tape's gradient on
/// the scaled scores `dL/dS`.
public struct AttentionGradientSample: Sendable {
  /// The attention node on the tape (layers in evaluation order).
  public var node: Int
  public var instance: Int
  public var head: Int
  public var weights: Matrix<Double>
  public var values: Matrix<Double>
  public var upstream: Matrix<Double>
  public var scoreGradient: Matrix<Double>
}
