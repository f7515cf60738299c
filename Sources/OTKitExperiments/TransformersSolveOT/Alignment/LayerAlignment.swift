import Foundation
import OTKitCore
import OTKitTransport
import RealModule

/// Layer-wise alignment of translated words (spec §6 E1, E4-E6, §7.5): does a language
/// model's attention between the two sentences of a pair, layer after layer, line up with
/// the gold word pairs, and with the optimal transport plan between the words' hidden
/// states? Per layer: the cosine of the word-level attention (cropped to the gold pairs)
/// with the identity, `tr A / (|A|_F √k)` (E4, E5); the share of gold pairs on the support
/// of the OT plan between the words' hidden states (E6); the Pearson correlation of the
/// attention with the row-normalized plan (E1's appendix) and their Frobenius distance.
///
/// H. Daneshmand, "How do transformers align tokens? Provable optimal transport with
/// transformers" (arXiv 2410.19931 v3) and its published version (AISTATS 2026). The theory's
/// layout (one token per pair of points) differs from a language model's (one token per
/// word piece): these measurements mirror the author's, they do not test the theorem.
///
/// - Complexity: per sentence, `O(layers · heads · T²)` for the attention and
///   `O(states · T² · H)` for the costs, plus one OT problem of `k x k` (or words × words)
///   per state.
public enum LayerAlignment {
  /// How token attention becomes word attention.
  public enum WordAttention: String, Sendable, Codable, CaseIterable {
    /// Sum over the word pieces, rows L1-normalized (E1).
    case sumL1 = "sum-l1"
    /// Mean over the word-piece pairs, rows L2-normalized (E4, E5).
    case meanL2 = "mean-l2"
  }

  /// How hidden states become word costs.
  public enum WordCost: String, Sendable, Codable, CaseIterable {
    /// The cost between the sums of the word pieces' states (E1).
    case sum
    /// The mean cost over word-piece pairs (E6).
    case meanPairwise = "mean-pairwise"
  }

  /// Which side's words are the attention's rows (the queries) for self-attention.
  public enum Queries: String, Sendable, Codable, CaseIterable {
    /// Target-sentence tokens attend to source tokens (E1: French rows, English columns).
    case target
    /// Source-sentence tokens attend to target tokens (E5: English queries, French keys).
    case source
  }

  /// The study's choices; the defaults are E6's and E4's.
  public struct Options: Sendable, Codable, Equatable {
    public var wordAttention: WordAttention = .meanL2
    public var wordCost: WordCost = .meanPairwise
    /// The cost between two hidden vectors (`euclidean`, `sqeuclidean`, `cosine`, ...).
    public var distance: GroundCost = .euclidean
    public var queries: Queries = .target
    /// Crop the attention and the OT problem to the gold words (`k x k`, E4-E6), or keep every
    /// word of both sentences (E1).
    public var cropToGold = true
    /// `nil`: exact OT (the author's); otherwise entropic OT with this `λ`.
    public var lambda: Double?
    /// The hidden state whose plan the attention of every layer is compared with; `nil`:
    /// the layer's input (state `l − 1` for layer `l`).
    public var planState: Int? = 1
    /// Plan entries above this count as support (E6: 1e-4 on a plan of total mass 1).
    public var supportThreshold = 1e-4

    public init() {}
  }

  /// One state (0: embeddings; `l`: after layer `l`, whose attention is attention `l`).
  public struct Row: Sendable, Codable, Equatable {
    public var state: Int
    /// For `state ≥ 1`: the attention of layer `state`.
    public var cosineWithIdentity: Double?
    public var correlation: Double?
    public var distanceToPlan: Double?
    /// The OT accuracy of this state's hidden vectors (nil without hidden states).
    public var otAccuracy: Double?
  }

  /// The words of one side, in order of first appearance, with their token indices.
  static func words(_ dump: AlignmentDump, segment: Int) -> (ids: [Int], tokens: [[Int]]) {
    var ids: [Int] = []
    var tokens: [Int: [Int]] = [:]
    for (t, (s, w)) in zip(dump.segment, dump.wordIDs).enumerated() where s == segment {
      if tokens[w] == nil { ids.append(w) }
      tokens[w, default: []].append(t)
    }
    return (ids, ids.map { tokens[$0]! })
  }

