import OTKitAttention
import OTKitAutograd
import OTKitCore

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
/// Post-norm (the default, as in the tabular OT study, A. Candelieri and A. Quadrio, arXiv 2512.09530):
/// `x = LN(dropout(MHA(x)) + x)`, then `y = LN(dropout(FF(x)) + x)`.
public final class TransformerEncoderBlock: Module {
  public let attention: MultiHeadAttention
  public let hidden: Linear
  public let projection: Linear
  public let norm1: LayerNorm
  public let norm2: LayerNorm
  public let dropout1: Dropout
  public let dropout2: Dropout
  public let normPlacement: NormPlacement

  public init(
    width: Int, heads: Int, keySize: Int, feedForward: Int, dropout: Double = 0,
    normPlacement: NormPlacement = .post, epsilon: Double = 1e-6, anchor: AttentionAnchor = .softmax, temperature: Double = 1,
    generator: inout SeededGenerator
  ) {
    attention = MultiHeadAttention(width: width, heads: heads, keySize: keySize, anchor: anchor, temperature: temperature, generator: &generator)
    hidden = Linear(inputs: width, outputs: feedForward, generator: &generator)
    projection = Linear(inputs: feedForward, outputs: width, generator: &generator)
    norm1 = LayerNorm(features: width, epsilon: epsilon)
    norm2 = LayerNorm(features: width, epsilon: epsilon)
    dropout1 = Dropout(rate: dropout, seed: generator.next())
    dropout2 = Dropout(rate: dropout, seed: generator.next())
    self.normPlacement = normPlacement
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("attention", attention) + prefixed("hidden", hidden) + prefixed("projection", projection)
      + prefixed("norm1", norm1) + prefixed("norm2", norm2)
  }

  public func callAsFunction(_ x: Tensor, tokens: Int) -> Tensor {
    switch normPlacement {
    case .post:
      let a = norm1(dropout1(attention(x, tokens: tokens)) + x)
      return norm2(dropout2(projection(hidden(a).relu())) + a)
    case .pre:
      let a = x + dropout1(attention(norm1(x), tokens: tokens))
      return a + dropout2(projection(hidden(norm2(a)).relu()))
    }
  }
}
