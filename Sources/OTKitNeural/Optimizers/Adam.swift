import OTKitAutograd
import OTKitCore
import RealModule

/// Adam, and AdamW with decoupled weight decay.
///
/// D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015;
/// I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
///
/// - Complexity: `O(parameters)` per step; two moments per scalar parameter.
public final class Adam: OptimizerBase<(m: [Double], v: [Double])> {
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  /// Decoupled weight decay (AdamW) when positive: `w -= lr * decay * w` each step.
  public var weightDecay: Double
  var steps = 0
  var corrections = (first: 1.0, second: 1.0)

  public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    super.init(learningRate: learningRate)
  }

  /// AdamW: Adam with decoupled weight decay (default 0.01, PyTorch's).
  public static func adamW(learningRate: Double = 1e-3, weightDecay: Double = 1e-2) -> Adam {
    Adam(learningRate: learningRate, weightDecay: weightDecay)
  }

  public override func beginStep() {
    steps += 1
    corrections = (1 - Double.pow(beta1, Double(steps)), 1 - Double.pow(beta2, Double(steps)))
  }

  public override func initialState(for parameter: Parameter) -> (m: [Double], v: [Double]) {
    let count = parameter.value.count
    return ([Double](repeating: 0, count: count), [Double](repeating: 0, count: count))
  }

  public override func update(_ p: Parameter, state: inout (m: [Double], v: [Double])) {
    let (c1, c2) = corrections
    let (b1, b2, eps, lr, decay) = (beta1, beta2, epsilon, learningRate, weightDecay)
    let count = p.value.count
    p.gradient.withUnsafeBufferPointer { g in
      p.value.withUnsafeMutableBufferPointer { w in
        state.m.withUnsafeMutableBufferPointer { m in
          state.v.withUnsafeMutableBufferPointer { v in
            for i in 0..<count {
              m[i] = b1 * m[i] + (1 - b1) * g[i]
              v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
              let update = (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
              w[i] -= lr * (update + decay * w[i])
            }
          }
        }
      }
    }
  }
}
