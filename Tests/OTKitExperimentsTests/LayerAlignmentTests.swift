import Foundation
import OTKitCore
import OTKitData
import Testing

@testable import OTKitExperiments

/// The layer-wise alignment measurements of seed 001 (§6 E1, E4-E6; §7.5) on dumps whose
/// answers are known by construction.
@Suite("Transformers that solve OT: layer-wise alignment of translated words")
struct LayerAlignmentTests {
  // [CLS] s0 s1a s1b s2 [SEP] t0 t1 t2 [SEP]
  static let segment = [-1, 0, 0, 0, 0, -1, 1, 1, 1, -1]
  static let words = [-1, 0, 1, 1, 2, -1, 0, 1, 2, -1]
  /// Source word s goes with target word gold[s].
  static let gold = [(0, 2), (1, 0), (2, 1)]

  /// Two layers of one head each: layer 1 puts each target token's mass on its gold source
  /// tokens, layer 2 is uniform on the source tokens. States: 0 aligned (a target word's
  /// vector equals its gold source word's), 1 and 2 mis-aligned (target vectors rotated).
  static func dump(cross: Bool = false) throws -> AlignmentDump {
    let t = segment.count
    let sourceTokens = [1, 2, 3, 4], targetTokens = [6, 7, 8]
    func sourceTokensOf(word: Int) -> [Int] { sourceTokens.filter { words[$0] == word } }
    let (rows, columns) = cross ? (3, 4) : (t, t)
    var attention = [Double](repeating: 0, count: 2 * rows * columns)
    for (r, token) in targetTokens.enumerated() {
      let row = cross ? r : token
      let sourceWord = gold.first { $0.1 == words[token] }!.0
      let targets = sourceTokensOf(word: sourceWord)
      for s in targets { attention[row * columns + (cross ? s - 1 : s)] = 1 / Double(targets.count) }
      for s in sourceTokens { attention[rows * columns + row * columns + (cross ? s - 1 : s)] = 0.25 }
    }
    let width = 4
    var g = SeededGenerator(seed: 11)
    let wordVectors: [[Double]] = (0..<3).map { _ in (0..<width).map { _ in g.normal() * 3 } }
    var hidden = [Double](repeating: 0, count: 3 * t * width)
    for state in 0..<3 {
      for token in 0..<t where segment[token] >= 0 {
        let w = words[token]
        let vector: [Double]
        if segment[token] == 0 {
          vector = wordVectors[w]
        } else {
          let sourceWord = gold.first { $0.1 == w }!.0
          vector = wordVectors[state == 0 ? sourceWord : (sourceWord + 1) % 3]
        }
        for c in 0..<width { hidden[(state * t + token) * width + c] = vector[c] }
      }
    }
    return try AlignmentDump(
      attentions: NPY.Array(shape: [2, 1, rows, columns], dtype: .float64, values: attention),
      hidden: NPY.Array(shape: [3, t, width], dtype: .float64, values: hidden),
      segment: NPY.Array(shape: [t], dtype: .int64, values: segment.map(Double.init)),
      wordIDs: NPY.Array(shape: [t], dtype: .int64, values: words.map(Double.init)),
      gold: NPY.Array(shape: [3, 2], dtype: .int64, values: gold.flatMap { [Double($0.0), Double($0.1)] }))
  }

  @Test("Cosine with the identity, OT accuracy and correlation per layer", arguments: [false, true])
  func knownAnswers(cross: Bool) throws {
    let dump = try Self.dump(cross: cross)
    #expect(dump.isCross == cross)
    var options = LayerAlignment.Options()
    options.planState = 0
    let rows = try LayerAlignment.analyze(dump, options: options)
    #expect(rows.map(\.state) == [0, 1, 2])
    #expect(rows.map(\.otAccuracy) == [1, 0, 0])
    #expect(abs(rows[1].cosineWithIdentity! - 1) < 1e-12)
    #expect(abs(rows[2].cosineWithIdentity! - 1 / 3.0.squareRoot()) < 1e-12)
    // The plan of state 0 is the gold permutation: layer 1's attention correlates perfectly.
    #expect(abs(rows[1].correlation! - 1) < 1e-12)
    #expect(rows[2].correlation == nil)  // a constant attention has no correlation
    #expect(abs(rows[1].distanceToPlan!) < 1e-12)
  }

  @Test("E1's choices: sums, L1 rows, every word, entropic OT")
  func e1Choices() throws {
    var options = LayerAlignment.Options()
    (options.wordAttention, options.wordCost, options.cropToGold, options.lambda, options.planState) = (.sumL1, .sum, false, 0.05, 0)
    let rows = try LayerAlignment.analyze(try Self.dump(), options: options)
    #expect(rows[0].otAccuracy == 1)
    #expect(abs(rows[1].cosineWithIdentity! - 1) < 1e-12)
    #expect(rows[1].correlation! > 0.99)
  }

