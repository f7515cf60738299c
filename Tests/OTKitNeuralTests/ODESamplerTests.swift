import Foundation
import OTKitCore
import Testing

@testable import OTKitNeural

@Suite("ODE samplers")
struct ODESamplerTests {
  static let x0 = Matrix<Double>([[1, -2], [0.5, 3], [-1, 0.25]])

  @Test("dx/dt = -x: Euler converges at order 1, Runge-Kutta 4 at order 4, Dormand-Prince meets its tolerance with few evaluations")
  func decay() {
    let exact = Self.x0 * Foundation.exp(-1)
    func error(_ method: ODEMethod) -> (Double, ODESolution) {
      let s = ODESampler.integrate({ _, x in x * -1 }, from: Self.x0, method: method)
      return ((s.state - exact).elements.map(abs).max()!, s)
    }
    let (e50, s50) = error(.euler(steps: 50)), (e100, _) = error(.euler(steps: 100))
    #expect(s50.evaluations == 50 && abs(e50 / e100 - 2) < 0.1)
    let (r10, r) = error(.rungeKutta4(steps: 10)), (r20, _) = error(.rungeKutta4(steps: 20))
    #expect(r.evaluations == 40 && abs(r10 / r20 - 16) < 1.5 && r20 < 1e-6)
    let (d, s) = error(.dormandPrince(relativeTolerance: 1e-9, absoluteTolerance: 1e-9, maxSteps: 1_000))
    #expect(d < 1e-8 && s.reachedEnd && s.evaluations < 200, "error \(d), \(s.evaluations) evaluations")
    let (loose, coarse) = error(.dormandPrince(relativeTolerance: 1e-3, absoluteTolerance: 1e-3, maxSteps: 1_000))
    #expect(loose < 1e-2 && coarse.evaluations < s.evaluations)
  }

  @Test("Time-dependent fields and rotations: dx/dt = t gives x0 + 1/2; a rotation by pi/2 keeps norms; a step limit is reported")
  func fields() {
    let shifted = ODESampler.integrate({ t, x in Matrix(rows: x.rows, columns: x.columns, repeating: t) }, from: Self.x0,
      method: .dormandPrince(relativeTolerance: 1e-10, absoluteTolerance: 1e-10, maxSteps: 100))
    #expect((shifted.state - (Self.x0 + 0.5)).elements.map(abs).max()! < 1e-10)
    let rotation = { (_: Double, x: Matrix<Double>) in Matrix(rows: x.rows, columns: 2) { i, k in k == 0 ? -x[i, 1] * Double.pi / 2 : x[i, 0] * Double.pi / 2 } }
    let turned = ODESampler.integrate(rotation, from: Self.x0, method: .rungeKutta4(steps: 200))
    for i in 0..<3 { #expect(abs(turned.state[i, 0] + Self.x0[i, 1]) < 1e-8 && abs(turned.state[i, 1] - Self.x0[i, 0]) < 1e-8) }
    let capped = ODESampler.integrate(rotation, from: Self.x0, method: .dormandPrince(relativeTolerance: 1e-12, absoluteTolerance: 1e-12, maxSteps: 3))
    #expect(!capped.reachedEnd && capped.steps + capped.rejectedSteps == 3)
  }
}
