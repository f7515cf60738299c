import OTKitAttention
import OTKitAutograd
import OTKitCore
import OTKitNeural

/// One head's gradient structure after one epoch (``GradientStructure``) with its failure
/// signatures (saturated rows, the context vectors' effective rank, the gradient's size):
/// what `otkit train --log-gradient-structure` logs.
public struct HeadGradientStructure: Sendable, Equatable, Encodable {
  /// The epoch (1-based).
  public var epoch: Int
  public var block: Int
  public var head: Int
  public var structure: GradientStructure

  enum CodingKeys: String, CodingKey {
    case epoch, block, head, advantageMaxError, advantageSpread, varianceBaselined, varianceNaive
    case gradientNorm, saturatedRowShare, contextEffectiveRank
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(epoch, forKey: .epoch)
    try c.encode(block, forKey: .block)
    try c.encode(head, forKey: .head)
    try c.encodeFinite(structure.advantageMaxError, forKey: .advantageMaxError)
    try c.encodeFinite(structure.advantageSpread, forKey: .advantageSpread)
    try c.encodeFinite(structure.varianceBaselined, forKey: .varianceBaselined)
    try c.encodeFinite(structure.varianceNaive, forKey: .varianceNaive)
    try c.encodeFinite(structure.gradientNorm, forKey: .gradientNorm)
    try c.encodeFinite(structure.saturatedRowShare, forKey: .saturatedRowShare)
    try c.encodeFinite(structure.contextEffectiveRank, forKey: .contextEffectiveRank)
  }
}

/// A fixed batch of training instances whose loss gradient is taken after every epoch, with
/// the attention layers' per-head gradients captured from the tape.
struct GradientProbe {
  /// The most instances of the probe batch.
  static let instances = 16

  let input: Matrix<Double>
  let labels: [Int]
  let tokens: Int

  /// The probe of the first instances of `input` (`rowsPerInstance` rows each).
  init(input: Matrix<Double>, labels: [Int], rowsPerInstance: Int, perInstance: Int, tokens: Int) {
    let count = Swift.min(Self.instances, labels.count)
    self.input = input.rows(0..<(count * rowsPerInstance))
    self.labels = labels.prefix(count).flatMap { Array(repeating: $0, count: perInstance) }
    self.tokens = tokens
  }

  /// The loss gradient on the probe (dropout off), per block and head, merged over the
  /// instances; the parameters' gradients are cleared afterwards.
  ///
  /// - Complexity: one forward and backward pass over the probe through the anchored path.
  func measure(_ network: TabularTransformerNetwork, epoch: Int) -> [HeadGradientStructure] {
    let graph = Graph(recording: true, training: false)
    graph.capturesAttentionGradients = true
    let logits = network(graph.constant(input), tokens: tokens)
    defer { network.zeroGradients() }
    guard (try? graph.backward(crossEntropy(logits: logits, labels: labels))) != nil else { return [] }
    let layers = Array(Set(graph.attentionGradients.map(\.node))).sorted()
    var result: [HeadGradientStructure] = []
    for (block, node) in layers.enumerated() {
      let samples = graph.attentionGradients.filter { $0.node == node }
      for head in Array(Set(samples.map(\.head))).sorted() {
        let parts = samples.filter { $0.head == head }.map {
          GradientStructure(weights: $0.weights, upstream: $0.upstream, scoreGradient: $0.scoreGradient, values: $0.values)
        }
        result.append(HeadGradientStructure(epoch: epoch, block: block, head: head, structure: .merged(parts)))
      }
    }
    return result
  }
}
