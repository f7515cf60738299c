import Foundation
import OTKitAttention
import OTKitAutograd
import OTKitCore

/// Multi-head self-attention over sequences of tokens: projections of the input to queries,
/// keys and values (`heads * keySize` columns each), the fused attention of every head, and
/// an output projection back to the model width.
///
/// The input is `(instances * tokens) x width`, the tokens of an instance consecutive.
///
/// - Complexity: `O(instances * tokens * width * heads * keySize)` for the projections plus
///   `O(instances * heads * tokens^2 * keySize)` for the attention.
public final class MultiHeadAttention: Module {
  public let query: Linear
  public let key: Linear
  public let value: Linear
  public let output: Linear
  public let heads: Int
  public let keySize: Int
  /// How each head's scores become weights: the softmax (fused kernel when every head is
  /// a softmax head without a bias) or another transport anchor, per head.
  public var headAnchors: [AttentionAnchor]
  /// A multiplier of the temperature `sqrt(keySize)`: the scores are `q k^T / (T sqrt(d_k))`.
  public var temperature: Double
  /// Learned per-head log-temperatures `theta_h` (`1 x heads`, starting at 0): head `h`'s
  /// queries are scaled by `exp(-theta_h)`, its temperature is `T sqrt(d_k) exp(theta_h)`;
  /// `nil` when the temperature is fixed.
  public var logTemperature: Parameter?
  /// ALiBi's slope `gamma`: the locality cost `-gamma |i - j|` added to every head's scores
  /// (O. Press, N. A. Smith, M. Lewis, "Train short, test long", ICLR 2022); `nil` for none.
  public var alibi: Double?
  /// The keys each query addresses (Geometric Attention's carrier; `-infinity` off it).
  public var carrier: AttentionCarrier = .full
  /// The evidence-kernel rule: the link and the unary regime (``ScoreChart``).
  public var chart = ScoreChart()
  /// The learned column field of the ``UnaryRegime/field`` regime: one value per key token
  /// and head, a linear map of the token (``useChart(_:)`` creates it).
  public var columnField: Linear?
  /// An adaptive carrier, with ``windowWidth`` its learned width per head.
  public var window: AdaptiveWindow?
  /// The learned window width of every head (`1 x heads`); `nil` without an adaptive carrier.
  public var windowWidth: Parameter?

  /// The anchor of every head (the first head's when they differ); setting it sets every head's.
  public var anchor: AttentionAnchor {
    get { headAnchors[0] }
    set { headAnchors = Array(repeating: newValue, count: heads) }
  }

  public init(
    width: Int, heads: Int, keySize: Int, anchor: AttentionAnchor = .softmax, temperature: Double = 1, generator: inout SeededGenerator
  ) {
    precondition(width > 0 && heads > 0 && keySize > 0, "Attention sizes must be positive")
    query = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    key = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    value = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    output = Linear(inputs: heads * keySize, outputs: width, generator: &generator)
    self.heads = heads
    self.keySize = keySize
    headAnchors = Array(repeating: anchor, count: heads)
    self.temperature = temperature
  }

  /// Makes the per-head temperatures learnable (`theta = 0`: the fixed temperature at start).
  public func learnTemperatures() {
    if logTemperature == nil { logTemperature = Parameter(Matrix(rows: 1, columns: heads)) }
  }

  /// Sets the chart, creating the column field's map for ``UnaryRegime/field``.
  public func useChart(_ chart: ScoreChart, generator: inout SeededGenerator) {
    self.chart = chart
    columnField = chart.unary == .field ? Linear(inputs: query.inputs, outputs: heads, generator: &generator) : nil
  }

  /// Makes the carrier adaptive: a soft window per head starting at `width` tokens.
  public func learnWindows(width: Double, window: AdaptiveWindow = AdaptiveWindow()) {
    self.window = window
    windowWidth = Parameter(Matrix(rows: 1, columns: heads, repeating: width))
  }

  /// Head `h`'s temperature: `T sqrt(d_k) exp(theta_h)`.
  public func headTemperature(_ h: Int) -> Double {
    resolvedTemperature * (logTemperature.map { Foundation.exp($0.value[0, h]) } ?? 1)
  }

  /// The constant bias of the scores for `tokens` tokens: ALiBi's `-gamma |i - j|` plus
  /// `-infinity` off the carrier, or `nil` for neither.
  public func alibiBias(tokens: Int) -> Matrix<Double>? {
    let locality = alibi.map { gamma in Matrix(rows: tokens, columns: tokens) { i, j in -gamma * Double(abs(i - j)) } }
    guard let mask = carrier.bias(rows: tokens, columns: tokens) else { return locality }
    return locality.map { $0 + mask } ?? mask
  }

  /// The anchor's input of head `h` on one instance, from the projected queries and keys of
  /// its tokens (`tokens x (heads * keySize)`) and, for the field regime, the tokens
  /// themselves: what the forward pass feeds the anchor, for inspection.
  public func evidence(queries q: Matrix<Double>, keys k: Matrix<Double>, tokens x: Matrix<Double>, head h: Int) -> Matrix<Double> {
    let columns = (h * keySize)..<((h + 1) * keySize)
    let scores = Matrix.product(q.columns(columns), k.columns(columns), transposeB: true) * (1 / headTemperature(h))
    let graph = Graph.inference()
    let field = columnField.map { f in f(graph.constant(x)).value.column(h) }
    return chart.evidence(
      scores, columnField: field, bias: alibiBias(tokens: q.rows), window: window, width: windowWidth?.value[0, h] ?? 0)
  }

  /// The temperature of the scores: `T sqrt(d_k)`.
  public var resolvedTemperature: Double { temperature * Double(keySize).squareRoot() }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("query", query) + prefixed("key", key) + prefixed("value", value) + prefixed("output", output)
      + (logTemperature.map { [("logTemperature", $0)] } ?? []) + (columnField.map { prefixed("columnField", $0) } ?? [])
      + (windowWidth.map { [("windowWidth", $0)] } ?? [])
  }

  /// Self-attention of `x` over groups of `tokens` rows.
  public func callAsFunction(_ x: Tensor, tokens: Int) -> Tensor {
    let scale = 1 / resolvedTemperature
    var q = query(x)
    if let logTemperature {
      // exp(-theta) spread over each head's keySize columns by a constant 0/1 product.
      let spread = Matrix<Double>(rows: heads, columns: heads * keySize) { h, c in c / keySize == h ? 1 : 0 }
      let factors = Tensor.product((x.graph.parameter(logTemperature) * -1).exp(), x.graph.constant(spread))
      q = q * factors
    }
    let bias = alibiBias(tokens: tokens)
    let fused = headAnchors.allSatisfy({ $0 == .softmax }) && !x.graph.capturesAttentionGradients && chart.isStandard
      && columnField == nil && window == nil
    let mixed = fused
      ? multiHeadAttention(queries: q, keys: key(x), values: value(x), tokens: tokens, heads: heads, scale: scale, bias: bias)
      : anchoredMultiHeadAttention(
        queries: q, keys: key(x), values: value(x), tokens: tokens, anchors: headAnchors, scale: scale, bias: bias, chart: chart,
        columnField: columnField.map { $0(x) }, window: window, widths: windowWidth.map { x.graph.parameter($0) })
    return output(mixed)
  }
}
