import OTKitAttention
import OTKitCore

/// Geometric Attention's regime choices for the attention layers of a network (R. Rosario
/// Freytes, arXiv 2601.11618): the link and the unary regime of every head's chart, a fixed
/// carrier per block, and an adaptive carrier. Standard attention is the default: the
/// exponential link, the chart's own fields, the full carrier in every block.
///
/// Staged depth is a list of carriers, one per block (`window:1, window:3, full`: local
/// first, global last); one carrier applies to every block.
public struct AttentionRegime: Sendable, Equatable, Hashable, Codable {
  public var link: AttentionLink = .exp
  public var unary: UnaryRegime = .chart
  /// One carrier per block, or one for every block; empty: the full carrier.
  public var carriers: [AttentionCarrier] = []
  /// The starting width (tokens) of a window each head learns; `nil`: no adaptive carrier.
  public var adaptiveWidth: Double? = nil

  public init(link: AttentionLink = .exp, unary: UnaryRegime = .chart, carriers: [AttentionCarrier] = [], adaptiveWidth: Double? = nil) {
    (self.link, self.unary, self.carriers, self.adaptiveWidth) = (link, unary, carriers, adaptiveWidth)
  }

  enum CodingKeys: String, CodingKey { case link, unary, carriers, adaptiveWidth }

  /// Reads a regime; a missing field keeps its default (hand-written model files).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    link = try c.decodeIfPresent(AttentionLink.self, forKey: .link) ?? .exp
    unary = try c.decodeIfPresent(UnaryRegime.self, forKey: .unary) ?? .chart
    carriers = try c.decodeIfPresent([AttentionCarrier].self, forKey: .carriers) ?? []
    adaptiveWidth = try c.decodeIfPresent(Double.self, forKey: .adaptiveWidth)
  }

  /// Whether the regime is standard attention's.
  public var isStandard: Bool { self == AttentionRegime() }

  /// The carrier of block `b`.
  public func carrier(block b: Int) -> AttentionCarrier {
    carriers.isEmpty ? .full : carriers[carriers.count == 1 ? 0 : Swift.min(b, carriers.count - 1)]
  }

  /// What is wrong with the regime for a network of `blocks` blocks, or `nil`: a carrier
  /// list of another length than 1 or `blocks`, an explicit index set (a regime is saved
  /// with a model and applies to any sequence length), a negative window, a power link
  /// outside `[0, 1)`, a width that is not finite. `option` names the field at fault as the
  /// command line does (`carrier`, `link`, `adaptiveWindow`).
  public func problem(blocks: Int) -> (option: String, reason: String)? {
    if carriers.count > 1 && carriers.count != blocks { return ("carrier", "lists \(carriers.count) carriers for \(blocks) blocks (one, or one per block)") }
    for carrier in carriers {
      if case .indices = carrier { return ("carrier", "has an explicit index set; use full, causal or window:R") }
      if case .window(let radius) = carrier, radius < 0 { return ("carrier", "has a window of radius \(radius); it must be 0 or more") }
    }
    if case .power(let q) = link, !(q >= 0 && q < 1) { return ("link", "is a power link of q = \(q); q must lie in [0, 1)") }
    if let width = adaptiveWidth, !width.isFinite || abs(width) > 1e6 { return ("adaptiveWindow", "is \(width); it must be finite") }
    return nil
  }

  /// Sets block `b`'s attention layer to the regime.
  public func apply(to layer: MultiHeadAttention, block b: Int, generator: inout SeededGenerator) {
    layer.carrier = carrier(block: b)
    layer.useChart(ScoreChart(link: link, unary: unary), generator: &generator)
    if let adaptiveWidth { layer.learnWindows(width: adaptiveWidth) }
  }
}
