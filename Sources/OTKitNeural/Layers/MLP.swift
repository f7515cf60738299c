import OTKitAutograd
import OTKitCore

/// An activation function of an MLP.
public enum Activation: String, Sendable, Codable, CaseIterable {
  case relu, gelu, tanh, sigmoid, identity

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch self {
    case .relu: x.relu()
    case .gelu: x.gelu()
    case .tanh: x.tanh()
    case .sigmoid: x.sigmoid()
    case .identity: x
    }
  }
}

/// A multilayer perceptron: `Linear -> activation -> dropout` for each hidden width, then a
/// linear output layer.
public final class MLP: Layer {
  public let layers: [Linear]
  public let activation: Activation
  public let dropout: Dropout?

  /// - Parameters:
  ///   - sizes: the widths from input to output, for example `[16, 32, 32, 4]`.
  ///   - initialization: how every layer's weights start.
  public init(
    sizes: [Int], activation: Activation = .relu, dropout rate: Double = 0, initialization: WeightInitialization = .glorotUniform,
    generator: inout SeededGenerator
  ) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "An MLP needs at least an input and an output width, all positive")
    var layers: [Linear] = []
    for (a, b) in zip(sizes, sizes.dropFirst()) {
      layers.append(Linear(inputs: a, outputs: b, initialization: initialization, generator: &generator))
    }
    self.layers = layers
    self.activation = activation
    self.dropout = rate > 0 ? Dropout(rate: rate, seed: generator.next()) : nil
  }

  public var sizes: [Int] { [layers[0].inputs] + layers.map(\.outputs) }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { prefixed("layers.\($0.offset)", $0.element) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    var h = x
    for (index, layer) in layers.enumerated() {
      h = layer(h)
      if index < layers.count - 1 {
        h = activation(h)
        if let dropout { h = dropout(h) }
      }
    }
    return h
  }
}
