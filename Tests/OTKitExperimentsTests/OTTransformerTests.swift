import Foundation
import OTKitCore
import OTKitTransport
import Testing

@testable import OTKitExperiments

/// The transformer with fixed weights that solves entropic OT (seed 001,
/// `shared/specs/transformers-solve-ot.md` §7.1).
@Suite("Transformers that solve OT: the fixed-weight construction")
struct OTTransformerTests {
  static func list(_ n: Int, seed: UInt64 = 1) -> (x: Matrix<Double>, y: Matrix<Double>) {
    SortingDepthStudy.data(SortingDepthStudy.Setting(n: n), seed: seed)
  }

  @Test("The logits equal the construction's formulas: points, the sink column, the sink row", arguments: [1, 2, 3])
  func logits(dimension: Int) {
    let (lambda, gamma) = (0.1, 0.05)
    let t = OTTransformer(dimension: dimension, lambda: lambda, gamma: gamma)
    let n = 5
    var g = SeededGenerator(seed: 7)
    let x: Matrix<Double> = g.normalMatrix(rows: n, columns: dimension)
    let y: Matrix<Double> = g.normalMatrix(rows: n, columns: dimension)
    let u = (0..<n).map { _ in g.normal() }, v = (0..<n).map { _ in g.normal() }
    let (ru, rv) = (0.3, -0.7)
    var z = t.weights.prompt.tokens(x: x, y: y, sinkValue: 0.2, u: u, v: v)
    z[n, t.weights.prompt.u] = ru
    z[n, t.weights.prompt.v] = rv
    let l1 = t.logits(z, head: 1), l2 = t.logits(z, head: 2)
    func cost(_ a: Matrix<Double>, _ i: Int, _ b: Matrix<Double>, _ j: Int) -> Double {
      (0..<dimension).reduce(0) { $0 + (a[i, $1] - b[j, $1]) * (a[i, $1] - b[j, $1]) }
    }
    for i in 0..<n {
      for j in 0..<n {
        #expect(abs(l1[i, j] - ((-cost(x, i, y, j) + u[i] + v[j]) / lambda - 1)) < 1e-11)
        #expect(abs(l2[i, j] - ((-cost(y, i, x, j) + v[i] + u[j]) / lambda - 1)) < 1e-11)
      }
      #expect(abs(l1[i, n] - rv / lambda) < 1e-12)
      #expect(abs(l2[i, n] - ru / lambda) < 1e-12)
      #expect(abs(l1[n, i] - ru / lambda) < 1e-12)
      #expect(abs(l2[n, i] - rv / lambda) < 1e-12)
    }
    #expect(l1[n, n] == 0 && l2[n, n] == 0)
  }

  @Test("1,000 layers equal the dual gradient-descent recursion to 1e-12", arguments: [
    (OTTransformer.SinkMode.drift, SortingDepthStudy.SinkValue.perPoint), (.frozen, .perPoint), (.drift, .unit), (.frozen, .unit),
  ])
  func recursion(mode: OTTransformer.SinkMode, sinkValue: SortingDepthStudy.SinkValue) {
    let n = 8
    let (x, y) = Self.list(n)
    let t = OTTransformer(dimension: 1, lambda: 0.1, gamma: 0.05, sinkMode: mode)
    let a = sinkValue.value(n: n)
    let z = t.tokens(x: x, y: y, depth: 1000, sinkValue: a)
    var c = Matrix<Double>(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { c[i, j] = (x[i, 0] - y[j, 0]) * (x[i, 0] - y[j, 0]) } }
    let state = DualGradientDescent(lambda: 0.1, gamma: 0.05, sinkValue: a, sinkMode: mode).run(costs: c, steps: 1000)
    let p = t.weights.prompt
    var largest = 0.0
    for i in 0..<n {
      largest = max(largest, abs(z[i, p.u] - state.u[i]), abs(z[i, p.v] - state.v[i]))
    }
    largest = max(largest, abs(z[n, p.u] - state.sinkU), abs(z[n, p.v] - state.sinkV))
    #expect(largest < 1e-12, "largest register difference \(largest)")
    let readout = t.readout(z).readout
    let recursionReadout = DualGradientDescent(lambda: 0.1, gamma: 0.05, sinkValue: a, sinkMode: mode).readout(state, costs: c)
    #expect(SortingDepthStudy.distance(readout, recursionReadout).maxAbs < 1e-12)
    if mode == .frozen { #expect(z[n, p.u] == 0 && z[n, p.v] == 0) }
  }

  @Test("The readout reaches the row-normalized Sinkhorn plan to 1e-10 (n = 8, λ = 0.1, γ = 0.05)")
  func reachesPlan() throws {
    let (x, y) = Self.list(8)
    let (plan, _, _) = try SortingDepthStudy.references(x: x, y: y, lambda: 0.1)
    let layers = OTTransformer(dimension: 1, lambda: 0.1, gamma: 0.05).run(x: x, y: y, depth: 4000, record: [1000, 4000])
    let early = SortingDepthStudy.distance(layers[0].readout, plan).frobenius
    let late = SortingDepthStudy.distance(layers[1].readout, plan).frobenius
    #expect(late < 1e-10, "|M - P̄| = \(late) after 4000 layers")
    #expect(early > late)
    for i in 0..<8 { #expect(abs((0..<8).reduce(0) { $0 + layers[1].readout[i, $1] } - 1) < 1e-12) }
  }

  @Test("The author's six numbers: the sorted readout to three decimals")
  func authorsExample() throws {
    let example = try SortingExample.run(layers: 5000, every: 1000)
    let expected = [0.025, 0.165, 0.333, 0.500, 0.668, 0.808]
    for (value, reference) in zip(example.sortedReadout, expected) {
      #expect(abs(value - reference) < 0.0005, "\(example.sortedReadout)")
    }
  }

  @Test("One weight set for every n: the same transformer sorts lists of 4 to 64 numbers")
  func oneWeightSet() throws {
    let t = OTTransformer(dimension: 1, lambda: 0.1, gamma: 0.05, sinkMode: .drift)
    #expect(t.weights == OTTransformerWeights(dimension: 1, lambda: 0.1, gamma: 0.05))
    #expect(t.weights.w1.rows == 11 && t.weights.w1.columns == 11)
    for n in [4, 16, 64] {
      let (x, y) = Self.list(n)
      let (plan, _, _) = try SortingDepthStudy.references(x: x, y: y, lambda: 0.1)
      let layers = t.run(x: x, y: y, depth: 512, record: [8, 512], sinkValue: 1)
      #expect(SortingDepthStudy.distance(layers[1].readout, plan).frobenius < SortingDepthStudy.distance(layers[0].readout, plan).frobenius)
    }
  }

  @Test("Depth study: the error decreases with depth for every n of the default grid")
  func depthStudy() throws {
    for n in [8, 32] {
      for a in SortingDepthStudy.SinkValue.allCases {
        let curve = try SortingDepthStudy.run(SortingDepthStudy.Setting(n: n, sinkValue: a), depth: 256)
        let errors = curve.points.map(\.frobenius)
        #expect(errors.last! < errors.first!, "n \(n), a \(a): \(errors)")
        #expect(curve.floor > 0)
        #expect(curve.points.allSatisfy { $0.frobenius.isFinite && $0.rankAccuracy >= 0 && $0.rankAccuracy <= 1 })
      }
    }
  }

  @Test("The fitted slope of a power law is its exponent")
  func slope() {
    let errors = (1...200).map { 3 * pow(Double($0), -0.5) }
    #expect(abs(SortingDepthStudy.slope(errors)! + 0.5) < 1e-9)
  }
}
