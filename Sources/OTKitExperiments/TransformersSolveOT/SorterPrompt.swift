import OTKitCore

/// The prompt a trained sorter reads (spec §6 E2 and its ablations, §7.3).
///
/// Every prompt holds one token per pair `(x_i, y_i)`, `y_i = i/n` increasing, so the
/// sorted list is the readout of the target rows. The engineered prompt is the author's
/// (``SortingPrompt`` with `d = 1`, dual registers `u ~ N(0, 1)`, `v ~ U(0, 1)`, a sink of
/// value `-1/n`); the others take parts of it away.
///
/// H. Daneshmand, "Provable optimal transport with transformers: the essence of depth and
/// prompt engineering", arXiv 2410.19931, the trained sorter (Fig. 2) and its ablation.
public enum SorterPrompt: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  /// The engineered prompt of width 11 with the sink token.
  case engineered
  /// The author's ablation: tokens `[x_i, y_i, 0]` (width 3), no sink. With the author's
  /// quirks the readout masks the last real token and copies `y` (the code's layout of the
  /// full prompt applied to this one).
  case truncated
  /// A fair ablation: `[x_i, y_i, 0, …, 0]` zero-padded to width 11, no sink.
  case padded
  /// A fair ablation: the engineered features without the sink token.
  case noSink = "no-sink"
  /// A fair ablation: the engineered prompt with the dual registers `u, v` removed (width 9).
  case noRegisters = "no-registers"

  public var description: String {
    switch self {
    case .engineered: "engineered (width 11, sink, registers)"
    case .truncated: "truncated [x, y, 0] (author's ablation)"
    case .padded: "[x, y, 0] zero-padded to width 11"
    case .noSink: "engineered, sink removed"
    case .noRegisters: "engineered, registers u, v removed"
    }
  }

  /// The token width.
  public var width: Int {
    switch self {
    case .engineered, .padded, .noSink: 11
    case .truncated: 3
    case .noRegisters: 9
    }
  }

  /// Whether the prompt ends with a sink token.
  public var hasSink: Bool { self == .engineered || self == .noRegisters }

  /// The tokens of one instance (`n` or `n + 1` rows).
  ///
  /// - Complexity: `O(n)`.
  func tokens(x: [Double], generator: inout SeededGenerator) -> Matrix<Double> {
    let n = x.count
    let y = (0..<n).map { Double($0) / Double(n) }
    switch self {
    case .truncated, .padded:
      var z = Matrix<Double>(rows: n, columns: width)
      for i in 0..<n { (z[i, 0], z[i, 1]) = (x[i], y[i]) }
      return z
    case .engineered, .noSink, .noRegisters:
      let u = (0..<n).map { _ in generator.normal() }
      let v = (0..<n).map { _ in generator.uniform() }
      let prompt = SortingPrompt(dimension: 1)
      var z = prompt.tokens(x: Matrix(rows: n, columns: 1, elements: x), y: Matrix(rows: n, columns: 1, elements: y), sinkValue: 1 / Double(n), u: u, v: v)
      if self == .noSink { z = z.rows(0..<n) }
      if self == .noRegisters { z = z.columns(at: [0, 1, 2, 3, 4, 5, 6, 7, 10]) }
      return z
    }
  }

  /// The keys the readout masks, as positions in an instance of `n` points.
  func readoutMask(n: Int, authorQuirks: Bool) -> Int? {
    if hasSink { return n }
    if self == .truncated && authorQuirks { return n - 1 }
    return nil
  }

  /// The feature the readout copies.
  func readoutValue(authorQuirks: Bool) -> Int {
    switch self {
    case .truncated: authorQuirks ? 1 : 0
    case .padded: 0
    case .engineered, .noSink, .noRegisters: 1
    }
  }
}

/// A batch of sorting instances for a trained sorter.
public struct SorterBatch: Sendable {
  /// The prompts, instance after instance (`instances * tokensPerInstance` rows).
  public var tokens: Matrix<Double>
  /// The sorted lists, instance after instance (`instances * n` rows, one column).
  public var sorted: Matrix<Double>
  /// The unsorted lists.
  public var lists: [[Double]]
  public var n: Int
  public var tokensPerInstance: Int

  public var instances: Int { lists.count }

  init(tokens: Matrix<Double>, sorted: Matrix<Double>, lists: [[Double]], n: Int, tokensPerInstance: Int) {
    (self.tokens, self.sorted, self.lists, self.n, self.tokensPerInstance) = (tokens, sorted, lists, n, tokensPerInstance)
  }

  /// `instances` lists of `n` distinct values of the grid `{0, 1/g, …, (g - 1)/g}` (the
  /// author's `g = 50`).
  ///
  /// - Complexity: `O(instances (n + g))`.
  public static func lists(n: Int, instances: Int, grid: Int = 50, generator: inout SeededGenerator) -> [[Double]] {
    precondition(n >= 2 && n <= grid, "lists of 2 to \(grid) distinct grid values")
    return (0..<instances).map { _ in
      var pool = Array(0..<grid)
      for i in 0..<n { pool.swapAt(i, i + generator.integer(below: grid - i)) }
      return pool.prefix(n).map { Double($0) / Double(grid) }
    }
  }

  /// The prompts of `lists` (all of one length `n`); the registers are drawn from
  /// `generator`.
  ///
  /// - Complexity: `O(instances n)`.
  public init(prompt: SorterPrompt, lists: [[Double]], generator: inout SeededGenerator) {
    let n = lists.first?.count ?? 0
    precondition(n >= 2 && lists.allSatisfy { $0.count == n }, "lists of one length of at least 2")
    let t = prompt.hasSink ? n + 1 : n
    var tokens = Matrix<Double>(rows: lists.count * t, columns: prompt.width)
    var sorted = Matrix<Double>(rows: lists.count * n, columns: 1)
    for (b, x) in lists.enumerated() {
      let z = prompt.tokens(x: x, generator: &generator)
      for i in 0..<t { for c in 0..<prompt.width { tokens[b * t + i, c] = z[i, c] } }
      for (i, value) in x.sorted().enumerated() { sorted[b * n + i, 0] = value }
    }
    self.init(tokens: tokens, sorted: sorted, lists: lists, n: n, tokensPerInstance: t)
  }

  /// `instances` random lists (``lists(n:instances:grid:generator:)``) and their prompts.
  public static func sample(prompt: SorterPrompt, n: Int, instances: Int, generator: inout SeededGenerator) -> SorterBatch {
    let lists = lists(n: n, instances: instances, generator: &generator)
    return SorterBatch(prompt: prompt, lists: lists, generator: &generator)
  }
}
