import Foundation
import OTKitCore
import Testing

@testable import OTKitAutograd
@testable import OTKitNeural

@Suite("Flow matching")
struct FlowMatchingTests {
  @Test("Couplings: independent pairs as given, W-CFM's Gibbs weights, exact and Sinkhorn pairs on the plan's support")
  func couplings() throws {
    var g = SeededGenerator(seed: 1)
    let x: Matrix<Double> = g.normalMatrix(rows: 12, columns: 2) * 10
    let permutation = Array((0..<12).reversed())
    let y = Matrix<Double>(rows: 12, columns: 2) { i, k in x[permutation[i], k] + 0.01 }
    let independent = try FlowMatching().pairs(source: x, target: y, generator: &g)
    #expect(independent.x == x && independent.y == y && independent.weights == nil)
    let weighted = try FlowMatching(coupling: .weighted(epsilon: 2)).pairs(source: x, target: y, generator: &g)
    let distance = (0..<2).reduce(0) { $0 + (x[3, $1] - y[3, $1]) * (x[3, $1] - y[3, $1]) }.squareRoot()
    #expect(abs(weighted.weights![3] - Foundation.exp(-distance / 2)) < 1e-15)
    for coupling in [FlowMatching.Coupling.exact, .sinkhorn(epsilon: 0.01)] {
      let paired = try FlowMatching(coupling: coupling).pairs(source: x, target: y, generator: &g)
      // The optimal plan pairs every point with its shifted copy: y - x = 0.01 on every pair.
      #expect((paired.y - paired.x).elements.allSatisfy { abs($0 - 0.01) < 1e-9 }, "\(coupling)")
    }
    // A plan of zeros falls back to uniform pairs.
    let uniform = FlowMatching.sample(Matrix(rows: 3, columns: 3), count: 900, generator: &g)
    #expect(Set(uniform.map { $0.0 * 3 + $0.1 }).count == 9)
  }

  @Test("The loss: zero for the exact field of a constant displacement without noise; W-CFM's two estimators")
  func loss() {
    var g = SeededGenerator(seed: 2)
    let x: Matrix<Double> = g.normalMatrix(rows: 6, columns: 2)
    let y = x + 1.5
    let graph = Graph()
    let constant = { (input: Tensor) in input.graph.constant(Matrix(rows: input.rows, columns: 2, repeating: 1.5)) }
    #expect(FlowMatching(sigma: 0).loss(field: constant, x: x, y: y, weights: nil, graph: graph, generator: &g).scalar < 1e-28)
    let zero = { (input: Tensor) in input.graph.constant(Matrix(rows: input.rows, columns: 2)) }
    let w = [1.0, 0.5, 0.25, 2, 1, 0.25]
    var matching = FlowMatching(sigma: 0)
    let mean = matching.loss(field: zero, x: x, y: y, weights: w, graph: graph, generator: &g).scalar
    #expect(abs(mean - w.reduce(0, +) * 4.5 / 6) < 1e-12)
    matching.selfNormalized = true
    #expect(abs(matching.loss(field: zero, x: x, y: y, weights: w, graph: graph, generator: &g).scalar - 4.5) < 1e-12)
  }

  @Test("Training: an OT-CFM field carries N(0, I) to a shifted Gaussian; its samples' W2 is small and its paths nearly straight; ESS of a flat tilt is 1")
  func training() throws {
    var g = SeededGenerator(seed: 3)
    let field = MLP(sizes: [3, 32, 32, 2], activation: .gelu, generator: &g)
    var data = SeededGenerator(seed: 4)
    let shift = Matrix<Double>([[3, -1]])
    let matching = FlowMatching(coupling: .exact, sigma: 0.01)
    let history = try matching.fit(field: field, apply: { field($0) }, steps: 300, learningRate: 1e-2) { _ in
      let x: Matrix<Double> = data.normalMatrix(rows: 64, columns: 2)
      let z: Matrix<Double> = data.normalMatrix(rows: 64, columns: 2)
      return (x, z + shift)
    }
    #expect(history.steps == 300 && !history.stoppedOnNonFiniteLoss)
    let x0: Matrix<Double> = data.normalMatrix(rows: 200, columns: 2)
    let target: Matrix<Double> = data.normalMatrix(rows: 200, columns: 2) + shift
    let flow = FlowMatching.sample({ field($0) }, from: x0, method: .rungeKutta4(steps: 20))
    let w2 = try FlowMatching.wasserstein2(flow.samples, target)
    let reference = try FlowMatching.wasserstein2(x0, target)
    #expect(w2 < 0.5 && reference > 2.5, "W2 \(w2), from the source \(reference)")
    #expect(FlowMatching.normalizedPathEnergy(flow.pathEnergy, w2: reference) < 0.2, "energy \(flow.pathEnergy), W2^2 \(reference * reference)")
    #expect(flow.solution.evaluations == 80)
    #expect(abs(FlowMatching.effectiveSampleSize(x0, target, epsilon: 1e6) - 1) < 1e-9)
    #expect(FlowMatching.effectiveSampleSize(x0, target, epsilon: 0.05) < 0.9)
  }
}
