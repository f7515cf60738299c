import Foundation
import OTKitAutograd
import OTKitCore
import OTKitTransport

/// Fits a transport map `T_theta` (any module: an MLP, no convexity needed) from a source to
/// a target distribution by `min_theta Delta(T_theta # mu, nu) + lambda M_mu(T_theta)`: a
/// Sinkhorn-divergence fitting loss plus `lambda` times the entropic Monge gap on the source
/// batch (A. Uscidda and M. Cuturi, "The Monge gap: a regularizer to learn all transport
/// maps", ICML 2023; OTT-JAX's `MongeGapEstimator`). Each step maps a source batch, solves
/// the fitting divergence and the gap (envelope gradients), and takes an Adam step.
///
/// The epsilons follow OTT's tutorial: the fitting loss's is ``fittingEpsilon`` times the
/// mean squared Euclidean cost within the first target batch, the gap's ``gapEpsilon`` times
/// the mean squared Euclidean cost between the first source and target batches (whatever
/// the gap's cost), resolved once and kept for the whole fit.
public struct MongeGapEstimator: Sendable, Codable, Equatable {
  /// The gap's weight per step: `lambda` constant, or ramped linearly from `start` over
  /// `steps` steps.
  public enum Strength: Sendable, Codable, Equatable {
    case constant(Double)
    case linear(start: Double, end: Double, steps: Int)

    /// `lambda` at a 0-based step.
    public func value(at step: Int) -> Double {
      switch self {
      case .constant(let lambda): lambda
      case .linear(let start, let end, let steps): start + (end - start) * Double(Swift.min(step, steps)) / Double(Swift.max(steps, 1))
      }
    }
  }

  public var strength: Strength = .constant(1)
  /// The cost of the gap (the fitting loss always uses the squared Euclidean cost).
  public var gapCost: GroundCost = .squaredEuclidean
  public var gapEpsilon = 0.01
  public var fittingEpsilon = 0.1
  public var steps = 5_000
  public var learningRate = 1e-3
  /// Sinkhorn's tolerance and iteration limit for every solve (OTT's defaults: 1e-3, 2,000).
  public var tolerance = 1e-3
  public var maxIterations = 2_000

  public init() {}

  /// One step's figures.
  public struct Step: Sendable, Codable, Equatable {
    public var fitting: Double
    public var gap: Double
    public var loss: Double
  }

  /// The absolute epsilons of the fitting loss and of the gap.
  public struct Epsilons: Sendable, Codable, Equatable {
    public var fitting: Double
    public var gap: Double
    public init(fitting: Double, gap: Double) { (self.fitting, self.gap) = (fitting, gap) }
  }

  /// What a fit did.
  public struct History: Sendable, Codable, Equatable {
    public var steps: [Step] = []
    /// The absolute epsilons of the fitting loss and of the gap.
    public var epsilons = Epsilons(fitting: 0, gap: 0)
    public var seconds = 0.0
    /// Solves that ended without meeting the tolerance (their gradients are used anyway).
    public var unconvergedSolves = 0
    public var stoppedOnNonFiniteLoss = false
  }

  /// Fits `map`'s parameters; `apply` is the map on a batch, `batch(step)` the step's source
  /// and target samples.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for invalid batches (non-finite
  ///   points); `AutogradError` from the backward pass.
  /// - Complexity: `steps` times two to four Sinkhorn solves on `batch x batch` costs.
  public func fit(
    map: some Module, apply: (Tensor) -> Tensor, batch: (Int) -> (source: Matrix<Double>, target: Matrix<Double>), showsProgress: Bool = false
  ) throws -> History {
    var history = History()
    let optimizer = Adam(learningRate: learningRate)
    var configuration = TrainingConfiguration()
    configuration.showsProgress = showsProgress
    let steps = try Trainer(configuration).fit(map.parameters, optimizer: optimizer, steps: steps) { graph, step in
      let (source, target) = batch(step)
      if step == 0 { history.epsilons = epsilons(source: source, target: target) }
      let terms = try losses(
        apply(graph.constant(source)), source: graph.constant(source), target: graph.constant(target), epsilons: history.epsilons)
      history.unconvergedSolves += terms.unconverged
      let lambda = strength.value(at: step)
      let loss = lambda == 0 ? terms.fitting.value : terms.fitting.value + terms.gap.value * lambda
      history.steps.append(Step(fitting: terms.fitting.value.scalar, gap: terms.gap.value.scalar, loss: loss.scalar))
      return loss
    }
    (history.seconds, history.stoppedOnNonFiniteLoss) = (steps.seconds, steps.stoppedOnNonFiniteLoss)
    return history
  }

  /// The absolute epsilons of a fit from its first batches.
  ///
  /// - Complexity: `O(n^2 d)`.
  public func epsilons(source: Matrix<Double>, target: Matrix<Double>) -> Epsilons {
    Epsilons(fitting: fittingEpsilon * Self.meanCost(target, target, .squaredEuclidean), gap: gapEpsilon * Self.meanCost(source, target, .squaredEuclidean))
  }

  /// The fitting loss (OTT's `sinkdiv` with `static_b`) and the gap of a mapped batch.
  ///
  /// - Throws: as ``fit(map:apply:batch:showsProgress:)``.
  public func losses(
    _ mapped: Tensor, source: Tensor, target: Tensor, epsilons: Epsilons
  ) throws -> (fitting: TransportTerm, gap: TransportTerm, unconverged: Int) {
    let fitting = try TransportLoss.sinkhornDivergence(mapped, target, solver: solver(epsilons.fitting), staticTarget: true)
    let gap = try TransportLoss.mongeGap(source: source, mapped: mapped, cost: gapCost, solver: solver(epsilons.gap))
    return (fitting, gap, [fitting.status, gap.status].filter { $0 != .converged }.count)
  }

  func solver(_ epsilon: Double) -> Sinkhorn {
    Sinkhorn(epsilon: .absolute(Swift.max(epsilon, 1e-12)), tolerance: tolerance, maxIterations: maxIterations)
  }

  /// The mean of `c(x_i, y_j)` over all pairs.
  ///
  /// - Complexity: `O(n m d)`.
  public static func meanCost(_ x: Matrix<Double>, _ y: Matrix<Double>, _ cost: GroundCost) -> Double {
    let squared = Matrix.squaredDistances(x, y)
    return cost == .euclidean ? squared.elements.reduce(0) { $0 + $1.squareRoot() } / Double(Swift.max(squared.count, 1)) : squared.mean()
  }

}
