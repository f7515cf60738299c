import Foundation
import OTKitCore
import OTKitData

/// What a language model's forward pass on one sentence pair leaves for the layer-wise
/// alignment study (spec §7.5): attentions, hidden states, which tokens belong to which
/// sentence and word, and the gold word pairs.
///
/// The files of a dump directory (NumPy `.npy`, any float or int dtype):
/// - `attentions.npy`: `[layers, heads, T, T]` (self-attention over the joint sequence) or
///   `[layers, heads, T_target, T_source]` (cross-attention, rows the target tokens);
/// - `hidden.npy`: `[layers + 1, T, H]` (embeddings, then each layer), optional;
/// - `segment.npy`: `[T]`, 0 source, 1 target, −1 special;
/// - `word_ids.npy`: `[T]`, the word of each token within its sentence, −1 special;
/// - `gold.npy`: `[k, 2]`, (source word, target word).
///
/// With Hugging Face `transformers`: `model(**batch, output_attentions=True,
/// output_hidden_states=True)`, the stacked `attentions` and `hidden_states` of one
/// sentence, `batch.word_ids()` and the token type ids (or the separator position) for the
/// segments. For cross-attention, `T` counts the source tokens then the target tokens.
public struct AlignmentDump: Sendable {
  /// `[layers][heads]` blocks of `rows x columns`, row-major.
  public var attentions: [Double]
  public var layers: Int
  public var heads: Int
  public var attentionRows: Int
  public var attentionColumns: Int
  /// Whether the attention is cross-attention (rows target tokens, columns source tokens).
  public var isCross: Bool
  /// `[states][T][width]`, or empty.
  public var hidden: [Double]
  public var states: Int
  public var width: Int
  public var segment: [Int]
  public var wordIDs: [Int]
  public var gold: [(source: Int, target: Int)]
  /// Where the dump was read from, for messages.
  public var origin: String

  /// The tokens of the joint sequence.
  public var tokens: Int { segment.count }

  /// The attention block of one layer and head.
  func attention(layer: Int, head: Int) -> Matrix<Double> {
    let size = attentionRows * attentionColumns
    let start = (layer * heads + head) * size
    return Matrix(rows: attentionRows, columns: attentionColumns, elements: Array(attentions[start..<(start + size)]))
  }

  /// The hidden states of one state index (`T x width`).
  func hiddenState(_ s: Int) -> Matrix<Double> {
    let size = tokens * width
    return Matrix(rows: tokens, columns: width, elements: Array(hidden[(s * size)..<((s + 1) * size)]))
  }

