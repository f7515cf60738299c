import OTKitAutograd
import OTKitCore

/// Inverted dropout with its own seeded generator, active only on a training graph.
public final class Dropout: Layer {
  public let rate: Double
  var generator: SeededGenerator

  public init(rate: Double, seed: UInt64) {
    precondition(rate >= 0 && rate < 1, "The dropout rate must be in [0, 1), got \(rate)")
    self.rate = rate
    self.generator = SeededGenerator(seed: seed)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] { [] }

  public func callAsFunction(_ x: Tensor) -> Tensor { x.dropout(rate: rate, generator: &generator) }
}
