import OTKitAutograd
import OTKitCore

/// A fully connected layer `y = x W + b`, `W` of shape `inputs x outputs`.
///
/// Weights start Glorot-uniform (X. Glorot and Y. Bengio, "Understanding the difficulty of
/// training deep feedforward neural networks", AISTATS 2010), biases at zero: the Keras
/// defaults of the study; ``WeightInitialization/lecunNormal`` gives Flax's defaults.
///
/// - Complexity: `O(rows * inputs * outputs)` per call.
public final class Linear: Layer {
  public let weight: Parameter
  public let bias: Parameter?

  public init(inputs: Int, outputs: Int, bias: Bool = true, initialization: WeightInitialization = .glorotUniform, generator: inout SeededGenerator) {
    weight = Parameter(initialization.weights(inputs: inputs, outputs: outputs, generator: &generator))
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

/// How a ``Linear`` layer's weights start (its biases start at zero).
public enum WeightInitialization: String, Sendable, Codable, CaseIterable {
  /// Uniform on `±sqrt(6 / (inputs + outputs))` (Glorot and Bengio, 2010; Keras's default).
  case glorotUniform
  /// A normal of variance `1 / inputs` truncated at two deviations (Y. LeCun et al.,
  /// "Efficient BackProp", 1998; Flax's `lecun_normal`, the default of OTT-JAX's networks).
  case lecunNormal

  /// An `inputs x outputs` weight matrix.
  ///
  /// - Complexity: `O(inputs · outputs)` draws (the truncated normal redraws 4.6% of them).
  public func weights(inputs: Int, outputs: Int, generator: inout SeededGenerator) -> Matrix<Double> {
    switch self {
    case .glorotUniform:
      let limit = (6.0 / Double(max(inputs + outputs, 1))).squareRoot()
      return generator.uniformMatrix(rows: inputs, columns: outputs, in: -limit..<limit)
    case .lecunNormal:
      // The deviation of a standard normal truncated to [-2, 2] is 0.8796: scaled back so
      // that the variance is 1 / inputs, as Flax's variance scaling does.
      let scale = (1.0 / Double(max(inputs, 1))).squareRoot() / 0.87962566103423978
      return Matrix(rows: inputs, columns: outputs) { _, _ in
        var z = generator.normal()
        while abs(z) > 2 { z = generator.normal() }
        return z * scale
      }
    }
  }
}
