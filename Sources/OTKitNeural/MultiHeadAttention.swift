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

  public init(width: Int, heads: Int, keySize: Int, anchor: AttentionAnchor = .softmax, generator: inout SeededGenerator) {
    precondition(width > 0 && heads > 0 && keySize > 0, "Attention sizes must be positive")
    query = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    key = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    value = Linear(inputs: width, outputs: heads * keySize, generator: &generator)
    output = Linear(inputs: heads * keySize, outputs: width, generator: &generator)
    self.heads = heads
    self.keySize = keySize
    self.anchor = anchor
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("query", query) + prefixed("key", key) + prefixed("value", value) + prefixed("output", output)
  }

  /// Self-attention of `x` over groups of `tokens` rows.
  public func callAsFunction(_ x: Tensor, tokens: Int) -> Tensor {
    let mixed = anchor == .softmax
      ? multiHeadAttention(queries: query(x), keys: key(x), values: value(x), tokens: tokens, heads: heads)
      : anchoredMultiHeadAttention(queries: query(x), keys: key(x), values: value(x), tokens: tokens, heads: heads, anchor: anchor)
    return output(mixed)
  }
}

/// Where a transformer block normalizes.
public enum NormPlacement: String, Sendable, Codable {
  /// After each residual sum (`LN(f(x) + x)`), as in the study's Keras model.
  case post
  /// Before each sub-layer (`x + f(LN(x))`).
  case pre
}

/// A transformer encoder block: multi-head self-attention and a per-token feed-forward
/// network (`Linear(width, feedForward) -> ReLU -> Linear(feedForward, width)`), each with
/// dropout, a residual connection and layer normalization.
///
/// Post-norm (the default, `../shared/specs/tabular-ot.md` section 3):
/// `x = LN(dropout(MHA(x)) + x)`, then `y = LN(dropout(FF(x)) + x)`.
public final class TransformerEncoderBlock: Module {
  public let attention: MultiHeadAttention
  public let hidden: Linear
  public let projection: Linear
  public let norm1: LayerNorm
  public let norm2: LayerNorm
  public let dropout1: Dropout
  public let dropout2: Dropout
  public let placement: NormPlacement

  public init(
    width: Int, heads: Int, keySize: Int, feedForward: Int, dropout: Double = 0,
    placement: NormPlacement = .post, epsilon: Double = 1e-6, anchor: AttentionAnchor = .softmax,
    generator: inout SeededGenerator
  ) {
    attention = MultiHeadAttention(width: width, heads: heads, keySize: keySize, anchor: anchor, generator: &generator)
    hidden = Linear(inputs: width, outputs: feedForward, generator: &generator)
    projection = Linear(inputs: feedForward, outputs: width, generator: &generator)
    norm1 = LayerNorm(features: width, epsilon: epsilon)
    norm2 = LayerNorm(features: width, epsilon: epsilon)
    dropout1 = Dropout(rate: dropout, seed: generator.next())
    dropout2 = Dropout(rate: dropout, seed: generator.next())
    self.placement = placement
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("attention", attention) + prefixed("hidden", hidden) + prefixed("projection", projection)
      + prefixed("norm1", norm1) + prefixed("norm2", norm2)
  }

  public func callAsFunction(_ x: Tensor, tokens: Int) -> Tensor {
    switch placement {
    case .post:
      let a = norm1(dropout1(attention(x, tokens: tokens)) + x)
      return norm2(dropout2(projection(hidden(a).relu())) + a)
    case .pre:
      let a = x + dropout1(attention(norm1(x), tokens: tokens))
      return a + dropout2(projection(hidden(norm2(a)).relu()))
    }
  }
}
