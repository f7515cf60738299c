import OTKitCore
import RealModule

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
