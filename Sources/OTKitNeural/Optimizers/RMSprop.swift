import OTKitAutograd
import OTKitCore

/// RMSprop, with Keras's defaults (`rho = 0.9`, `epsilon = 1e-7`), the study's optimizer.
///
/// T. Tieleman and G. Hinton, Lecture 6.5 of "Neural networks for machine learning", 2012.
///
/// - Complexity: `O(parameters)` per step; one running average per scalar parameter (two
///   with momentum).
public final class RMSprop: OptimizerBase<(average: [Double], velocity: [Double])> {
  public var rho: Double
  public var epsilon: Double
  public var momentum: Double

  public init(learningRate: Double = 1e-3, rho: Double = 0.9, epsilon: Double = 1e-7, momentum: Double = 0) {
    self.rho = rho
    self.epsilon = epsilon
    self.momentum = momentum
    super.init(learningRate: learningRate)
  }

  public override func initialState(for parameter: Parameter) -> (average: [Double], velocity: [Double]) {
    let count = parameter.value.count
    return ([Double](repeating: 0, count: count), [Double](repeating: 0, count: momentum != 0 ? count : 0))
  }

  public override func update(_ p: Parameter, state: inout (average: [Double], velocity: [Double])) {
    let (rho, eps, lr, mu) = (rho, epsilon, learningRate, momentum)
    let count = p.value.count
    if mu != 0 && state.velocity.count != count { state.velocity = [Double](repeating: 0, count: count) }
    let g = p.gradient.elements
    p.value.withUnsafeMutableBufferPointer { w in
      for i in 0..<count {
        state.average[i] = rho * state.average[i] + (1 - rho) * g[i] * g[i]
        let update = lr * g[i] / (state.average[i].squareRoot() + eps)
        if mu != 0 {
          state.velocity[i] = mu * state.velocity[i] + update
          w[i] -= state.velocity[i]
        } else {
          w[i] -= update
        }
      }
    }
  }
}
