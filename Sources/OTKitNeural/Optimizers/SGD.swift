import OTKitAutograd
import OTKitCore

/// Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay.
///
/// - Complexity: `O(parameters)` per step.
public final class SGD: OptimizerBase<Matrix<Double>?> {
  public var momentum: Double
  public var nesterov: Bool
  public var weightDecay: Double

  public init(learningRate: Double = 1e-2, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    super.init(learningRate: learningRate)
  }

  public override func initialState(for parameter: Parameter) -> Matrix<Double>? { nil }

  public override func update(_ p: Parameter, state velocity: inout Matrix<Double>?) {
    var g = p.gradient
    if weightDecay != 0 { g += p.value * weightDecay }
    if momentum != 0 {
      let v = (velocity.map { $0 * momentum } ?? Matrix(rows: g.rows, columns: g.columns)) + g
      velocity = v
      g = nesterov ? g + v * momentum : v
    }
    p.value -= g * learningRate
  }
}
