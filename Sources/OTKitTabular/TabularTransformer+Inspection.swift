import Foundation
import OTKitAttention
import OTKitAutograd
import OTKitCore
import OTKitNeural

/// What one head of a trained transformer does on data: seed 002's transport reading
/// (entropy, exact zeros, distance from doubly stochastic and from the entropic plan),
/// its identities read off the tape, the failure signatures (saturation, rank collapse of
/// the context vectors) and Geometric Attention's gauge, over the inspected instances
/// (means, and the largest identity errors and residuals).
public struct HeadInspection: Sendable, Encodable {
  public var block: Int
  public var head: Int
  /// The anchor's name.
  public var anchor: String
  /// The instances inspected and their tokens.
  public var instances: Int
  public var tokens: Int
  /// `tau = T sqrt(d_k)`.
  public var temperature: Double
  public var entropy: Double
  public var zeroFraction: Double
  /// The mean `max_j |sum_i W_ij - 1|`: the distance from doubly stochastic.
  public var columnMarginalError: Double
  public var planDistance: Double
  /// `tau` over the mean standard deviation of a row of raw scores `Q K^T`: large means
  /// flat weights, small means saturated ones.
  public var effectiveTemperature: Double
  public var saturatedRowShare: Double
  public var advantageMaxError: Double
  public var fisherHessianMaxError: Double?
  public var advantageSpread: Double
  public var unaryFraction: Double?
  public var columnFieldShare: Double?
  public var interactionEffectiveRank: Double?
  public var interactionResidual: Double?
  /// The mean numerical rank and effective rank of the head's context vectors `W V`.
  public var contextRank: Double
  public var contextEffectiveRank: Double
  /// The first instance's weights (`tokens x tokens`), for heat maps; not in the JSON.
  public var firstWeights: Matrix<Double>

  enum CodingKeys: String, CodingKey {
    case block, head, anchor, instances, tokens, temperature, entropy, zeroFraction, columnMarginalError, planDistance
    case effectiveTemperature, saturatedRowShare, advantageMaxError, fisherHessianMaxError, advantageSpread
    case unaryFraction, columnFieldShare, interactionEffectiveRank, interactionResidual, contextRank, contextEffectiveRank
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(block, forKey: .block)
    try c.encode(head, forKey: .head)
    try c.encode(anchor, forKey: .anchor)
    try c.encode(instances, forKey: .instances)
    try c.encode(tokens, forKey: .tokens)
    let numbers: [(Double?, CodingKeys)] = [
      (temperature, .temperature), (entropy, .entropy), (zeroFraction, .zeroFraction), (columnMarginalError, .columnMarginalError),
      (planDistance, .planDistance), (effectiveTemperature, .effectiveTemperature), (saturatedRowShare, .saturatedRowShare),
      (advantageMaxError, .advantageMaxError), (fisherHessianMaxError, .fisherHessianMaxError), (advantageSpread, .advantageSpread),
      (unaryFraction, .unaryFraction), (columnFieldShare, .columnFieldShare), (interactionEffectiveRank, .interactionEffectiveRank),
      (interactionResidual, .interactionResidual), (contextRank, .contextRank), (contextEffectiveRank, .contextEffectiveRank),
    ]
    for (value, key) in numbers { try c.encodeFinite(value, forKey: key) }
  }
}

extension TabularTransformer {
  /// Runs the fitted network on `data` (its first `instances` instances) block by block and
  /// inspects every head of the chosen blocks (all when `nil`): the queries and keys of an
  /// instance's tokens go through the block's anchor at `tau = T sqrt(d_k)` as in training,
  /// the identities use a seeded normal upstream gradient (`seed`).
  ///
  /// - Throws: ``TabularModelError`` for an unfitted model; `MemoryError` when one
  ///   instance's pass does not fit.
  /// - Complexity: the network's forward pass over the instances, plus per head and
  ///   instance the diagnostics (a Sinkhorn solve, the SVD of the `t x t` interaction).
  public func inspect(_ data: SequenceData, instances: Int = 16, blocks chosen: Set<Int>? = nil, seed: UInt64 = 0) throws -> [HeadInspection] {
    guard let network, let layout else { throw TabularModelError("the model is not fitted") }
    guard data.instances > 0 else { throw TabularModelError("no instances to inspect") }
    let count = Swift.min(Swift.max(instances, 1), data.instances)
    let x = try data.standardized(layout.standardizer)
    try settings.checkInferenceMemory(tokens: x.tokens, width: network.width, classes: layout.classLabels.count)
    let input = modelInput(x)
    let rowsPerInstance = input.rows / Swift.max(x.instances, 1)
    let graph = Graph.inference()
    var h = graph.constant(input.rows(0..<(count * rowsPerInstance)))
    var t = x.tokens
    if let tokenizer = network.tokenizer { (h, t) = (tokenizer(h), tokenizer.features) }
    var result: [HeadInspection] = []
    for (b, block) in network.blocks.enumerated() {
      if chosen?.contains(b) ?? true {
        let attentionInput = block.normPlacement == .pre ? block.norm1(h) : h
        result += Self.inspect(block.attention, attentionInput.value, tokens: t, instances: count, block: b, seed: seed)
      }
      h = block(h, tokens: t)
    }
    return result
  }

