import Foundation
import OTKitAutograd
import OTKitCore
import OTKitTransport

/// Conditional flow matching: a velocity field `v(t, x)` regressed onto the straight-path
/// velocity `y - x` at `x_t = (1 - t) x + t y + sigma z`, over pairs `(x, y)` from a
/// coupling of the source and target batches (Y. Lipman et al., "Flow matching for
/// generative modeling", ICLR 2023; A. Tong et al., "Improving and generalizing flow-based
/// generative models with minibatch optimal transport", TMLR 2024; torchcfm). The couplings:
/// independent pairs (I-CFM), pairs resampled in proportion to the batch's exact or Sinkhorn
/// plan on squared distances (OT-CFM), and independent pairs weighted by `exp(-|x - y| / eps)`
/// with no solve (W-CFM: J. Calvo-Ordoñez et al., arXiv 2507.22270).
public struct FlowMatching: Sendable, Codable, Equatable {
  public enum Coupling: Sendable, Codable, Equatable {
    case independent
    /// The minibatch's exact plan (squared Euclidean cost).
    case exact
    /// The minibatch's entropic plan at an absolute `epsilon` on squared distances
    /// (torchcfm's `sinkhorn`, reg 0.05, unnormalized costs).
    case sinkhorn(epsilon: Double)
    /// Gibbs weights `exp(-|x - y| / epsilon)` on independent pairs (W-CFM).
    case weighted(epsilon: Double)
  }

  public var coupling: Coupling = .independent
  /// The noise of the probability path (torchcfm's default 0.1).
  public var sigma = 0.1
  /// W-CFM's estimator: `sum w l / sum w` (self-normalized) instead of `(1/B) sum w l`.
  public var selfNormalized = false

  public init(coupling: Coupling = .independent, sigma: Double = 0.1) { (self.coupling, self.sigma) = (coupling, sigma) }

  /// The batch's pairs: the rows of `x` and `y`, and W-CFM's weights.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for non-finite points.
  /// - Complexity: independent and weighted `O(B d)`; exact the network simplex on `B x B`;
  ///   Sinkhorn its solve.
  public func pairs(source: Matrix<Double>, target: Matrix<Double>, generator: inout SeededGenerator) throws
    -> (x: Matrix<Double>, y: Matrix<Double>, weights: [Double]?)
  {
    switch coupling {
    case .independent:
      return (source, target, nil)
    case .weighted(let epsilon):
      let w = (0..<source.rows).map { i in
        Foundation.exp(-(0..<source.columns).reduce(0) { $0 + (source[i, $1] - target[i, $1]) * (source[i, $1] - target[i, $1]) }.squareRoot() / epsilon)
      }
      return (source, target, w)
    case .exact, .sinkhorn:
      let problem = try TransportProblem(source: source, target: target)
      let plan: Matrix<Double>
      if case .sinkhorn(let epsilon) = coupling {
        plan = Sinkhorn(epsilon: .absolute(epsilon), tolerance: 1e-6, maxIterations: 10_000).solve(problem).densePlan()
      } else {
        plan = try OT.solve(problem, method: .exact).densePlan()
      }
      let picks = Self.sample(plan, count: source.rows, generator: &generator)
      return (source.rows(at: picks.map(\.0)), target.rows(at: picks.map(\.1)), nil)
    }
  }

  /// `count` index pairs drawn with replacement in proportion to the plan's entries
  /// (uniform pairs when the plan sums to about 0, as torchcfm falls back).
  static func sample(_ plan: Matrix<Double>, count: Int, generator: inout SeededGenerator) -> [(Int, Int)] {
    let total = plan.elements.reduce(0, +)
    var cumulative = [Double](), running = 0.0
    cumulative.reserveCapacity(plan.count)
    for p in plan.elements { running += total > 1e-12 ? Swift.max(p, 0) : 1; cumulative.append(running) }
    return (0..<count).map { _ in
      let u = generator.uniform() * running
      var (lo, hi) = (0, cumulative.count - 1)
      while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] <= u { lo = mid + 1 } else { hi = mid }
      }
      return (lo / plan.columns, lo % plan.columns)
    }
  }

  /// The flow-matching loss of a velocity field on paired points: the (weighted) mean over
  /// the batch of `|v(t, x_t) - (y - x)|^2`, `t ~ U[0, 1]` per pair. `field` takes the rows
  /// `[x_t, t]` (`B x (d + 1)`).
  public func loss(
    field: (Tensor) -> Tensor, x: Matrix<Double>, y: Matrix<Double>, weights: [Double]?, graph: Graph, generator: inout SeededGenerator
  ) -> Tensor {
    let (b, d) = (x.rows, x.columns)
    let t = (0..<b).map { _ in generator.uniform() }
    let input = Matrix<Double>(rows: b, columns: d + 1) { i, k in
      k == d ? t[i] : (1 - t[i]) * x[i, k] + t[i] * y[i, k] + sigma * generator.normal()
    }
    let residual = field(graph.constant(input)) - graph.constant(y - x)
    let perPair = (residual * residual).sum(.columns)
    guard let weights else { return perPair.mean() }
    let scale = selfNormalized ? 1 / Swift.max(weights.reduce(0, +), .leastNormalMagnitude) : 1 / Double(b)
    return (perPair * graph.constant(Matrix(column: weights))).sum() * scale
  }
}
