import OTKitAutograd
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
