import OTKitAutograd
import OTKitCore

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
