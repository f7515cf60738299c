import Foundation
import OTKitAutograd
import OTKitCore
import OTKitData
import OTKitNeural
import RealModule

/// A synthetic translation task that mirrors the author's alignment experiments (spec §7.4)
/// without a pretrained model: `K` concepts `c_k ~ N(0, I_d)`; a sentence of language A
/// holds tokens `c_k + σξ`, its translation in language B the tokens `Q c_k + σξ'` (`Q` the
/// identity or a small rotation) in an order perturbed by adjacent swaps and a block move,
/// with unaligned function words and a word split in two tokens; every token of a sentence
/// gets a shared context shift `α · mean(sentence)` and a common direction `β u` (the
/// anisotropy of language-model embeddings). Measured: E6's OT accuracy on the embeddings
/// against `σ` and `α`; a small encoder trained on `[A; B]` to name each B token's concept,
/// with E4's cosine, the correlation with and the distance to the OT plan, layer by layer
/// (through ``LayerAlignment``); and the fixed-weight ``OTTransformer`` on the same
/// embeddings as the theory's counterpart.
///
/// H. Daneshmand, arXiv 2410.19931 v3 (E1, E4-E6). The layout differs from the theory's: a
/// token per word, not a token per pair of points.
///
/// - Complexity: `O(pairs · T² · d)` for the data; `O(steps · batch · layers · T² · width)`
///   to train the encoder.
public enum SyntheticAlignment {
  /// The generator's settings.
  public struct Settings: Sendable, Codable, Equatable {
    public var concepts = 40
    public var dimension = 16
    /// Concept words per sentence (both languages).
    public var words = 8
    /// Unaligned function words added to each B sentence.
    public var functionWords = 2
    /// Whether one B word is split into two tokens.
    public var split = true
    /// Token noise `σ`.
    public var noise = 0.3
    /// The shared context shift `α` (times the sentence mean).
    public var shift = 0.0
    /// The length of the common direction `β u`.
    public var anisotropy = 0.0
    /// The rotation angle of `Q` in one random plane (0: the identity).
    public var rotation = 0.2
    /// The probability of each adjacent swap of B's order.
    public var swap = 0.3
    public var seed: UInt64 = 1

    public init() {}

    /// Tokens of one pair: A's words, then B's tokens.
    public var tokens: Int { words + words + functionWords + (split ? 1 : 0) }
  }

  /// The fixed parts of a language pair: concepts, `Q`, the common direction, the function
  /// words' vectors.
  public struct Language: Sendable {
    public var concepts: Matrix<Double>
    public var rotation: Matrix<Double>
    public var direction: [Double]
    public var functionVectors: Matrix<Double>

    public init(_ s: Settings) {
      var g = SeededGenerator(seed: s.seed)
      concepts = g.normalMatrix(rows: s.concepts, columns: s.dimension)
      functionVectors = g.normalMatrix(rows: 8, columns: s.dimension)
      var q = Matrix<Double>(rows: s.dimension, columns: s.dimension) { i, j in i == j ? 1 : 0 }
      if s.dimension >= 2 && s.rotation != 0 {
        let (p, r) = (0, 1)
        let (c, sn) = (Double.cos(s.rotation), Double.sin(s.rotation))
        (q[p, p], q[p, r], q[r, p], q[r, r]) = (c, -sn, sn, c)
      }
      rotation = q
      var u = (0..<s.dimension).map { _ in g.normal() }
      let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
      u = u.map { $0 / norm }
      direction = u
    }
  }

  /// One sentence pair: token vectors, segments, word ids, gold pairs and B's labels.
  public struct Pair: Sendable {
    /// `T x d`: A's tokens, then B's.
    public var tokens: Matrix<Double>
    public var segment: [Int]
    public var wordIDs: [Int]
    public var gold: [(source: Int, target: Int)]
    /// The concept of each B token (`concepts` for a function word).
    public var labels: [Int]
  }