  @Test("Means and the author's band over sentence pairs")
  func summary() {
    let a = [LayerAlignment.Row(state: 1, cosineWithIdentity: 0.2, otAccuracy: 1)]
    let b = [LayerAlignment.Row(state: 1, cosineWithIdentity: 0.4, otAccuracy: nil)]
    let s = LayerAlignment.summarize([a, b])
    #expect(s.count == 1 && s[0].sentences == 2)
    #expect(abs(s[0].cosineWithIdentity! - 0.3) < 1e-15)
    #expect(abs(s[0].cosineBand! - 1.282 * 0.1) < 1e-12)
    // One sentence with a value: SampleStatistics' convention, no spread observed.
    #expect(s[0].otAccuracy == 1 && s[0].otAccuracyBand == 0)
  }

  @Test("A dump round-trips through its files; bad files are named")
  func files() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-align-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let dump = try Self.dump()
    try dump.write(directory: directory)
    let read = try AlignmentDump.read(directory: directory)
    #expect(read.attentions == dump.attentions && read.hidden == dump.hidden && read.segment == dump.segment)
    #expect(try LayerAlignment.analyze(read) == LayerAlignment.analyze(dump))
    // A gold pair naming a word the sentence does not have.
    try NPY.write(NPY.Array(shape: [1, 2], dtype: .int64, values: [7, 0]), to: directory + "/gold.npy")
    let goldError = #expect(throws: DataError.self) { try AlignmentDump.read(directory: directory) }
    #expect(goldError.map { "\($0)".contains("gold.npy") && "\($0)".contains("row 0") } == true)
    try NPY.write(NPY.Array(shape: [3, 2], dtype: .int64, values: [0, 2, 1, 0, 2, 1]), to: directory + "/gold.npy")
    try NPY.write(NPY.Array(shape: [2, 1, 5, 5], dtype: .float64, values: [Double](repeating: 0.2, count: 50)), to: directory + "/attentions.npy")
    let shapeError = #expect(throws: DataError.self) { try AlignmentDump.read(directory: directory) }
    #expect(shapeError.map { "\($0)".contains("attentions.npy") && "\($0)".contains("10 x 10") } == true)
  }
}

/// The synthetic translation task (spec §7.4).
@Suite("Transformers that solve OT: synthetic alignment")
struct SyntheticAlignmentTests {
  @Test("A pair: A's words, B's reordered words with function words and a split word, gold pairs to the same concept")
  func pair() {
    var s = SyntheticAlignment.Settings()
    (s.noise, s.rotation) = (0, 0)
    let language = SyntheticAlignment.Language(s)
    var g = SeededGenerator(seed: 9)
    let p = SyntheticAlignment.pair(s, language: language, generator: &g)
    #expect(p.segment.count == s.tokens && p.tokens.rows == s.tokens)
    #expect(p.segment.filter { $0 == 0 }.count == s.words)
    #expect(p.labels.count == s.words + s.functionWords + 1)
    #expect(p.labels.filter { $0 == s.concepts }.count == s.functionWords)
    #expect(p.gold.count == s.words)
    // Without noise, shift and rotation, a gold B word equals its A word (a split token is half of it).
    for (a, b) in p.gold {
      let aRow = p.segment.indices.first { p.segment[$0] == 0 && p.wordIDs[$0] == a }!
      let bRows = p.segment.indices.filter { p.segment[$0] == 1 && p.wordIDs[$0] == b }
      let factor = bRows.count == 2 ? 0.5 : 1
      for c in 0..<s.dimension { #expect(abs(p.tokens[bRows[0], c] - factor * p.tokens[aRow, c]) < 1e-12) }
    }
  }

  @Test("The embeddings' OT accuracy is perfect without noise and falls with it")
  func accuracy() throws {
    var s = SyntheticAlignment.Settings()
    s.noise = 0.05
    #expect(try SyntheticAlignment.embeddingAccuracy(s, pairs: 10) == 1)
    s.noise = 3
    #expect(try SyntheticAlignment.embeddingAccuracy(s, pairs: 10) < 0.7)
  }

  @Test("The encoder trains and is measured layer by layer; the constructed transformer aligns the words")
  func encoderAndConstruction() throws {
    var s = SyntheticAlignment.Settings()
    (s.concepts, s.words) = (12, 5)
    var e = SyntheticAlignment.EncoderSettings()
    (e.layers, e.width, e.steps, e.batchSize) = (2, 8, 30, 8)
    let result = try SyntheticAlignment.encoder(s, e, testPairs: 6)
    #expect(result.layers.map(\.state) == [0, 1, 2])
    #expect(result.layers.dropFirst().allSatisfy { ($0.cosineWithIdentity ?? -1) > 0 && $0.sentences == 6 })
    #expect(result.losses.count == 3 && result.losses.last! < result.losses.first!)
    let constructed = SyntheticAlignment.constructed(s, pairs: 5, depths: [1, 64])
    #expect(constructed.count == 2 && constructed[1].accuracy >= constructed[0].accuracy && constructed[1].accuracy > 0.9)
  }
}
