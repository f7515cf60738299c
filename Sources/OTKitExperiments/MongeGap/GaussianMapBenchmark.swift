import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import OTKitTransport

/// The known-map benchmark of `otkit reproduce monge-gap`: `mu = N(0, I_d)`,
/// `nu = N(m, Sigma)` with `Sigma^(1/2) = Q diag(s) Q^T` (a seeded rotation, `s` evenly
/// spaced in `[0.5, 2]`, `m` a seeded normal vector), whose optimal map for the squared
/// Euclidean cost is `T*(x) = m + Sigma^(1/2) x`. Metric: L2-UVP
/// `100 E |T(x) - T*(x)|^2 / tr(Sigma)` (Korotin et al., NeurIPS 2021).
public struct GaussianMapBenchmark: Sendable {
  public let dimension: Int
  /// `Sigma^(1/2)`, symmetric positive definite.
  public let root: Matrix<Double>
  public let mean: [Double]

  public init(dimension d: Int, seed: UInt64) {
    var g = SeededGenerator(seed: seed)
    let q = Self.rotation(d, &g)
    let spectrum = (0..<d).map { d == 1 ? 1 : 0.5 + 1.5 * Double($0) / Double(d - 1) }
    root = Matrix(rows: d, columns: d) { i, j in (0..<d).reduce(0) { $0 + q[i, $1] * spectrum[$1] * q[j, $1] } }
    mean = (0..<d).map { _ in g.normal() }
    dimension = d
  }

  /// A random orthogonal matrix (Gram-Schmidt on a normal matrix).
  static func rotation(_ d: Int, _ g: inout SeededGenerator) -> Matrix<Double> {
    var q: Matrix<Double> = g.normalMatrix(rows: d, columns: d)
    for j in 0..<d {
      for k in 0..<j {
        let dot = (0..<d).reduce(0) { $0 + q[$1, j] * q[$1, k] }
        for i in 0..<d { q[i, j] -= dot * q[i, k] }
      }
      let norm = (0..<d).reduce(0) { $0 + q[$1, j] * q[$1, j] }.squareRoot()
      for i in 0..<d { q[i, j] /= norm }
    }
    return q
  }

  /// `count` source points.
  public func source(_ count: Int, _ g: inout SeededGenerator) -> Matrix<Double> { g.normalMatrix(rows: count, columns: dimension) }

  /// The optimal map of each row.
  public func optimal(_ x: Matrix<Double>) -> Matrix<Double> {
    let mapped = Matrix.product(x, root)  // root is symmetric
    return Matrix(rows: x.rows, columns: dimension) { i, k in mapped[i, k] + mean[k] }
  }

  /// `count` target points (the optimal map of fresh source points).
  public func target(_ count: Int, _ g: inout SeededGenerator) -> Matrix<Double> { optimal(source(count, &g)) }

  /// `tr(Sigma) = |Sigma^(1/2)|_F^2`.
  public var traceSigma: Double { root.elements.reduce(0) { $0 + $1 * $1 } }

  /// L2-UVP of the images `mapped` of `x` (percent).
  public func uvp(_ x: Matrix<Double>, mapped: Matrix<Double>) -> Double {
    let exact = optimal(x)
    let squared = zip(mapped.elements, exact.elements).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return 100 * squared / Double(x.rows) / traceSigma
  }

  /// A map of the benchmark by name: `mlp:LAMBDA` or `icnn:LAMBDA` (fitted by the Monge gap
  /// estimator with the gap at `LAMBDA`; the ICNN's map is the gradient of a convex
  /// function), `entropic` (the entropic map of a Sinkhorn solve between samples), or
  /// `optimal` (`T*` itself: its divergence to `nu` is the held-out samples' floor).
  public static func map(named name: String) -> (kind: String, lambda: Double)? {
    if name == "entropic" || name == "optimal" { return (name, 0) }
    let parts = name.split(separator: ":")
    guard parts.count == 2, ["mlp", "icnn"].contains(String(parts[0])), let lambda = Double(parts[1]), lambda >= 0, lambda.isFinite else { return nil }
    return (String(parts[0]), lambda)
  }

  /// Fits one map and measures it on held-out points.
  ///
  /// - Throws: as ``OTKitNeural/MongeGapEstimator/fit(map:apply:batch:showsProgress:)``.
  func run(map name: String, seed: UInt64, settings: MongeGapReproduction.Settings) throws -> MongeGapStudy.BenchmarkRun {
    let (kind, lambda) = Self.map(named: name)!
    var data = SeededGenerator(seed: seed &+ 1000)
    let start = DispatchTime.now().uptimeNanoseconds
    let apply: (Matrix<Double>) -> Matrix<Double>
    if kind == "optimal" {
      apply = { self.optimal($0) }
    } else if kind == "entropic" {
      let (x, y) = (source(settings.entropicSamples, &data), target(settings.entropicSamples, &data))
      let solver = Sinkhorn(epsilon: .relative(settings.entropicEpsilon, to: .mean), tolerance: 1e-6, maxIterations: 20_000)
      let solution = solver.solve(try TransportProblem(source: x, target: y))
      apply = { solution.transport($0, target: y) }
    } else {
      var estimator = settings.estimator
      (estimator.strength, estimator.steps) = (.constant(lambda), settings.benchmarkSteps)
      var init_ = SeededGenerator(seed: seed)
      let batch: (Int) -> (Matrix<Double>, Matrix<Double>) = { _ in (self.source(settings.benchmarkBatch, &data), self.target(settings.benchmarkBatch, &data)) }
      if kind == "icnn" {
        let icnn = InputConvexNetwork(dimension: dimension, widths: settings.benchmarkHidden, generator: &init_)
        _ = try estimator.fit(map: icnn, apply: { icnn.gradientMap($0) }, batch: batch)
        apply = { icnn.gradientMap(Graph(recording: false).constant($0)).value }
      } else {
        let mlp = MLP(sizes: [dimension] + settings.benchmarkHidden + [dimension], activation: .gelu, generator: &init_)
        _ = try estimator.fit(map: mlp, apply: { mlp($0) }, batch: batch)
        apply = { mlp(Graph(recording: false).constant($0)).value }
      }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return try measure(apply, name: name, lambda: lambda, seed: seed, seconds: seconds, settings: settings)
  }

  /// L2-UVP, the exact gap and the divergence to `nu` of a fitted map on held-out points.
  func measure(
    _ apply: (Matrix<Double>) -> Matrix<Double>, name: String, lambda: Double, seed: UInt64, seconds: Double, settings: MongeGapReproduction.Settings
  ) throws -> MongeGapStudy.BenchmarkRun {
    var held = SeededGenerator(seed: seed &+ 3000)
    let x = source(settings.heldOut, &held)
    let mapped = apply(x)
    let graph = Graph(recording: false)
    let divergence = try TransportLoss.sinkhornDivergence(
      graph.constant(mapped), graph.constant(target(settings.heldOut, &held)),
      solver: Sinkhorn(epsilon: .relative(0.05, to: .mean), tolerance: 1e-6, maxIterations: 10_000))
    return MongeGapStudy.BenchmarkRun(
      dimension: dimension, map: name, lambda: lambda, seed: seed, uvp: uvp(x, mapped: mapped),
      exactGap: try TransportLoss.exactMongeGap(source: x, mapped: mapped), divergence: divergence.value.scalar, seconds: seconds)
  }
}
