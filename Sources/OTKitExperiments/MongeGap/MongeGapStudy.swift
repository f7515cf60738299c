import Foundation
import OTKitAutograd
import OTKitCore
import OTKitData
import OTKitNeural
import OTKitTransport

/// The training part of `otkit reproduce monge-gap`: MLP maps fitted with and without the
/// Monge gap (``OTKitNeural/MongeGapEstimator``) on OTT-JAX's tutorial task and on Gaussians
/// whose optimal map is known.
public enum MongeGapStudy {
  /// One fitted map on the tutorial task (moons to S-curve).
  public struct TutorialRun: Sendable, Codable, Equatable {
    /// `none`, `l2:LAMBDA` or `l2sq:LAMBDA`.
    public var arm: String
    public var seed: UInt64
    /// On the validation batches: the fitting loss (`OT(T#mu, nu) - OT(T#mu, T#mu) / 2`) and
    /// the entropic Monge gap in the arm's cost (the squared Euclidean one for `none`).
    public var fitting: Double
    public var gap: Double
    /// The last training step's fitting loss and gap (the values OTT's tutorial prints).
    public var trainingFitting: Double
    public var trainingGap: Double
    /// The exact gap (assignment) on the first validation batch.
    public var exactGap: Double
    public var seconds: Double
    public var unconvergedSolves: Int
    /// The training loss every `steps / 50` steps.
    public var losses: [Double]
    /// The first validation batch: source points and their images (for the figure).
    public var source: [[Double]]
    public var mapped: [[Double]]
  }

  /// One fitted map on the Gaussian benchmark.
  public struct BenchmarkRun: Sendable, Codable, Equatable {
    public var dimension: Int
    /// `mlp:LAMBDA`, `icnn:LAMBDA` or `entropic` (``GaussianMapBenchmark/map(named:)``).
    public var map: String
    public var lambda: Double
    public var seed: UInt64
    /// `100 E |T(x) - T*(x)|^2 / tr(Sigma)` on held-out points (percent).
    public var uvp: Double
    /// The exact Monge gap on held-out points, and the Sinkhorn divergence to held-out
    /// target points (the fit).
    public var exactGap: Double
    public var divergence: Double
    public var seconds: Double
  }

  /// The tutorial's arms: `none`, `l2:LAMBDA` (Euclidean gap), `l2sq:LAMBDA` (squared).
  public static func arm(named name: String) -> (cost: GroundCost, lambda: Double)? {
    if name == "none" { return (.squaredEuclidean, 0) }
    let parts = name.split(separator: ":")
    guard parts.count == 2, let lambda = Double(parts[1]), lambda >= 0, lambda.isFinite else { return nil }
    switch parts[0] {
    case "l2": return (.euclidean, lambda)
    case "l2sq": return (.squaredEuclidean, lambda)
    default: return nil
    }
  }

  /// OTT's tutorial: a half moon rotated by pi / 6 around (0, -0.5) to an S-curve scaled by
  /// 0.6, rotated by pi / 2, around (1, -2); noise 0.05.
  static let tutorialSource = PlanarDistribution(.halfMoon, rotation: .pi / 6, mean: [0, -0.5], noise: 0.05)
  static let tutorialTarget = PlanarDistribution(.sCurve, rotation: .pi / 2, scale: 0.6, mean: [1, -2], noise: 0.05)

  /// Fits one tutorial arm.
  static func tutorial(arm name: String, seed: UInt64, settings: MongeGapReproduction.Settings) throws -> TutorialRun {
    let (cost, lambda) = arm(named: name)!
    var estimator = settings.estimator
    (estimator.gapCost, estimator.strength, estimator.steps) = (cost, .constant(lambda), settings.tutorialSteps)
    var init_ = SeededGenerator(seed: seed)
    let map = MLP(sizes: [2] + settings.tutorialHidden + [2], activation: .gelu, initialization: settings.initialization, generator: &init_)
    var data = SeededGenerator(seed: seed &+ 1000)
    let history = try estimator.fit(map: map, apply: { map($0) }) { _ in
      (tutorialSource.sample(settings.batch, generator: &data), tutorialTarget.sample(settings.batch, generator: &data))
    }
    var validation = SeededGenerator(seed: seed &+ 2000)
    let batches = (0..<settings.validationBatches).map { _ in
      (tutorialSource.sample(settings.batch, generator: &validation), tutorialTarget.sample(settings.batch, generator: &validation))
    }
    var (fitting, gap) = (0.0, 0.0)
    let graph = Graph(recording: false)
    var first = Matrix<Double>(rows: 0, columns: 2)
    for (k, (source, target)) in batches.enumerated() {
      let mapped = map(graph.constant(source))
      if k == 0 { first = mapped.value }
      let terms = try estimator.losses(mapped, source: graph.constant(source), target: graph.constant(target), epsilons: history.epsilons)
      (fitting, gap) = (fitting + terms.fitting.value.scalar / Double(batches.count), gap + terms.gap.value.scalar / Double(batches.count))
    }
    let every = Swift.max(history.steps.count / 50, 1)
    return TutorialRun(
      arm: name, seed: seed, fitting: fitting, gap: gap, trainingFitting: history.steps.last?.fitting ?? .nan,
      trainingGap: history.steps.last?.gap ?? .nan,
      exactGap: try TransportLoss.exactMongeGap(source: batches[0].0, mapped: first, cost: cost), seconds: history.seconds,
      unconvergedSolves: history.unconvergedSolves, losses: stride(from: 0, to: history.steps.count, by: every).map { history.steps[$0].loss },
      source: rows(batches[0].0), mapped: rows(first))
  }

  static func rows(_ m: Matrix<Double>) -> [[Double]] { (0..<m.rows).map { m.row($0) } }
}
