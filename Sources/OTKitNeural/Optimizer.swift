import OTKitCore
import RealModule

/// An optimizer: updates the trainable parameters from their gradients.
///
/// Frozen parameters (``Parameter/isTrainable`` false) are skipped. State (momenta) is
/// kept per parameter object.
public protocol Optimizer: AnyObject {
  /// The learning rate of the next step; a ``LearningRateSchedule`` sets it per epoch.
  var learningRate: Double { get set }
  /// One update of every trainable parameter from its gradient.
  func step(_ parameters: [Parameter])
}

/// Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay.
public final class SGD: Optimizer {
  public var learningRate: Double
  public var momentum: Double
  public var nesterov: Bool
  public var weightDecay: Double
  var velocity: [ObjectIdentifier: Matrix<Double>] = [:]

  public init(learningRate: Double = 1e-2, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public func step(_ parameters: [Parameter]) {
    for p in parameters where p.isTrainable {
      var g = p.gradient
      if weightDecay != 0 { g += p.value * weightDecay }
      if momentum != 0 {
        let id = ObjectIdentifier(p)
        let v = (velocity[id].map { $0 * momentum } ?? Matrix(rows: g.rows, columns: g.columns)) + g
        velocity[id] = v
        g = nesterov ? g + v * momentum : v
      }
      p.value -= g * learningRate
    }
  }
}

/// Adam, and AdamW with decoupled weight decay.
///
/// D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015;
/// I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
public final class Adam: Optimizer {
  public var learningRate: Double
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  /// Decoupled weight decay (AdamW) when positive: `w -= lr * decay * w` each step.
  public var weightDecay: Double
  var moments: [ObjectIdentifier: (m: [Double], v: [Double])] = [:]
  var steps = 0

  public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  /// AdamW: Adam with decoupled weight decay (default 0.01, PyTorch's).
  public static func adamW(learningRate: Double = 1e-3, weightDecay: Double = 1e-2) -> Adam {
    Adam(learningRate: learningRate, weightDecay: weightDecay)
  }

  public func step(_ parameters: [Parameter]) {
    steps += 1
    let c1 = 1 - Double.pow(beta1, Double(steps)), c2 = 1 - Double.pow(beta2, Double(steps))
    let (b1, b2, eps, lr, decay) = (beta1, beta2, epsilon, learningRate, weightDecay)
    for p in parameters where p.isTrainable {
      let id = ObjectIdentifier(p)
      let count = p.value.count
      var state = moments[id] ?? ([Double](repeating: 0, count: count), [Double](repeating: 0, count: count))
      moments[id] = nil
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
      moments[id] = state
    }
  }
}

/// RMSprop, with Keras's defaults (`rho = 0.9`, `epsilon = 1e-7`), the study's optimizer.
///
/// T. Tieleman and G. Hinton, Lecture 6.5 of "Neural networks for machine learning", 2012.
public final class RMSprop: Optimizer {
  public var learningRate: Double
  public var rho: Double
  public var epsilon: Double
  public var momentum: Double
  var averages: [ObjectIdentifier: [Double]] = [:]
  var velocity: [ObjectIdentifier: [Double]] = [:]

  public init(learningRate: Double = 1e-3, rho: Double = 0.9, epsilon: Double = 1e-7, momentum: Double = 0) {
    self.learningRate = learningRate
    self.rho = rho
    self.epsilon = epsilon
    self.momentum = momentum
  }

  public func step(_ parameters: [Parameter]) {
    let (rho, eps, lr, mu) = (rho, epsilon, learningRate, momentum)
    for p in parameters where p.isTrainable {
      let id = ObjectIdentifier(p)
      let count = p.value.count
      var average = averages[id] ?? [Double](repeating: 0, count: count)
      var v = velocity[id] ?? [Double](repeating: 0, count: mu != 0 ? count : 0)
      let g = p.gradient.elements
      p.value.withUnsafeMutableBufferPointer { w in
        for i in 0..<count {
          average[i] = rho * average[i] + (1 - rho) * g[i] * g[i]
          let update = lr * g[i] / (average[i].squareRoot() + eps)
          if mu != 0 {
            v[i] = mu * v[i] + update
            w[i] -= v[i]
          } else {
            w[i] -= update
          }
        }
      }
      averages[id] = average
      if mu != 0 { velocity[id] = v }
    }
  }
}

/// A learning rate per epoch.
public enum LearningRateSchedule: Sendable, Equatable {
  /// The base rate throughout.
  case constant
  /// The base rate times `factor` every `every` epochs.
  case step(every: Int, factor: Double)
  /// The base rate times `rate^epoch`.
  case exponential(rate: Double)
  /// Cosine annealing from the base rate to `minimum` over `epochs` epochs.
  case cosine(epochs: Int, minimum: Double)
  /// A linear warm-up over `epochs` epochs, then the base rate.
  case warmup(epochs: Int)

  /// The rate of a 0-based epoch.
  public func rate(base: Double, epoch: Int) -> Double {
    switch self {
    case .constant: return base
    case .step(let every, let factor): return base * Double.pow(factor, Double(epoch / max(every, 1)))
    case .exponential(let rate): return base * Double.pow(rate, Double(epoch))
    case .cosine(let epochs, let minimum):
      let t = min(Double(epoch) / Double(max(epochs, 1)), 1)
      return minimum + (base - minimum) * 0.5 * (1 + Double.cos(Double.pi * t))
    case .warmup(let epochs): return epoch < epochs ? base * Double(epoch + 1) / Double(epochs) : base
    }
  }
}

/// Scales every trainable gradient so that their global L2 norm is at most `maxNorm`;
/// returns the norm before clipping.
@discardableResult
public func clipGradients(_ parameters: [Parameter], maxNorm: Double) -> Double {
  var total = 0.0
  for p in parameters where p.isTrainable {
    for g in p.gradient.elements { total += g * g }
  }
  let norm = total.squareRoot()
  if norm > maxNorm && norm > 0 {
    let factor = maxNorm / norm
    for p in parameters where p.isTrainable { p.gradient *= factor }
  }
  return norm
}
