import OTKitCore

/// A fully connected layer `y = x W + b`, `W` of shape `inputs x outputs`.
///
/// Weights start Glorot-uniform (X. Glorot and Y. Bengio, "Understanding the difficulty of
/// training deep feedforward neural networks", AISTATS 2010), biases at zero: the Keras
/// defaults of the study.
///
/// - Complexity: `O(rows * inputs * outputs)` per call.
public final class Linear: Layer {
  public let weight: Parameter
  public let bias: Parameter?

  public init(inputs: Int, outputs: Int, bias: Bool = true, generator: inout SeededGenerator) {
    let limit = (6.0 / Double(max(inputs + outputs, 1))).squareRoot()
    weight = Parameter(generator.uniformMatrix(rows: inputs, columns: outputs, in: -limit..<limit))
    self.bias = bias ? Parameter(Matrix(rows: 1, columns: outputs)) : nil
  }

  public var inputs: Int { weight.value.rows }
  public var outputs: Int { weight.value.columns }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    Tensor.linear(x, x.graph.parameter(weight), bias: bias.map { x.graph.parameter($0) })
  }
}

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
  public init(sizes: [Int], activation: Activation = .relu, dropout rate: Double = 0, generator: inout SeededGenerator) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "An MLP needs at least an input and an output width, all positive")
    var layers: [Linear] = []
    for (a, b) in zip(sizes, sizes.dropFirst()) {
      layers.append(Linear(inputs: a, outputs: b, generator: &generator))
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

/// Layer normalization over the features of each row with a learned scale and shift.
public final class LayerNorm: Layer {
  public let scale: Parameter
  public let shift: Parameter
  public let epsilon: Double

  public init(features: Int, epsilon: Double = 1e-5) {
    scale = Parameter(Matrix(rows: 1, columns: features, repeating: 1))
    shift = Parameter(Matrix(rows: 1, columns: features))
    self.epsilon = epsilon
  }

  public var namedParameters: [(name: String, parameter: Parameter)] { [("scale", scale), ("shift", shift)] }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.layerNormalized(epsilon: epsilon) * x.graph.parameter(scale) + x.graph.parameter(shift)
  }
}

/// The feature tokenizer of the FT-Transformer: scalar feature `j` of a row becomes the
/// token `x_j w_j + b_j` in `R^width`. A batch of `rows x features` becomes
/// `(rows * features) x width`, the tokens of a row consecutive.
///
/// Y. Gorishniy, I. Rubachev, V. Khrulkov and A. Babenko, "Revisiting deep learning models
/// for tabular data", NeurIPS 2021.
public final class FeatureTokenizer: Layer {
  public let weight: Parameter
  public let bias: Parameter

  public init(features: Int, width: Int, generator: inout SeededGenerator) {
    let limit = 1 / Double(width).squareRoot()
    weight = Parameter(generator.uniformMatrix(rows: features, columns: width, in: -limit..<limit))
    bias = Parameter(generator.uniformMatrix(rows: features, columns: width, in: -limit..<limit))
  }

  public var features: Int { weight.value.rows }
  public var width: Int { weight.value.columns }

  public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(x.columns == features, "The tokenizer expects \(features) features, got \(x.columns)")
    let index = (0..<(x.rows * features)).map { $0 % features }
    let scalars = x.reshaped(rows: x.rows * features, columns: 1)
    let g = x.graph
    return scalars * g.parameter(weight).gatherRows(index) + g.parameter(bias).gatherRows(index)
  }
}