  /// Builds and validates a dump.
  ///
  /// - Throws: ``DataError`` naming the file (`origin/name.npy`) whose shape or values do
  ///   not fit the others.
  public init(
    attentions: NPY.Array, hidden: NPY.Array?, segment: NPY.Array, wordIDs: NPY.Array, gold: NPY.Array, origin: String = "."
  ) throws {
    func file(_ name: String) -> String { (origin as NSString).appendingPathComponent(name) }
    func integers(_ array: NPY.Array, _ name: String) throws -> [Int] {
      if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
        throw DataError(.invalid("element \(bad) is not a finite number"), file: file(name))
      }
      return try array.values.enumerated().map { index, value in
        guard value == value.rounded(), abs(value) < 1e15 else {
          throw DataError(.invalid("element \(index) (\(value)) is not an integer"), file: file(name))
        }
        return Int(value)
      }
    }
    guard segment.shape.count == 1, segment.shape[0] > 0 else {
      throw DataError(.shapeMismatch("segment must be [T], got \(segment.shape)"), file: file("segment.npy"))
    }
    let t = segment.shape[0]
    let seg = try integers(segment, "segment.npy")
    if let bad = seg.firstIndex(where: { ![-1, 0, 1].contains($0) }) {
      throw DataError(.invalid("token \(bad) has segment \(seg[bad]); use 0 (source), 1 (target) or -1 (special)"), file: file("segment.npy"))
    }
    guard wordIDs.shape == [t] else {
      throw DataError(.shapeMismatch("word_ids must be [\(t)] like segment.npy, got \(wordIDs.shape)"), file: file("word_ids.npy"))
    }
    let words = try integers(wordIDs, "word_ids.npy")
    for (i, (s, w)) in zip(seg, words).enumerated() where (s == -1) != (w < 0) {
      throw DataError(.invalid("token \(i) has segment \(s) but word id \(w); special tokens (segment -1) take word id -1 and only they"), file: file("word_ids.npy"))
    }
    let (sourceTokens, targetTokens) = (seg.filter { $0 == 0 }.count, seg.filter { $0 == 1 }.count)
    guard sourceTokens > 0, targetTokens > 0 else {
      throw DataError(.invalid("the segments hold \(sourceTokens) source and \(targetTokens) target tokens; both sentences need one"), file: file("segment.npy"))
    }
    guard attentions.shape.count == 4, attentions.shape.allSatisfy({ $0 > 0 }) else {
      throw DataError(.shapeMismatch("attentions must be [layers, heads, rows, columns], got \(attentions.shape)"), file: file("attentions.npy"))
    }
    let (rows, columns) = (attentions.shape[2], attentions.shape[3])
    if rows == t && columns == t {
      isCross = false
    } else if rows == targetTokens && columns == sourceTokens {
      isCross = true
    } else {
      throw DataError(
        .shapeMismatch("attention blocks are \(rows) x \(columns); expected \(t) x \(t) (self-attention) or \(targetTokens) x \(sourceTokens) (cross-attention: target x source tokens)"),
        file: file("attentions.npy"))
    }
    if let bad = attentions.values.firstIndex(where: { !$0.isFinite }) {
      throw DataError(.invalid("element \(bad) is not a finite number"), file: file("attentions.npy"))
    }
    if let hidden {
      guard hidden.shape.count == 3, hidden.shape[1] == t, hidden.shape[0] >= 1, hidden.shape[2] >= 1 else {
        throw DataError(.shapeMismatch("hidden must be [states, \(t), width], got \(hidden.shape)"), file: file("hidden.npy"))
      }
      if let bad = hidden.values.firstIndex(where: { !$0.isFinite }) {
        throw DataError(.invalid("element \(bad) is not a finite number"), file: file("hidden.npy"))
      }
      (self.hidden, states, width) = (hidden.values, hidden.shape[0], hidden.shape[2])
    } else {
      (self.hidden, states, width) = ([], 0, 0)
    }
    guard gold.shape.count == 2, gold.shape[1] == 2 else {
      throw DataError(.shapeMismatch("gold must be [k, 2] (source word, target word), got \(gold.shape)"), file: file("gold.npy"))
    }
    let pairs = try integers(gold, "gold.npy")
    let sourceWords = Set(zip(seg, words).filter { $0.0 == 0 }.map(\.1))
    let targetWords = Set(zip(seg, words).filter { $0.0 == 1 }.map(\.1))
    var goldPairs: [(source: Int, target: Int)] = []
    for k in 0..<gold.shape[0] {
      let (s, w) = (pairs[2 * k], pairs[2 * k + 1])
      guard sourceWords.contains(s), targetWords.contains(w) else {
        throw DataError(.invalid("row \(k) pairs source word \(s) with target word \(w), which the word ids do not hold"), file: file("gold.npy"))
      }
      goldPairs.append((s, w))
    }
    (self.attentions, layers, heads, attentionRows, attentionColumns) = (attentions.values, attentions.shape[0], attentions.shape[1], rows, columns)
    (self.segment, self.wordIDs, self.gold, self.origin) = (seg, words, goldPairs, origin)
  }

  /// Reads the five files of a dump directory (`hidden.npy` may be absent).
  ///
  /// - Throws: ``DataError`` naming the file.
  public static func read(directory: String) throws -> AlignmentDump {
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    let hiddenPath = path("hidden.npy")
    return try AlignmentDump(
      attentions: NPY.read(path("attentions.npy")),
      hidden: FileManager.default.fileExists(atPath: hiddenPath) ? NPY.read(hiddenPath) : nil,
      segment: NPY.read(path("segment.npy")), wordIDs: NPY.read(path("word_ids.npy")), gold: NPY.read(path("gold.npy")),
      origin: directory)
  }

  /// Writes the dump's files into `directory` (created if needed).
  public func write(directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    try NPY.write(NPY.Array(shape: [layers, heads, attentionRows, attentionColumns], dtype: .float64, values: attentions), to: path("attentions.npy"))
    if states > 0 { try NPY.write(NPY.Array(shape: [states, tokens, width], dtype: .float64, values: hidden), to: path("hidden.npy")) }
    try NPY.write(integers: segment, to: path("segment.npy"))
    try NPY.write(integers: wordIDs, to: path("word_ids.npy"))
    try NPY.write(NPY.Array(shape: [gold.count, 2], dtype: .int64, values: gold.flatMap { [Double($0.source), Double($0.target)] }), to: path("gold.npy"))
  }
}