  /// A seeded pair.
  ///
  /// - Complexity: `O(T d)`.
  public static func pair(_ s: Settings, language: Language, generator g: inout SeededGenerator) -> Pair {
    let d = s.dimension
    var pool = Array(0..<s.concepts)
    for i in 0..<s.words { pool.swapAt(i, i + g.integer(below: s.concepts - i)) }
    let chosen = Array(pool.prefix(s.words))
    // B's order: adjacent swaps, then one block moved.
    var order = Array(0..<s.words)
    for i in 0..<(s.words - 1) where g.uniform() < s.swap { order.swapAt(i, i + 1) }
    if s.words >= 4 {
      let start = g.integer(below: s.words - 1)
      let block = Array(order[start..<min(start + 2, s.words)])
      order.removeSubrange(start..<min(start + 2, s.words))
      order.insert(contentsOf: block, at: g.integer(below: order.count + 1))
    }
    // B's words: concept words in that order with function words inserted.
    var bWords: [(concept: Int?, aWord: Int?)] = order.map { (chosen[$0], $0) }
    for _ in 0..<s.functionWords { bWords.insert((nil, nil), at: g.integer(below: bWords.count + 1)) }
    let splitWord = s.split ? bWords.indices.filter { bWords[$0].concept != nil }[g.integer(below: s.words)] : -1
    var vectors: [[Double]] = []
    var segment: [Int] = [], wordIDs: [Int] = [], labels: [Int] = []
    func noisy(_ v: [Double]) -> [Double] { v.map { $0 + s.noise * g.normal() } }
    for (w, k) in chosen.enumerated() {
      vectors.append(noisy((0..<d).map { language.concepts[k, $0] }))
      segment.append(0)
      wordIDs.append(w)
    }
    var gold: [(Int, Int)] = []
    for (w, word) in bWords.enumerated() {
      let base: [Double]
      if let k = word.concept {
        base = (0..<d).map { i in (0..<d).reduce(0.0) { $0 + language.rotation[i, $1] * language.concepts[k, $1] } }
        gold.append((word.aWord!, w))
      } else {
        let f = g.integer(below: language.functionVectors.rows)
        base = (0..<d).map { language.functionVectors[f, $0] }
      }
      for _ in 0..<(w == splitWord ? 2 : 1) {
        vectors.append(noisy(w == splitWord ? base.map { $0 * 0.5 } : base))
        segment.append(1)
        wordIDs.append(w)
        labels.append(word.concept ?? s.concepts)
      }
    }
    // The shared context shift and the common direction, per sentence.
    for side in 0...1 {
      let rows = segment.indices.filter { segment[$0] == side }
      var mean = [Double](repeating: 0, count: d)
      for r in rows { for c in 0..<d { mean[c] += vectors[r][c] / Double(rows.count) } }
      for r in rows { for c in 0..<d { vectors[r][c] += s.shift * mean[c] + s.anisotropy * language.direction[c] } }
    }
    return Pair(tokens: Matrix(vectors), segment: segment, wordIDs: wordIDs, gold: gold, labels: labels)
  }

  /// E6's accuracy on the embeddings themselves: the share of gold pairs on the support of
  /// the exact OT plan between the gold words (mean over pairs).
  ///
  /// - Throws: errors of the OT solve.
  public static func embeddingAccuracy(_ s: Settings, pairs count: Int, options: LayerAlignment.Options = LayerAlignment.Options()) throws -> Double {
    let language = Language(s)
    var g = SeededGenerator(seed: s.seed &+ 1)
    var total = 0.0
    for _ in 0..<count {
      let p = pair(s, language: language, generator: &g)
      let dump = try dumpOf(p, attentions: [Double](repeating: 1 / Double(p.segment.count), count: p.segment.count * p.segment.count), layers: 1, heads: 1, hidden: [p.tokens])
      total += try LayerAlignment.analyze(dump, options: options)[0].otAccuracy ?? 0
    }
    return total / Double(max(count, 1))
  }

