import Foundation
import OTKitCore
import Testing

@testable import OTKitData

@Suite("Planar toy distributions")
struct PlanarDistributionTests {
  @Test("Noiseless shapes lie on their curves; rotation, scale and shift apply in that order; seeds reproduce")
  func shapes() {
    var g = SeededGenerator(seed: 1)
    let moon = PlanarDistribution(.halfMoon).sample(500, generator: &g)
    for i in 0..<500 {
      #expect(abs(moon[i, 0] * moon[i, 0] + moon[i, 1] * moon[i, 1] - 1) < 1e-12 && moon[i, 1] >= 0)
    }
    let curve = PlanarDistribution(.sCurve).sample(500, generator: &g)
    for i in 0..<500 { #expect(abs(curve[i, 0]) <= 2 + 1e-12 && abs(curve[i, 1]) <= 1 + 1e-12) }
    let gaussians = PlanarDistribution(.eightGaussians).sample(400, generator: &g)
    let angles = Set((0..<400).map { i -> Int in
      #expect(abs((gaussians[i, 0] * gaussians[i, 0] + gaussians[i, 1] * gaussians[i, 1]).squareRoot() - 5) < 1e-12)
      return Int((atan2(gaussians[i, 1], gaussians[i, 0]) / (.pi / 4)).rounded())
    })
    #expect(angles.count == 8)
    let moved = PlanarDistribution(.halfMoon, rotation: .pi / 2, scale: 2, mean: [1, -1])
    var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
    let (x, y) = (PlanarDistribution(.halfMoon).sample(50, generator: &a), moved.sample(50, generator: &b))
    for i in 0..<50 {
      #expect(abs(y[i, 0] - (1 - 2 * x[i, 1])) < 1e-12 && abs(y[i, 1] - (-1 + 2 * x[i, 0])) < 1e-12)
    }
    let normal = PlanarDistribution(.gaussian, dimension: 5).sample(20_000, generator: &g)
    #expect(normal.columns == 5 && abs(normal.columnMeans().max()!) < 0.05)
    let moons = PlanarDistribution(.moons).sample(2_000, generator: &g)
    let lower = (0..<2_000).filter { moons[$0, 1] < 0.25 && moons[$0, 0] > 1.5 }.count
    #expect(lower > 100)  // the second moon's tail
  }
}