  /// The per-state rows of one sentence pair.
  ///
  /// - Throws: ``TransportProblemError`` or ``SolveError`` from the OT solve.
  public static func analyze(_ dump: AlignmentDump, options: Options = Options()) throws -> [Row] {
    // A pair without gold words has nothing to measure (the author drops such rows).
    guard !dump.gold.isEmpty else { return (0...dump.layers).map { Row(state: $0) } }
    let source = words(dump, segment: 0)
    let target = words(dump, segment: 1)
    let queryIsTarget = dump.isCross || options.queries == .target
    let (rowsSide, columnsSide) = queryIsTarget ? (target, source) : (source, target)
    // The gold pairs as (row word, column word) indices into the sides' word lists.
    let goldRows = dump.gold.map { pair in rowsSide.ids.firstIndex(of: queryIsTarget ? pair.target : pair.source)! }
    let goldColumns = dump.gold.map { pair in columnsSide.ids.firstIndex(of: queryIsTarget ? pair.source : pair.target)! }
    let k = dump.gold.count
    // Token positions inside the attention block.
    func position(_ token: Int, row: Bool) -> Int {
      guard dump.isCross else { return token }
      // Cross: rows are the target tokens in order, columns the source tokens in order.
      let side = row ? 1 : 0
      return dump.segment[..<token].filter { $0 == side }.count
    }
    let rowTokens = rowsSide.tokens.map { $0.map { position($0, row: true) } }
    let columnTokens = columnsSide.tokens.map { $0.map { position($0, row: false) } }

    var plans: [Int: Matrix<Double>] = [:]
    var accuracies: [Int: Double] = [:]
    for s in 0..<dump.states {
      let (plan, accuracy) = try transport(dump, state: s, rows: rowsSide.tokens, columns: columnsSide.tokens, goldRows: goldRows, goldColumns: goldColumns, options: options)
      plans[s] = plan
      accuracies[s] = accuracy
    }
    var result: [Row] = []
    if dump.states > 0 { result.append(Row(state: 0, otAccuracy: accuracies[0])) }
    for layer in 0..<dump.layers {
      var mean = Matrix<Double>(rows: dump.attentionRows, columns: dump.attentionColumns)
      for h in 0..<dump.heads { mean = mean + dump.attention(layer: layer, head: h) }
      mean = mean * (1 / Double(dump.heads))
      var word = wordAttention(mean, rows: rowTokens, columns: columnTokens, mode: options.wordAttention)
      if options.cropToGold { word = word.rows(at: goldRows).columns(at: goldColumns) }
      var row = Row(state: layer + 1, otAccuracy: accuracies[layer + 1])
      let cropped = options.cropToGold ? word : word.rows(at: goldRows).columns(at: goldColumns)
      var trace = 0.0
      for i in 0..<k { trace += cropped[i, i] }
      let norm = cropped.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
      row.cosineWithIdentity = norm > 0 ? trace / (norm * Double(k).squareRoot()) : nil
      let planState = options.planState.map { min($0, dump.states - 1) } ?? layer
      if let plan = plans[planState] {
        let normalized = rowNormalized(plan)
        row.correlation = pearson(word.elements, normalized.elements)
        row.distanceToPlan = (word - normalized).elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
      }
      result.append(row)
    }
    return result
  }

  /// Token attention to word attention.
  static func wordAttention(_ a: Matrix<Double>, rows: [[Int]], columns: [[Int]], mode: WordAttention) -> Matrix<Double> {
    var w = Matrix<Double>(rows: rows.count, columns: columns.count)
    for (i, rt) in rows.enumerated() {
      for (j, ct) in columns.enumerated() {
        var total = 0.0
        for r in rt { for c in ct { total += a[r, c] } }
        w[i, j] = mode == .sumL1 ? total : total / Double(rt.count * ct.count)
      }
      var norm = 0.0
      for j in 0..<columns.count { norm += mode == .sumL1 ? abs(w[i, j]) : w[i, j] * w[i, j] }
      if mode == .meanL2 { norm = norm.squareRoot() }
      if norm > 0 { for j in 0..<columns.count { w[i, j] /= norm } }
    }
    return w
  }