  /// A dump (for ``LayerAlignment`` or `otkit align`) of a pair with the given attentions (`[layers][heads][T][T]`) and hidden states.
  public static func dumpOf(_ p: Pair, attentions: [Double], layers: Int, heads: Int, hidden: [Matrix<Double>]) throws -> AlignmentDump {
    let t = p.segment.count
    let width = hidden.first?.columns ?? 0
    return try AlignmentDump(
      attentions: NPY.Array(shape: [layers, heads, t, t], dtype: .float64, values: attentions),
      hidden: hidden.isEmpty ? nil : NPY.Array(shape: [hidden.count, t, width], dtype: .float64, values: hidden.flatMap(\.elements)),
      segment: NPY.Array(shape: [t], dtype: .int64, values: p.segment.map(Double.init)),
      wordIDs: NPY.Array(shape: [t], dtype: .int64, values: p.wordIDs.map(Double.init)),
      gold: NPY.Array(shape: [p.gold.count, 2], dtype: .int64, values: p.gold.flatMap { [Double($0.source), Double($0.target)] }),
      origin: "synthetic")
  }

  /// The encoder's settings.
  public struct EncoderSettings: Sendable, Codable, Equatable {
    public var layers = 4
    public var width = 32
    public var heads = 2
    public var steps = 400
    /// Sentence pairs per step.
    public var batchSize = 32
    public var learningRate = 3e-3
    public var seed: UInt64 = 5

    public init() {}

    /// The keys of 0.2 (the batch size is `batch`).
    enum CodingKeys: String, CodingKey {
      case layers, width, heads, steps
      case batchSize = "batch"
      case learningRate, seed
    }
  }

  /// The result of the encoder experiment.
  public struct EncoderResult: Sendable, Codable, Equatable {
    /// Training loss every 10 steps.
    public var losses: [Double]
    /// The concept accuracy on B's tokens of the test pairs.
    public var testAccuracy: Double
    /// Per state (0: the input embedding; `l`: after layer `l`), over the test pairs.
    public var layers: [LayerAlignment.Summary]
  }

  /// Trains a post-norm transformer encoder on `[A; B]` to name each B token's concept
  /// (function words: "none"), then measures its attention and hidden states layer by layer
  /// on test pairs.
  ///
  /// - Throws: autograd or OT errors.
  public static func encoder(_ s: Settings, _ e: EncoderSettings, testPairs: Int = 100, options: LayerAlignment.Options = LayerAlignment.Options(), progress: ReproductionProgress = .silent) throws -> EncoderResult {
    let language = Language(s)
    var g = SeededGenerator(seed: e.seed)
    let inputs = s.dimension + 2
    let embed = Linear(inputs: inputs, outputs: e.width, generator: &g)
    let blocks = (0..<e.layers).map { _ in
      TransformerEncoderBlock(width: e.width, heads: e.heads, keySize: e.width / e.heads, feedForward: 2 * e.width, generator: &g)
    }
    let head = Linear(inputs: e.width, outputs: s.concepts + 1, generator: &g)
    let parameters = embed.parameters + blocks.flatMap(\.parameters) + head.parameters
    let optimizer = Adam(learningRate: e.learningRate)
    let t = s.tokens
    var data = SeededGenerator(seed: s.seed &+ 2)
    func batch(_ count: Int) -> (x: Matrix<Double>, rows: [Int], labels: [Int], pairs: [Pair]) {
      var x = Matrix<Double>(rows: count * t, columns: inputs)
      var rows: [Int] = [], labels: [Int] = [], pairs: [Pair] = []
      for b in 0..<count {
        let p = pair(s, language: language, generator: &data)
        for i in 0..<t {
          for c in 0..<s.dimension { x[b * t + i, c] = p.tokens[i, c] }
          x[b * t + i, s.dimension + p.segment[i]] = 1
        }
        let bRows = (0..<t).filter { p.segment[$0] == 1 }
        rows += bRows.map { b * t + $0 }
        labels += p.labels
        pairs.append(p)
      }
      return (x, rows, labels, pairs)
    }
    var training = TrainingConfiguration()
    training.showsProgress = false
    let history = try Trainer(training).fit(
      parameters, optimizer: optimizer, steps: e.steps,
      loss: { graph, _ in
        let (x, rows, labels, _) = batch(e.batchSize)
        var h = embed(graph.constant(x))
        for block in blocks { h = block(h, tokens: t) }
        return crossEntropy(logits: head(h).gatherRows(rows), labels: labels)
      },
      onStep: { record in
        let step = record.step + 1
        if step % 10 == 0 { progress(step, of: e.steps, "encoder step \(step)") }
      })
    let losses = stride(from: 0, to: history.losses.count, by: 10).map { history.losses[$0] }
    // Test pairs: accuracy, attention and hidden states per layer.
    let (x, rows, labels, pairs) = batch(testPairs)
    let graph = Graph.inference()
    var h = embed(graph.constant(x))
    var states = [h.value]
    var attentions: [[Double]] = []
    for block in blocks {
      let q = block.attention.query(h).value, k = block.attention.key(h).value, v = block.attention.value(h).value
      let shape = Fast.AttentionShape(instances: testPairs, tokens: t, heads: e.heads, keySize: e.width / e.heads, valueSize: e.width / e.heads)
      attentions.append(Fast.multiHeadAttention(queries: q, keys: k, values: v, shape: shape, scale: 1 / Double(e.width / e.heads).squareRoot()).weights)
      h = block(h, tokens: t)
      states.append(h.value)
    }
    let logits = head(h).value.rows(at: rows)
    var correct = 0
    for (i, label) in labels.enumerated() {
      var best = 0
      for c in 1..<logits.columns where logits[i, c] > logits[i, best] { best = c }
      if best == label { correct += 1 }
    }
    var sentences: [[LayerAlignment.Row]] = []
    for (b, p) in pairs.enumerated() {
      var weights: [Double] = []
      for layer in 0..<e.layers { weights += attentions[layer][(b * e.heads * t * t)..<((b + 1) * e.heads * t * t)] }
      let hidden = states.map { $0.rows((b * t)..<((b + 1) * t)) }
      sentences.append(try LayerAlignment.analyze(dumpOf(p, attentions: weights, layers: e.layers, heads: e.heads, hidden: hidden), options: options))
    }
    return EncoderResult(losses: losses, testAccuracy: Double(correct) / Double(max(labels.count, 1)), layers: LayerAlignment.summarize(sentences))
  }

