import ArgumentParser
import Foundation
import OTKit

struct AttentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attention",
    abstract: "Compute attention weights with a transport anchor and report what the transport view predicts.",
    discussion: """
      Q, K (and V) are NPY (or CSV) arrays: 2-D (n x d, m x d, m x d_v) for one head, or 3-D \
      (heads x n x d) for several; float32 inputs are computed in Float. The scores Q K^T / T \
      (--temperature, default sqrt(d)) on the --carrier go through the --link's kernel and the \
      anchor: softmax, sinkhorn (--iterations, --tolerance), sparsemax, entmax (--alpha), \
      orthostochastic or circuit (square scores). --output without --weights never forms the \
      weights (blocked in cache for the softmax in Float). Per head the diagnostics give the \
      transport reading (entropy, exact zeros, marginal errors, distance from the entropic \
      plan, the one-sided EOT objective), seed 002's identities off the autograd tape for the \
      upstream dL/dW (--upstream, else seeded normal), saturation, the context vectors' rank \
      and the gauge of the scores (docs/cli.md lists every key). The time is the anchor's \
      (or the whole output's), never the diagnostics' (--no-diagnostics skips them).
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
  var carrier: AttentionCarrier = .full

  @Option(help: "The link of the evidence kernel: exp (Gibbs weights) or power:Q (Tsallis's q-exponential, 0 <= Q < 1: exact zeros).")
  var link: AttentionLink = .exp

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
  }

  func run() throws {
    var run = AttentionRun(
      queries: queries, keys: keys, values: values,
      attention: TransportAttention(anchor: chosenAnchor!, temperature: temperature, carrier: carrier, link: link))
    (run.upstream, run.weights, run.output, run.diagnostics, run.seed) = (upstream, weights, output, diagnostics, seed)
    let outcome = try reported { try run.run() }
    if outcome.diagnosticsSkipped { Console.error("otkit: the diagnostics are skipped: they do not fit in memory (--diagnostics asks for them)") }
    for line in outcome.report.lines { print(line) }
    if json { print(JSONValue(encoding: outcome.report).serialized()) }
  }
}

extension AttentionCarrier: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
  public var defaultValueDescription: String { name }
}

extension AttentionLink: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
  public var defaultValueDescription: String { name }
}
