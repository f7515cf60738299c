import Foundation
import OTKitCore
import Testing

@testable import OTKitAutograd
@testable import OTKitNeural

@Suite("Input-convex networks")
struct InputConvexNetworkTests {
  @Test("The gradient map is the tape's gradient of f; f is convex along lines; the map's parameter gradients agree with finite differences")
  func gradientMap() throws {
    var g = SeededGenerator(seed: 3)
    let icnn = InputConvexNetwork(dimension: 3, widths: [8, 6, 5], generator: &g)
    let x: Matrix<Double> = g.normalMatrix(rows: 7, columns: 3)
    let graph = Graph()
    let variable = graph.variable(x)
    try graph.backward(icnn(variable).sum())
    let map = icnn.gradientMap(Graph(recording: false).constant(x)).value
    #expect((map - graph.gradient(of: variable)!).elements.map(abs).max()! < 1e-12)
    // Convex along random lines: second differences are non-negative (at least 1 * h^2: |x|^2 / 2).
    let constants = Graph(recording: false)
    for _ in 0..<20 {
      let (p, d): (Matrix<Double>, Matrix<Double>) = (g.normalMatrix(rows: 1, columns: 3), g.normalMatrix(rows: 1, columns: 3))
      let h = 0.1
      let f = [-h, 0, h].map { t in icnn(constants.constant(p + d * t)).scalar }
      let norm = d.elements.reduce(0) { $0 + $1 * $1 }
      #expect(f[0] - 2 * f[1] + f[2] >= norm * h * h * (1 - 1e-6))
    }
    #expect(try parameterGradientError(icnn, input: x) { icnn.gradientMap($0) } < 1e-6)
    #expect(try gradientError(inputs: [x]) { icnn.gradientMap($0[0]) } < 1e-6)
  }
}
