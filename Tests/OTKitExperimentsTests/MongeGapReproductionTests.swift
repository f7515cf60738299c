import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import Testing

@testable import OTKitExperiments

@Suite("otkit reproduce monge-gap")
struct MongeGapReproductionTests {
  @Test("Quick settings: every arm fits, the figures are finite, exact gaps non-negative, the report has the tables")
  func quick() throws {
    let reproduction = MongeGapReproduction(settings: .quick)
    let result = try reproduction.run(progress: .silent)
    let settings = MongeGapReproduction.Settings.quick
    #expect(result.tutorial.count == settings.arms.count && result.benchmark.count == settings.dimensions.count * settings.maps.count)
    for run in result.tutorial {
      #expect(run.fitting.isFinite && run.gap.isFinite && run.exactGap >= -1e-9 && run.mapped.count == settings.batch)
    }
    for run in result.benchmark { #expect(run.uvp.isFinite && run.uvp > 0 && run.exactGap >= -1e-9 && run.divergence.isFinite) }
    let text = reproduction.report(result).text()
    #expect(text.contains("L2-UVP") && text.contains("l2sq:0.1"))
  }

  @Test("Arms, options and the known map")
  func options() throws {
    #expect(MongeGapStudy.arm(named: "l2:2")! == (.euclidean, 2) && MongeGapStudy.arm(named: "none")!.lambda == 0)
    #expect(MongeGapStudy.arm(named: "l1:2") == nil && MongeGapStudy.arm(named: "l2:-1") == nil)
    var settings = MongeGapReproduction.Settings()
    try settings.set("maps", to: "mlp:0,icnn:0.5,entropic")
    #expect(settings.maps == ["mlp:0", "icnn:0.5", "entropic"] && GaussianMapBenchmark.map(named: "icnn:0.5")! == ("icnn", 0.5))
    #expect(throws: ReproductionError.self) { try settings.set("maps", to: "mlp:-1") }
    #expect(throws: ReproductionError.self) { try settings.set("arms", to: "none,bogus") }
    #expect(throws: ReproductionError.self) { try settings.set("dimensions", to: "0") }
    // The optimal map itself has L2-UVP 0 and an exact Monge gap of 0.
    let benchmark = GaussianMapBenchmark(dimension: 3, seed: 4)
    var g = SeededGenerator(seed: 5)
    let x = benchmark.source(64, &g)
    #expect(benchmark.uvp(x, mapped: benchmark.optimal(x)) == 0)
    #expect(abs(try TransportLoss.exactMongeGap(source: x, mapped: benchmark.optimal(x))) < 1e-9)
    let root = benchmark.root
    #expect((root - root.transposed()).elements.map(abs).max()! < 1e-12)
    #expect(abs(benchmark.traceSigma - (0..<3).reduce(0) { $0 + Matrix.product(root, root)[$1, $1] }) < 1e-12)
  }

  @Test("The estimator on a linear map between Gaussians: the loss falls, and with the gap the map is the optimal one (L2-UVP below 2%)")
  func linearMap() throws {
    let benchmark = GaussianMapBenchmark(dimension: 2, seed: 7)
    var g = SeededGenerator(seed: 8)
    let map = Linear(inputs: 2, outputs: 2, generator: &g)
    var estimator = MongeGapEstimator()
    (estimator.steps, estimator.learningRate, estimator.strength) = (200, 3e-2, .linear(start: 0, end: 1, steps: 100))
    #expect(estimator.strength.value(at: 50) == 0.5 && estimator.strength.value(at: 500) == 1)
    var data = SeededGenerator(seed: 9)
    let history = try estimator.fit(map: map, apply: { map($0) }) { _ in (benchmark.source(48, &data), benchmark.target(48, &data)) }
    #expect(history.steps.count == 200 && !history.stoppedOnNonFiniteLoss)
    let early = history.steps.prefix(20).map(\.fitting).reduce(0, +), late = history.steps.suffix(20).map(\.fitting).reduce(0, +)
    #expect(late < early / 2)
    let x = benchmark.source(512, &data)
    let uvp = benchmark.uvp(x, mapped: map(Graph(recording: false).constant(x)).value)
    #expect(uvp < 2, "L2-UVP \(uvp)")
  }
}
