import Foundation
import OTKitAutograd
import OTKitCore
import OTKitData
import OTKitNeural

/// The training part of `otkit reproduce flow`: one velocity field per task and arm, its
/// samples by Dormand-Prince, and torchcfm's metrics.
public enum FlowStudy {
  /// One trained field.
  public struct Run: Sendable, Codable, Equatable {
    public var task: String
    /// `icfm@B`, `otcfm@B`, `wcfm:KAPPA@B` (``arm(named:)``).
    public var arm: String
    public var seed: UInt64
    /// `W2` between the field's samples (Dormand-Prince, tolerance 1e-4) and held-out targets.
    public var w2: Double
    /// The normalized path energy `|E - W2(mu, nu)^2| / W2(mu, nu)^2`.
    public var npe: Double
    /// Dormand-Prince's evaluations of the field.
    public var nfe: Int
    /// The fewest Euler steps (of 1, 2, 4, ..., 128) whose samples' W2 is within 10% of
    /// Dormand-Prince's (`nil`: none).
    public var eulerSteps: Int?
    /// W-CFM's tilt diagnostic on the source side (`nil` for the other arms).
    public var ess: Double?
    public var seconds: Double
    /// The first 300 samples (for the figure).
    public var samples: [[Double]]
  }

  /// An arm by name: the coupling's kind, W-CFM's `kappa` (epsilon = kappa x the median
  /// distance of independent pairs) and the batch size.
  public static func arm(named name: String) -> (kind: String, kappa: Double, batch: Int)? {
    let parts = name.split(separator: "@")
    guard parts.count == 2, let batch = Int(parts[1]), (2...4096).contains(batch) else { return nil }
    if parts[0] == "icfm" || parts[0] == "otcfm" { return (String(parts[0]), 0, batch) }
    guard parts[0].hasPrefix("wcfm:"), let kappa = Double(parts[0].dropFirst(5)), kappa > 0, kappa.isFinite else { return nil }
    return ("wcfm", kappa, batch)
  }

  /// torchcfm's 2-D tasks: `8gaussians` (radius 5, covariance sqrt(0.1) I, as torchcfm
  /// passes it) or `gaussian` (N(0, I)) to torchdyn's moons (noise 0.2, times 3, minus 1).
  public static func source(_ task: String) -> PlanarDistribution? {
    switch task {
    case "8gaussians": PlanarDistribution(.eightGaussians, noise: Foundation.pow(0.1, 0.25))
    case "gaussian": PlanarDistribution(.gaussian)
    default: nil
    }
  }

  static let moons = PlanarDistribution(.moons, scale: 3, mean: [-1, -1], noise: 0.2)

  /// Trains and measures one arm.
  static func run(task: String, arm name: String, seed: UInt64, settings: FlowReproduction.Settings) throws -> Run {
    let (kind, kappa, batch) = arm(named: name)!
    let mu = source(task)!
    var data = SeededGenerator(seed: seed &+ 1000)
    let median = medianDistance(mu.sample(512, generator: &data), moons.sample(512, generator: &data))
    var matching = FlowMatching(sigma: settings.sigma)
    matching.coupling = kind == "icfm" ? .independent : kind == "otcfm" ? .exact : .weighted(epsilon: kappa * median)
    var initial = SeededGenerator(seed: seed)
    let field = MLP(sizes: [3] + settings.hidden + [2], activation: .gelu, generator: &initial)
    let history = try matching.fit(field: field, apply: { field($0) }, steps: settings.steps, learningRate: settings.learningRate, seed: seed) { _ in
      (mu.sample(batch, generator: &data), moons.sample(batch, generator: &data))
    }
    var held = SeededGenerator(seed: seed &+ 2000)
    let (x0, target) = (mu.sample(settings.samples, generator: &held), moons.sample(settings.samples, generator: &held))
    let flow = FlowMatching.sample({ field($0) }, from: x0, method: .dormandPrince(relativeTolerance: 1e-4, absoluteTolerance: 1e-4, maxSteps: 10_000))
    let w2 = try FlowMatching.wasserstein2(flow.samples, target)
    let reference = try FlowMatching.wasserstein2(x0, target)
    var eulerSteps: Int?
    for steps in [1, 2, 4, 8, 16, 32, 64, 128] where eulerSteps == nil {
      let euler = FlowMatching.sample({ field($0) }, from: x0, method: .euler(steps: steps))
      if try FlowMatching.wasserstein2(euler.samples, target) <= 1.1 * w2 { eulerSteps = steps }
    }
    let shown = Swift.min(300, flow.samples.rows)
    return Run(
      task: task, arm: name, seed: seed, w2: w2, npe: FlowMatching.normalizedPathEnergy(flow.pathEnergy, w2: reference),
      nfe: flow.solution.evaluations, eulerSteps: eulerSteps,
      ess: kind == "wcfm" ? FlowMatching.effectiveSampleSize(x0, target, epsilon: kappa * median) : nil, seconds: history.seconds,
      samples: (0..<shown).map { flow.samples.row($0) })
  }

  /// The median of `|x_i - y_i|` over independent pairs.
  static func medianDistance(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Double {
    let d = (0..<x.rows).map { i in (0..<x.columns).reduce(0) { $0 + (x[i, $1] - y[i, $1]) * (x[i, $1] - y[i, $1]) }.squareRoot() }.sorted()
    return d[d.count / 2]
  }
}
