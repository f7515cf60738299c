import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitNeural

@Suite("Mixture of experts")
struct MixtureOfExpertsTests {
  @Test("With one expert the layer is that expert, bit for bit")
  func oneExpert() {
    var g = SeededGenerator(seed: 1)
    let layer = MixtureOfExperts(dimension: 4, experts: 1, hidden: [8], topK: 1, generator: &g)
    let x: Matrix<Double> = g.normalMatrix(rows: 10, columns: 4)
    let graph = Graph(recording: false)
    let routed = layer(graph.constant(x))
    #expect(routed.output.value == layer.experts[0](graph.constant(x)).value)
    #expect(routed.loads == [10] && routed.dropped == 0 && routed.balanceLoss.scalar == 1)
  }

  @Test("Capacity: no expert takes more, first choices are served before second ones, every choice is kept or counted dropped")
  func capacity() {
    var g = SeededGenerator(seed: 2)
    var p: Matrix<Double> = g.uniformMatrix(rows: 30, columns: 4, in: 0..<1)
    for i in 0..<10 { p[i, 0] = 5 }  // ten tokens whose first choice is expert 0
    let (tokens, dropped) = MixtureOfExperts.assign(choices: MixtureOfExperts.choices(probabilities: p, topK: 2), experts: 4, capacity: 8)
    #expect(tokens.allSatisfy { $0.count <= 8 } && tokens.map(\.count).reduce(0, +) + dropped == 60)
    #expect(Array(tokens[0].prefix(8)) == Array(0..<8), "the first eight first choices of expert 0 fill it")
    #expect(Set(tokens.flatMap { $0 }).count <= 30)
  }

  @Test("Gradients of the output, the balance loss and the z-loss agree with central differences")
  func gradients() throws {
    var g = SeededGenerator(seed: 3)
    let layer = MixtureOfExperts(dimension: 3, experts: 4, hidden: [5], topK: 2, capacityFactor: 2, generator: &g)
    let x: Matrix<Double> = g.normalMatrix(rows: 6, columns: 3)
    let error = try gradientError(inputs: [x]) { inputs in
      let routed = layer(inputs[0])
      return routed.output.sum() + routed.balanceLoss * 0.5 + routed.zLoss * 0.1
    }
    #expect(error < 1e-6, "\(error)")
    let parameters = try parameterGradientError(layer, input: x) { input in
      let routed = layer(input)
      return routed.output.square().sum() + routed.balanceLoss + routed.zLoss
    }
    #expect(parameters < 1e-6, "\(parameters)")
  }
}
