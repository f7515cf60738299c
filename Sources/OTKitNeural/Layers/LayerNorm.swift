import OTKitAutograd
import OTKitCore

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