  /// The OT plan (total mass 1, rows the query side) between the words' hidden states of one
  /// state, and the share of gold pairs on its support.
  static func transport(
    _ dump: AlignmentDump, state s: Int, rows: [[Int]], columns: [[Int]], goldRows: [Int], goldColumns: [Int], options: Options
  ) throws -> (plan: Matrix<Double>, accuracy: Double) {
    let h = dump.hiddenState(s)
    let width = dump.width
    let rowSet = options.cropToGold ? goldRows.map { rows[$0] } : rows
    let columnSet = options.cropToGold ? goldColumns.map { columns[$0] } : columns
    func vector(_ tokens: [Int]) -> [Double] {
      var v = [Double](repeating: 0, count: width)
      for t in tokens { for c in 0..<width { v[c] += h[t, c] } }
      return v
    }
    var cost = Matrix<Double>(rows: rowSet.count, columns: columnSet.count)
    let distance = options.distance.function
    switch options.wordCost {
    case .sum:
      let (rv, cv) = (rowSet.map(vector), columnSet.map(vector))
      for i in 0..<rowSet.count { for j in 0..<columnSet.count { cost[i, j] = distance.cost(rv[i][...], cv[j][...]) } }
    case .meanPairwise:
      for (i, rt) in rowSet.enumerated() {
        for (j, ct) in columnSet.enumerated() {
          var total = 0.0
          for r in rt { for c in ct { total += distance.cost(h.elements[(r * width)..<((r + 1) * width)], h.elements[(c * width)..<((c + 1) * width)]) } }
          cost[i, j] = total / Double(rt.count * ct.count)
        }
      }
    }
    let (n, m) = (cost.rows, cost.columns)
    let problem = try TransportProblem(
      cost: cost, sourceWeights: [Double](repeating: 1 / Double(n), count: n), targetWeights: [Double](repeating: 1 / Double(m), count: m))
    let plan: Matrix<Double>
    if let lambda = options.lambda {
      plan = Sinkhorn(epsilon: .absolute(lambda), tolerance: 1e-10, maxIterations: 100_000).solve(problem).densePlan()
    } else {
      plan = NetworkSimplex().solve(problem).plan.dense()
    }
    var hits = 0
    for (g, (i, j)) in zip(goldRows, goldColumns).enumerated() {
      let (r, c) = options.cropToGold ? (g, g) : (i, j)
      if plan[r, c] > options.supportThreshold { hits += 1 }
    }
    return (plan, Double(hits) / Double(max(goldRows.count, 1)))
  }

  static func rowNormalized(_ p: Matrix<Double>) -> Matrix<Double> {
    var q = p
    for i in 0..<p.rows {
      let total = (0..<p.columns).reduce(0) { $0 + p[i, $1] }
      if total > 0 { for j in 0..<p.columns { q[i, j] /= total } }
    }
    return q
  }

  /// The Pearson correlation of two samples; `nil` when either is constant.
  static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
    let n = Double(a.count)
    guard a.count == b.count, a.count > 1 else { return nil }
    let (ma, mb) = (a.reduce(0, +) / n, b.reduce(0, +) / n)
    var (sab, saa, sbb) = (0.0, 0.0, 0.0)
    for (x, y) in zip(a, b) {
      sab += (x - ma) * (y - mb)
      saa += (x - ma) * (x - ma)
      sbb += (y - mb) * (y - mb)
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : nil
  }

  /// Mean over sentences, with the half-width of the author's band (`1.282 · SE`, a
  /// two-sided 80% interval), per state; sentences with no value for a metric are left out
  /// of its mean (E5 drops NaN rows).
  public struct Summary: Sendable, Codable, Equatable {
    public var state: Int
    public var sentences: Int
    public var cosineWithIdentity: Double?
    public var cosineBand: Double?
    public var otAccuracy: Double?
    public var otAccuracyBand: Double?
    public var correlation: Double?
    public var distanceToPlan: Double?
  }

  public static func summarize(_ sentences: [[Row]]) -> [Summary] {
    let states = Set(sentences.flatMap { $0.map(\.state) }).sorted()
    func stats(_ values: [Double]) -> (Double?, Double?) {
      let statistics = SampleStatistics(values)
      return statistics.count == 0 ? (nil, nil) : (statistics.mean, statistics.halfWidth(z: 1.282))
    }
    return states.map { s in
      let rows = sentences.compactMap { $0.first { $0.state == s } }
      let (cosine, cosineBand) = stats(rows.compactMap(\.cosineWithIdentity).filter(\.isFinite))
      let (accuracy, accuracyBand) = stats(rows.compactMap(\.otAccuracy).filter(\.isFinite))
      return Summary(
        state: s, sentences: rows.count, cosineWithIdentity: cosine, cosineBand: cosineBand, otAccuracy: accuracy, otAccuracyBand: accuracyBand,
        correlation: stats(rows.compactMap(\.correlation).filter(\.isFinite)).0, distanceToPlan: stats(rows.compactMap(\.distanceToPlan).filter(\.isFinite)).0)
    }
  }
}