  /// The fixed-weight transformer on the gold words' embeddings (rescaled so that the
  /// largest squared distance is 1): the share of B words whose largest readout weight is
  /// on their gold A word, at each depth (mean over pairs).
  public static func constructed(_ s: Settings, pairs count: Int, lambda: Double = 0.05, depths: [Int] = [1, 4, 16, 64, 256]) -> [(depth: Int, accuracy: Double)] {
    let language = Language(s)
    var g = SeededGenerator(seed: s.seed &+ 3)
    var hits = [Int](repeating: 0, count: depths.count), total = 0
    let transformer = OTTransformer(dimension: s.dimension, lambda: lambda, gamma: lambda / 2)
    for _ in 0..<count {
      let p = pair(s, language: language, generator: &g)
      // Word vectors (split words averaged), gold order: x = A words, y = B words.
      func word(_ side: Int, _ id: Int) -> [Double] {
        let rows = p.segment.indices.filter { p.segment[$0] == side && p.wordIDs[$0] == id }
        return (0..<s.dimension).map { c in rows.reduce(0) { $0 + p.tokens[$1, c] } / Double(rows.count) }
      }
      var x = Matrix(p.gold.map { word(0, $0.source) })
      var y = Matrix(p.gold.map { word(1, $0.target) })
      var largest = 0.0
      for i in 0..<x.rows { for j in 0..<y.rows { largest = max(largest, (0..<s.dimension).reduce(0) { $0 + (x[i, $1] - y[j, $1]) * (x[i, $1] - y[j, $1]) }) } }
      let scale = 1 / max(largest, 1e-12).squareRoot()
      x = x * scale
      y = y * scale
      let layers = transformer.run(x: x, y: y, depth: depths.last!, record: Set(depths), sinkValue: 1)
      for (k, depth) in depths.enumerated() {
        guard let layer = layers.first(where: { $0.depth == depth }) else { continue }
        for i in 0..<y.rows {
          var best = 0
          for j in 1..<x.rows where layer.readout[i, j] > layer.readout[i, best] { best = j }
          if best == i { hits[k] += 1 }
        }
      }
      total += y.rows
    }
    return zip(depths, hits).map { ($0, Double($1) / Double(max(total, 1))) }
  }
}
