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
  /// How scores become weights: the softmax (fused kernel) or another transport anchor.
  public var anchor: AttentionAnchor
  /// A multiplier of the temperature `sqrt(keySize)`: the scores are `q k^T / (T sqrt(d_k))`.
  public var temperature: Double

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
    self.anchor = anchor
    self.temperature = temperature
  }

  /// The temperature of the scores: `T sqrt(d_k)`.
  public var resolvedTemperature: Double { temperature * Double(keySize).squareRoot() }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("query", query) + prefixed("key", key) + prefixed("value", value) + prefixed("output", output)
  }

  /// Self-attention of `x` over groups of `tokens` rows.
  public func callAsFunction(_ x: Tensor, tokens: Int) -> Tensor {
    let scale = 1 / resolvedTemperature
    let mixed = anchor == .softmax
      ? multiHeadAttention(queries: query(x), keys: key(x), values: value(x), tokens: tokens, heads: heads, scale: scale)
      : anchoredMultiHeadAttention(queries: query(x), keys: key(x), values: value(x), tokens: tokens, heads: heads, anchor: anchor, scale: scale)
    return output(mixed)
  }
}
