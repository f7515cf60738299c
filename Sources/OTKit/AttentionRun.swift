import Foundation

/// One attention computation from files to files, as `otkit attention` runs it: the arrays
/// read (NPY or CSV; float32 arrays computed in `Float`), checked against the operator and
/// the anchor, the weights and the output written, each head's diagnostics and seed 002's
/// identities (for the upstream gradient of ``upstream``, else seeded normal) measured.
///
/// - Complexity: the operator's per head, plus the diagnostics and identities when asked for.
public struct AttentionRun {
  public var queries: String
  public var keys: String
  public var values: String?
  /// `dL/dW` for the identities (`heads x n x m` or `n x m`).
  public var upstream: String?
  public var attention: TransportAttention
  /// Where to write the weights and the output `W V` (NPY).
  public var weights: String?
  public var output: String?
  /// The diagnostics: `true` insists, `false` skips, `nil` when they fit in memory.
  public var diagnostics: Bool?
  /// The seed of the default upstream gradient.
  public var seed: UInt64 = 0

  public init(queries: String, keys: String, values: String?, attention: TransportAttention) {
    (self.queries, self.keys, self.values, self.attention) = (queries, keys, values, attention)
  }

  /// A request the files or the anchor cannot serve; the message names the file or option.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// What a run computed: the report (`otkit attention --json`) and whether the
  /// diagnostics were skipped for lack of memory.
  public struct Outcome {
    public var report: AttentionRunReport
    public var diagnosticsSkipped: Bool
  }

  /// Reads, checks, computes and writes.
  ///
  /// - Throws: ``Failure``, `DataError` for a file, `MemoryError` for a request past the
  ///   memory limit.
  public func run() throws -> Outcome {
    let (q, float32) = try NPY.readHeads(queries)
    let k = try NPY.readHeads(keys).heads
    let v = try values.map { try NPY.readHeads($0).heads }
    try check(q, k, v)
    var (diagnostics, seconds, skipped) = float32
      ? try compute(q.map(Matrix<Float>.init), k.map(Matrix<Float>.init), v?.map(Matrix<Float>.init))
      : try compute(q, k, v)
    if !diagnostics.isEmpty {
      let u = try upstream.map { try NPY.readHeads($0).heads }
      if let u, u.count != q.count || zip(u, zip(q, k)).contains(where: { $0.rows != $1.0.rows || $0.columns != $1.1.rows }) {
        throw Failure(description: "\(upstream!): the upstream gradient must be \(q.count) x \(q[0].rows) x \(k[0].rows) (heads x queries x keys)")
      }
      let identities = attention.identities(queries: q, keys: k, upstream: u, seed: seed)
      for h in diagnostics.indices { diagnostics[h].identities = identities[h] }
    }
    let report = AttentionRunReport(
      anchor: attention.anchor, temperature: attention.resolvedTemperature(keySize: q[0].columns), heads: q.count, queries: q[0].rows,
      keys: k[0].rows, seconds: seconds, diagnostics: diagnostics, weights: weights, output: output, precision: float32 ? "float32" : "float64")
    return Outcome(report: report, diagnosticsSkipped: skipped)
  }

  /// The inputs against the operator, the anchor's shape and size, the carrier and the link.
  func check(_ q: [Matrix<Double>], _ k: [Matrix<Double>], _ v: [Matrix<Double>]?) throws {
    do {
      try TransportAttention.checkInputs(queries: q, keys: k, values: v)
    } catch let error as AttentionInputError {
      throw Failure(description: "\([.queries: queries, .keys: keys, .values: values ?? ""][error.input]!): \(error)")
    }
    let anchor = attention.anchor
    for h in 0..<q.count where anchor.needsSquareScores && q[h].rows != k[h].rows {
      throw Failure(description: "\(queries), \(keys): the \(anchor.name) anchor needs square scores: \(q[h].rows) queries, \(k[h].rows) keys")
    }
    if let limit = anchor.maximumKeys, k[0].rows > limit {
      throw Failure(description: "\(keys): the \(anchor.name) anchor takes at most \(limit) keys, got \(k[0].rows)")
    }
    if anchor.needsSquareScores && attention.carrier != .full {
      throw Failure(description: "--carrier \(attention.carrier.name): the \(anchor.name) anchor takes the full carrier only (it needs every score)")
    }
    if let row = attention.carrier.invalidRow(rows: q[0].rows, columns: k[0].rows) {
      throw Failure(description: "--carrier \(attention.carrier.name): query \(row) addresses no key")
    }
    if anchor.needsSquareScores && attention.link != .exp {
      throw Failure(description: "--link \(attention.link.name): the \(anchor.name) anchor takes the exp link only (it needs every score)")
    }
  }

  /// Computes what was asked for in the inputs' precision and writes it; a head's score
  /// error as the way out says it.
  func compute<T: MatrixScalar>(
    _ q: [Matrix<T>], _ k: [Matrix<T>], _ v: [Matrix<T>]?
  ) throws -> (diagnostics: [AttentionDiagnostics], seconds: Double, skipped: Bool) {
    let heads: TransportAttention.Heads<T>
    do {
      heads = try attention.heads(
        queries: q, keys: k, values: v, weights: weights != nil || output == nil, output: output != nil, diagnostics: diagnostics)
    } catch let error as AttentionHeadError {
      let place = error.head > 0 ? " (head \(error.head))" : ""
      switch error.error {
      case .beyondSinkhornResolution(let largest, let limit, let precision):
        throw Failure(description: "\(queries), \(keys): scores up to \(String(format: "%.3g", largest))\(place) exceed what the sinkhorn anchor resolves in \(precision) (\(String(format: "%.3g", limit))): its potentials would lose the weights' exponents; raise --temperature")
      case .overflow(let bound, let precision):
        throw Failure(description: "\(queries), \(keys): the scores Q K^T / T overflow \(precision)\(place) (the inputs reach \(String(format: "%.3g", bound)) in product); rescale the inputs or raise --temperature")
      }
    }
    if let weights { try NPY.write(heads: heads.weights, to: weights) }
    if let output { try NPY.write(heads: heads.outputs, to: output) }
    return (heads.diagnostics, heads.seconds, heads.diagnosticsSkipped)
  }
}

extension AttentionRunReport {
  /// The lines `otkit attention` prints: the run, the diagnostics' tables, the time and the
  /// files written.
  public var lines: [String] {
    let parameters = anchor.parameterDescription
    var lines = [
      "attention: \(anchor.name)\(parameters), \(heads) head(s), \(queries) queries x \(keys) keys, temperature \(String(format: "%.4g", temperature)), \(precision)"
    ]
    if !diagnostics.isEmpty { lines += [AttentionDiagnostics.table(diagnostics), AttentionDiagnostics.geometryTable(diagnostics)] }
    lines.append("\(weights == nil && output != nil ? "attention time (scores, anchor and output)" : "anchor time"): \(String(format: "%.4f", seconds)) s")
    if let weights { lines.append("weights: \(weights)") }
    if let output { lines.append("output: \(output)") }
    return lines
  }
}
