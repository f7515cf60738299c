import ArgumentParser
import Foundation
import OTKit

struct AttentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attention",
    abstract: "Compute attention weights with a transport anchor and report what the transport view predicts.",
    discussion: """
      Q, K (and V) are NPY (or CSV) arrays: 2-D (n x d, m x d, m x d_v) for one head, or 3-D \
      (heads x n x d) for several. The scores are Q K^T / T (--temperature, default sqrt(d)); \
      the anchor turns their Gibbs kernel into weights: softmax (one-sided entropic OT), \
      sinkhorn (row and column normalizations, --iterations of them, rows first, or to \
      --tolerance), sparsemax, entmax (--alpha, default 1.5) or orthostochastic (square scores). \
      Per head, the diagnostics are the mean row entropy, the share of exact zeros, the row \
      and column marginal errors (distance from doubly stochastic), the distance from the \
      entropic OT plan of the same kernel, and the one-sided entropic OT objective with its \
      minimum (the softmax's value). Float32 inputs are computed in Float, float64 and CSV \
      in Double. With --output and no --weights, the output weights x V is computed without \
      returning the weights (blocked in cache for the softmax in Float); the time reported is \
      that of the anchor on the scores, or of the whole output when only the output is asked \
      for, never of the diagnostics (--no-diagnostics skips them).
      """
  )

  @Option(help: "The queries (NPY or CSV): n x d, or heads x n x d.")
  var queries: String

  @Option(help: "The keys: m x d, or heads x m x d.")
  var keys: String

  @Option(help: "The values: m x d_v, or heads x m x d_v.")
  var values: String?

  @Option(help: ArgumentHelp("The anchor: \(AttentionAnchor.names.joined(separator: ", ")).", valueName: "anchor"))
  var anchor = "softmax"

  @Option(help: "The entmax alpha (> 1; 1.5 is exact by sorting, 2 is sparsemax).")
  var alpha: Double = 1.5

  @Option(help: "The temperature T of the scores Q K^T / T (default sqrt(d)).")
  var temperature: Double?

  @Option(help: "Sinkhorn normalizations, rows first (1 is the softmax).")
  var iterations: Int = 10

  @Option(help: "Sinkhorn: stop when both marginal errors are at most this (iterations is then the limit).")
  var tolerance: Double?

  @Option(help: "Write the attention weights to this file (NPY; heads x n x m for several heads).")
  var weights: String?

  @Option(help: "Write weights x V to this file (NPY).")
  var output: String?

  @Flag(inversion: .prefixedNo, help: "Compute the diagnostics (they need the weights).")
  var diagnostics = true

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  /// The library's anchor of --anchor and its parameters.
  var chosenAnchor: AttentionAnchor? {
    AttentionAnchor(name: anchor, parameters: .init(alpha: alpha, iterations: iterations, tolerance: tolerance))
  }

  func validate() throws {
    guard chosenAnchor != nil else { throw ValidationError("--anchor must be one of \(AttentionAnchor.names.joined(separator: ", ")) (got \(anchor))") }
    guard alpha > 1 && alpha.isFinite else { throw ValidationError("--alpha must be greater than 1") }
    if let temperature { guard temperature > 0 && temperature.isFinite else { throw ValidationError("--temperature must be positive") } }
    guard iterations >= 1 else { throw ValidationError("--iterations must be positive") }
    if let tolerance { guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") } }
    if output != nil && values == nil { throw ValidationError("--output needs --values") }
  }

  func run() throws {
    let q: [Matrix<Double>], k: [Matrix<Double>], v: [Matrix<Double>]?
    let float32: Bool
    do {
      (q, float32) = try NPY.readHeads(queries)
      k = try NPY.readHeads(keys).heads
      v = try values.map { try NPY.readHeads($0).heads }
    } catch let error as DataError {
      throw CLIError(error.description)
    }
    try Self.check(q, k, v, files: (queries, keys, values))
    let chosen = chosenAnchor!
    for h in 0..<q.count where chosen.needsSquareScores && q[h].rows != k[h].rows {
      throw CLIError("\(queries), \(keys): the \(chosen.name) anchor needs square scores: \(q[h].rows) queries, \(k[h].rows) keys")
    }
    let attention = TransportAttention(anchor: chosen, temperature: temperature)
    // Keep the input's precision: float32 arrays are computed in Float.
    let computed = float32
      ? try compute(attention, q.map(Matrix<Float>.init), k.map(Matrix<Float>.init), v?.map(Matrix<Float>.init))
      : try compute(attention, q, k, v)
    let (diagnostics, seconds) = computed
    let (n, m) = (q[0].rows, k[0].rows)
    print("attention: \(chosen.name)\(chosen.parameterDescription), \(q.count) head(s), \(n) queries x \(m) keys, temperature \(String(format: "%.4g", attention.resolvedTemperature(keySize: q[0].columns))), \(float32 ? "float32" : "float64")")
    if !diagnostics.isEmpty {
      let header = ["head", "entropy", "zeros", "row error", "column error", "plan distance", "EOT objective", "EOT minimum"]
      var lines = [header.joined(separator: "  ")]
      for (h, d) in diagnostics.enumerated() {
        lines.append([String(h), String(format: "%.4f", d.entropy), String(format: "%.4f", d.zeroFraction), String(format: "%.2e", d.rowMarginalError),
                      String(format: "%.2e", d.columnMarginalError), String(format: "%.4f", d.planDistance),
                      String(format: "%.6g", d.oneSidedObjective), String(format: "%.6g", d.oneSidedMinimum)].joined(separator: "  "))
      }
      print(lines.joined(separator: "\n"))
    }
    print("\(weights == nil && output != nil ? "attention time (scores, anchor and output)" : "anchor time"): \(String(format: "%.4f", seconds)) s")
    if let weights { print("weights: \(weights)") }
    if let output { print("output: \(output)") }
    if json {
      let perHead: [JSONValue] = diagnostics.map { (try? JSONValueEncoder.encode($0)) ?? .null }
      print(JSONValue.object([
        "anchor": .string(chosen.name), "alpha": chosen.entmaxAlpha.map { .number($0) } ?? .null,
        "temperature": .number(attention.resolvedTemperature(keySize: q[0].columns)),
        "heads": .number(Double(q.count)), "queries": .number(Double(n)), "keys": .number(Double(m)),
        "seconds": .number(seconds), "diagnostics": .array(perHead),
        "weights": weights.map { .string($0) } ?? .null, "output": output.map { .string($0) } ?? .null,
        "precision": .string(float32 ? "float32" : "float64"),
      ]).serialized())
    }
  }

  /// Checks the arrays against each other, naming the file at fault: the same number of
  /// heads (at least one), queries, keys and coordinates present, widths and counts that
  /// agree, finite values.
  static func check(_ q: [Matrix<Double>], _ k: [Matrix<Double>], _ v: [Matrix<Double>]?, files: (String, String, String?)) throws {
    guard !q.isEmpty else { throw CLIError("\(files.0): the array has 0 heads") }
    guard q.count == k.count else { throw CLIError("\(files.1): \(k.count) heads, the queries (\(files.0)) have \(q.count)") }
    if let v, v.count != q.count { throw CLIError("\(files.2!): \(v.count) heads, the queries (\(files.0)) have \(q.count)") }
    for h in 0..<q.count {
      let head = q.count > 1 ? " (head \(h))" : ""
      guard q[h].rows > 0 else { throw CLIError("\(files.0): no queries\(head)") }
      guard k[h].rows > 0 else { throw CLIError("\(files.1): no keys\(head)") }
      guard q[h].columns > 0 else { throw CLIError("\(files.0): the queries have no coordinates (d = 0)\(head)") }
      guard q[h].columns == k[h].columns else {
        throw CLIError("\(files.1): keys have width \(k[h].columns), queries \(q[h].columns)\(head)")
      }
      if let v, v[h].rows != k[h].rows { throw CLIError("\(files.2!): \(v[h].rows) values for \(k[h].rows) keys\(head)") }
      for (matrix, file) in [(q[h], files.0), (k[h], files.1)] + (v.map { [($0[h], files.2!)] } ?? []) where !matrix.isFinite {
        let index = matrix.elements.firstIndex { !$0.isFinite }!
        throw CLIError("\(file): the value at row \(index / matrix.columns + 1), column \(index % matrix.columns + 1)\(head) is \(matrix.elements[index]), not a finite number")
      }
    }
  }

  /// The library's check of a head's scores (`TransportAttention.checkScores`), in the
  /// command's words: the files and what to change.
  func checkScores<T: MatrixScalar>(_ attention: TransportAttention, _ q: Matrix<T>, _ k: Matrix<T>, head: Int) throws {
    let place = head > 0 ? " (head \(head))" : ""
    do {
      try attention.checkScores(queries: q, keys: k)
    } catch AttentionScoreError.beyondSinkhornResolution(let largest, let limit, let precision) {
      throw CLIError("\(queries), \(keys): scores up to \(String(format: "%.3g", largest))\(place) exceed what the sinkhorn anchor resolves in \(precision) (\(String(format: "%.3g", limit))): its potentials would lose the weights' exponents; raise --temperature")
    } catch AttentionScoreError.overflow(let bound, let precision) {
      throw CLIError("\(queries), \(keys): the scores Q K^T / T overflow \(precision)\(place) (the inputs reach \(String(format: "%.3g", bound)) in product); rescale the inputs or raise --temperature")
    }
  }

  /// Computes what was asked for in the inputs' precision, writes it, and returns the
  /// diagnostics (from the weights, in `Double`) and the time of the weights or output.
  func compute<T: MatrixScalar>(
    _ attention: TransportAttention, _ q: [Matrix<T>], _ k: [Matrix<T>], _ v: [Matrix<T>]?
  ) throws -> (diagnostics: [AttentionDiagnostics], seconds: Double) {
    var allWeights: [Matrix<T>] = []
    var outputs: [Matrix<T>] = []
    var results: [AttentionDiagnostics] = []
    var seconds = 0.0
    let outputOnly = weights == nil && output != nil
    for h in 0..<q.count {
      try checkScores(attention, q[h], k[h], head: h)
      var w: Matrix<T>? = nil
      var scoresOfHead: Matrix<T>? = nil
      if outputOnly, let v {
        // The output alone: the blocked path never forms the weights (softmax, Float).
        var o = Matrix<T>(rows: 0, columns: 0)
        seconds += Stopwatch.time { o = attention.output(queries: q[h], keys: k[h], values: v[h]) }
        outputs.append(o)
      } else {
        // As before: the time of the anchor on the scores (the scores product is untimed).
        let scores = attention.scores(queries: q[h], keys: k[h])
        scoresOfHead = scores
        var computed = Matrix<T>(rows: 0, columns: 0)
        seconds += Stopwatch.time { computed = TransportAttention.weights(scores, anchor: attention.anchor) }
        w = computed
        allWeights.append(computed)
        if let v, output != nil { outputs.append(Matrix.product(computed, v[h])) }
      }
      if self.diagnostics {
        let tau = attention.resolvedTemperature(keySize: q[h].columns)
        // In Double; the weights path's scores already are, for float64 input.
        let scores = scoresOfHead as? Matrix<Double> ?? attention.scores(queries: Matrix<Double>(q[h]), keys: Matrix<Double>(k[h]))
        let weightsForDiagnostics = w.map(Matrix<Double>.init) ?? TransportAttention.weights(scores, anchor: attention.anchor)
        results.append(AttentionDiagnostics(weights: weightsForDiagnostics, scores: scores, temperature: tau))
      }
    }
    do {
      if let weights { try NPY.write(heads: allWeights, to: weights) }
      if let output { try NPY.write(heads: outputs, to: output) }
    } catch let error as DataError {
      throw CLIError(error.description)
    }
    return (results, seconds)
  }
}
