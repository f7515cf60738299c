import OTKitAutograd
import OTKitCore

/// An input-convex neural network `f(x) = |x|^2 / 2 + w^T z_L(x)` (B. Amos, L. Xu and J. Z.
/// Kolter, "Input convex neural networks", ICML 2017), and its gradient `T = grad f`, a
/// transport map: by Brenier's theorem the gradient of a convex function is the optimal map
/// for the squared Euclidean cost onto its image (A. Makkuva et al., "Optimal transport
/// mapping via input convex neural networks", ICML 2020).
///
/// Layers: `z_1 = softplus(x A_0 + b_0)`, `z_(l+1) = softplus(z_l W_l + x A_l + b_l)` with
/// `W_l = V_l o V_l >= 0` (squared: non-negative on the hidden path, so `f` is convex), and
/// `w = v o v`. Softplus is convex and non-decreasing; the quadratic term makes `f` strongly
/// convex, so `T(x) = x + ...` starts near the identity.
///
/// ``gradientMap(_:)`` writes `grad f` as tape operations (an explicit reverse pass through
/// the layers), so the map itself is differentiable in the parameters and trains with any
/// loss on its images (the Monge gap estimator's fitting loss).
///
/// - Complexity: `O(batch * (d h + (L - 1) h^2))` for `f` and for its gradient.
public final class InputConvexNetwork: Module {
  /// `A_l` (`d x h_l`) with biases `b_l`, one per layer.
  public let inputs: [Linear]
  /// `V_l` (`h_l x h_(l+1)`); the weights are `V_l o V_l`.
  public let hidden: [Parameter]
  /// `v` (`h_L x 1`); the output weights are `v o v`.
  public let output: Parameter

  /// - Parameters:
  ///   - dimension: `d`.
  ///   - widths: `h_1 ... h_L`.
  public init(dimension: Int, widths: [Int], generator: inout SeededGenerator) {
    precondition(dimension > 0 && !widths.isEmpty && widths.allSatisfy { $0 > 0 }, "An ICNN needs a dimension and positive widths")
    inputs = widths.map { Linear(inputs: dimension, outputs: $0, generator: &generator) }
    hidden = zip(widths, widths.dropFirst()).map { h, next in
      Parameter(generator.uniformMatrix(rows: h, columns: next, in: 0..<(1 / Double(h)).squareRoot()))
    }
    output = Parameter(generator.uniformMatrix(rows: widths.last!, columns: 1, in: 0..<(1 / Double(widths.last!)).squareRoot()))
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    inputs.enumerated().flatMap { prefixed("inputs.\($0.offset)", $0.element) }
      + hidden.enumerated().map { ("hidden.\($0.offset)", $0.element) } + [("output", output)]
  }

  /// The pre-activations `a_l` of every layer for the rows of `x`.
  func preactivations(_ x: Tensor) -> [Tensor] {
    var a = [inputs[0](x)]
    for l in 1..<inputs.count {
      let w = x.graph.parameter(hidden[l - 1]).square()
      a.append(Tensor.product(a[l - 1].softplus(), w) + inputs[l](x))
    }
    return a
  }

  /// `f(x)` of each row: `batch x 1`.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    let a = preactivations(x)
    let quadratic = (x * x).sum(.columns) * 0.5
    return quadratic + Tensor.product(a.last!.softplus(), x.graph.parameter(output).square())
  }

  /// `T(x) = grad f(x)` of each row: `batch x d`, as tape operations.
  ///
  /// The reverse pass: `delta_L = (v o v)^T o sigmoid(a_L)`,
  /// `delta_l = (delta_(l+1) W_l^T) o sigmoid(a_l)`, and `grad f = x + sum_l delta_l A_l^T`.
  public func gradientMap(_ x: Tensor) -> Tensor {
    let a = preactivations(x)
    let graph = x.graph
    var delta = graph.parameter(output).square().transposed() * a.last!.sigmoid()
    var map = x + Tensor.product(delta, graph.parameter(inputs.last!.weight), transposeB: true)
    for l in stride(from: inputs.count - 2, through: 0, by: -1) {
      delta = Tensor.product(delta, graph.parameter(hidden[l]).square(), transposeB: true) * a[l].sigmoid()
      map = map + Tensor.product(delta, graph.parameter(inputs[l].weight), transposeB: true)
    }
    return map
  }
}
