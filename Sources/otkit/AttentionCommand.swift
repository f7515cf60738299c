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
      for, never of the diagnostics (--no-diagnostics skips them). With the diagnostics come \
      seed 002's identities, read off the autograd tape for the upstream gradient dL/dW \
      (--upstream, else seeded normal, --seed): the advantage form's error, the Jacobian \
      against Fisher / T and the Hessian of T LSE(s / T), the advantage spread; the share of \
      saturated rows; the gauge of the scores on the --carrier (unary fraction, column-field \
      share, the interaction's singular values, effective rank and residual at rank d, for \
      heads up to 512 x 512); and the context vectors' rank with --values.
      """
  )

  @Option(help: "The queries (NPY or CSV): n x d, or heads x n x d.")
  var queries: String

  @Option(help: "The keys: m x d, or heads x m x d.")
  var keys: String

  @Option(help: "The values: m x d_v, or heads x m x d_v.")
  var values: String?

  @Option(help: "The anchor: \(LibraryName<AttentionAnchor>.listed).")
  var anchor = LibraryName<AttentionAnchor>("softmax")

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

  @Option(help: "The upstream gradient dL/dW for the identities (NPY: n x m, or heads x n x m); default seeded normal.")
  var upstream: String?

  @Option(help: "The seed of the default upstream gradient.")
  var seed: UInt64 = 0

  @Option(help: "The keys each query addresses: \(AttentionCarrier.names.joined(separator: ", ")).")
  var carrier: String = "full"

  @Option(help: "The link of the evidence kernel: exp (Gibbs weights) or power:Q (Tsallis's q-exponential, 0 <= Q < 1: exact zeros).")
  var link: String = "exp"

  @Flag(inversion: .prefixedNo, help: "Compute the diagnostics (they need the weights); by default when they fit in memory.")
  var diagnostics: Bool?

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  /// The library's anchor of --anchor and its parameters.
  var chosenAnchor: AttentionAnchor? {
    AttentionAnchor(name: anchor.description, parameters: .init(alpha: alpha, iterations: iterations, tolerance: tolerance))
  }

  func validate() throws {
    guard alpha > 1 && alpha.isFinite else { throw ValidationError("--alpha must be greater than 1") }
    if let temperature { guard temperature > 0 && temperature.isFinite else { throw ValidationError("--temperature must be positive") } }
    guard iterations >= 1 else { throw ValidationError("--iterations must be positive") }
    if let tolerance { guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") } }
    if output != nil && values == nil { throw ValidationError("--output needs --values") }
    guard AttentionLink(name: link) != nil else {
      throw ValidationError("--link must be exp or power:Q with 0 <= Q < 1, got \"\(link)\"")
    }
    guard AttentionCarrier(name: carrier) != nil else {
      throw ValidationError("--carrier must be one of \(AttentionCarrier.names.joined(separator: ", ")), got \"\(carrier)\"")
    }
  }

  func run() throws {
    let (q, float32) = try reported { try NPY.readHeads(queries) }
    let k = try reported { try NPY.readHeads(keys).heads }
    let v = try reported { try values.map { try NPY.readHeads($0).heads } }
    do {
      try TransportAttention.checkInputs(queries: q, keys: k, values: v)
    } catch let error as AttentionInputError {
      throw CLIError("\([.queries: queries, .keys: keys, .values: values ?? ""][error.input]!): \(error)")
    }
    let chosen = chosenAnchor!
    for h in 0..<q.count where chosen.needsSquareScores && q[h].rows != k[h].rows {
      throw CLIError("\(queries), \(keys): the \(chosen.name) anchor needs square scores: \(q[h].rows) queries, \(k[h].rows) keys")
    }
    if let limit = chosen.maximumKeys, k[0].rows > limit {
      throw CLIError("\(keys): the \(chosen.name) anchor takes at most \(limit) keys, got \(k[0].rows)")
    }
    let chosenCarrier = AttentionCarrier(name: carrier)!
    if chosen.needsSquareScores && chosenCarrier != .full {
      throw CLIError("--carrier \(carrier): the \(chosen.name) anchor takes the full carrier only (it needs every score)")
    }
    if let row = chosenCarrier.invalidRow(rows: q[0].rows, columns: k[0].rows) {
      throw CLIError("--carrier \(carrier): query \(row) addresses no key")
    }
    if chosen.needsSquareScores && link != "exp" {
      throw CLIError("--link \(link): the \(chosen.name) anchor takes the exp link only (it needs every score)")
    }
    let attention = TransportAttention(anchor: chosen, temperature: temperature, carrier: chosenCarrier, link: AttentionLink(name: link)!)
    // Keep the input's precision: float32 arrays are computed in Float.
    let computed = float32
      ? try compute(attention, q.map(Matrix<Float>.init), k.map(Matrix<Float>.init), v?.map(Matrix<Float>.init))
      : try compute(attention, q, k, v)
    var (diagnostics, seconds) = computed
    if !diagnostics.isEmpty {
      let u = try reported { try upstream.map { try NPY.readHeads($0).heads } }
      if let u, u.count != q.count || zip(u, zip(q, k)).contains(where: { $0.rows != $1.0.rows || $0.columns != $1.1.rows }) {
        throw CLIError("\(upstream!): the upstream gradient must be \(q.count) x \(q[0].rows) x \(k[0].rows) (heads x queries x keys)")
      }
      let identities = attention.identities(queries: q, keys: k, upstream: u, seed: seed)
      for h in diagnostics.indices { diagnostics[h].identities = identities[h] }
    }
    let (n, m) = (q[0].rows, k[0].rows)
    print("attention: \(chosen.name)\(chosen.parameterDescription), \(q.count) head(s), \(n) queries x \(m) keys, temperature \(String(format: "%.4g", attention.resolvedTemperature(keySize: q[0].columns))), \(float32 ? "float32" : "float64")")
    if !diagnostics.isEmpty { print(AttentionDiagnostics.table(diagnostics) + "\n" + AttentionDiagnostics.geometryTable(diagnostics)) }
    print("\(weights == nil && output != nil ? "attention time (scores, anchor and output)" : "anchor time"): \(String(format: "%.4f", seconds)) s")
    if let weights { print("weights: \(weights)") }
    if let output { print("output: \(output)") }
    if json {
      print(JSONValue(encoding: AttentionRunReport(
        anchor: chosen, temperature: attention.resolvedTemperature(keySize: q[0].columns), heads: q.count, queries: n, keys: m,
        seconds: seconds, diagnostics: diagnostics, weights: weights, output: output, precision: float32 ? "float32" : "float64")).serialized())
    }
  }

  /// Computes what was asked for in the inputs' precision, writes it, and returns the
  /// diagnostics and the time; a head's score error in the command's words.
  func compute<T: MatrixScalar>(
    _ attention: TransportAttention, _ q: [Matrix<T>], _ k: [Matrix<T>], _ v: [Matrix<T>]?
  ) throws -> (diagnostics: [AttentionDiagnostics], seconds: Double) {
    let heads: TransportAttention.Heads<T>
    do {
      heads = try attention.heads(queries: q, keys: k, values: v, weights: weights != nil || output == nil, output: output != nil, diagnostics: diagnostics)
      if heads.diagnosticsSkipped { Console.error("otkit: the diagnostics are skipped: they do not fit in memory (--diagnostics asks for them)") }
    } catch let error as AttentionHeadError {
      let place = error.head > 0 ? " (head \(error.head))" : ""
      switch error.error {
      case .beyondSinkhornResolution(let largest, let limit, let precision):
        throw CLIError("\(queries), \(keys): scores up to \(String(format: "%.3g", largest))\(place) exceed what the sinkhorn anchor resolves in \(precision) (\(String(format: "%.3g", limit))): its potentials would lose the weights' exponents; raise --temperature")
      case .overflow(let bound, let precision):
        throw CLIError("\(queries), \(keys): the scores Q K^T / T overflow \(precision)\(place) (the inputs reach \(String(format: "%.3g", bound)) in product); rescale the inputs or raise --temperature")
      }
    }
    do {
      if let weights { try NPY.write(heads: heads.weights, to: weights) }
      if let output { try NPY.write(heads: heads.outputs, to: output) }
    } catch let error as DataError {
      throw CLIError(error.description)
    }
    return (heads.diagnostics, heads.seconds)
  }
}