  /// Every head of one attention layer over `instances` instances of `tokens` rows.
  static func inspect(_ layer: MultiHeadAttention, _ x: Matrix<Double>, tokens t: Int, instances: Int, block: Int, seed: UInt64) -> [HeadInspection] {
    let graph = Graph.inference()
    let input = graph.constant(x)
    let (q, k, v) = (layer.query(input).value, layer.key(input).value, layer.value(input).value)
    let dk = layer.keySize
    return (0..<layer.heads).map { head in
      let attention = TransportAttention(anchor: layer.headAnchors[head], temperature: layer.headTemperature(head), carrier: layer.carrier)
      let per = (0..<instances).map { i -> HeadSample in
        let rows = (i * t)..<((i + 1) * t)
        let evidence = layer.evidence(queries: q.rows(rows), keys: k.rows(rows), tokens: x.rows(rows), head: head)
        return HeadSample(
          attention, evidence: evidence, values: v.rows(rows).columns((head * dk)..<((head + 1) * dk)), keySize: dk,
          seed: seed &+ UInt64(block * 1000 + head * 100 + i))
      }
      return HeadInspection(
        block: block, head: head, anchor: layer.headAnchors[head].name, samples: per, tokens: t, temperature: layer.headTemperature(head))
    }
  }
}

/// One head on one instance.
struct HeadSample {
  var diagnostics: AttentionDiagnostics
  var rowSpread: Double
  var weights: Matrix<Double>

  /// - Parameter s: the anchor's input (``MultiHeadAttention/evidence(queries:keys:tokens:head:)``),
  ///   in units of the temperature.
  init(_ attention: TransportAttention, evidence s: Matrix<Double>, values v: Matrix<Double>, keySize: Int, seed: UInt64) {
    let tau = attention.resolvedTemperature(keySize: keySize)
    let w = TransportAttention.weights(s, anchor: attention.anchor)
    var d = AttentionDiagnostics(weights: w, scores: s, temperature: tau)
    var generator = SeededGenerator(seed: seed)
    d.identities = AttentionIdentities.measure(
      rawScores: s * tau, temperature: tau, anchor: attention.anchor, upstream: generator.normalMatrix(rows: s.rows, columns: s.columns))
    d.gauge = attention.gauge(of: s, keySize: keySize)
    let context = Matrix.product(w, v).singularValueDecomposition()
    (d.contextRank, d.contextEffectiveRank) = (context.numericalRank(), context.effectiveRank)
    var spread = 0.0
    for i in 0..<s.rows {
      let row = s.row(i).filter(\.isFinite).map { $0 * tau }
      let mean = row.reduce(0, +) / Double(Swift.max(row.count, 1))
      spread += (row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(row.count, 1))).squareRoot()
    }
    (diagnostics, rowSpread, weights) = (d, spread / Double(Swift.max(s.rows, 1)), w)
  }
}

extension HeadInspection {
  /// Means over the samples, and the largest identity errors and residuals.
  init(block: Int, head: Int, anchor: String, samples: [HeadSample], tokens: Int, temperature tau: Double) {
    func mean(_ f: (HeadSample) -> Double?) -> Double? {
      let values = samples.compactMap(f)
      return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
    func largest(_ f: (HeadSample) -> Double?) -> Double? {
      let values = samples.compactMap(f)
      return values.count < samples.count || values.isEmpty ? nil : values.largestErrorPropagatingNaN()
    }
    (self.block, self.head, self.anchor, instances, self.tokens, temperature) = (block, head, anchor, samples.count, tokens, tau)
    entropy = mean { $0.diagnostics.entropy }!
    zeroFraction = mean { $0.diagnostics.zeroFraction }!
    columnMarginalError = mean { $0.diagnostics.columnMarginalError }!
    planDistance = mean { $0.diagnostics.planDistance }!
    effectiveTemperature = mean { $0.rowSpread > 0 ? tau / $0.rowSpread : .infinity }!
    saturatedRowShare = mean { $0.diagnostics.saturatedRowShare }!
    advantageMaxError = largest { $0.diagnostics.identities?.advantageMaxError } ?? .nan
    fisherHessianMaxError = largest { $0.diagnostics.identities?.fisherHessianMaxError }
    advantageSpread = mean { $0.diagnostics.identities?.advantageSpread } ?? .nan
    unaryFraction = mean { $0.diagnostics.gauge?.unaryFraction }
    columnFieldShare = mean { $0.diagnostics.gauge?.columnFieldShare }
    interactionEffectiveRank = mean { $0.diagnostics.gauge?.effectiveRank }
    interactionResidual = largest { $0.diagnostics.gauge?.residual }
    contextRank = mean { $0.diagnostics.contextRank.map(Double.init) }!
    contextEffectiveRank = mean { $0.diagnostics.contextEffectiveRank }!
    firstWeights = samples.first?.weights ?? Matrix(rows: 0, columns: 0)
  }
}
