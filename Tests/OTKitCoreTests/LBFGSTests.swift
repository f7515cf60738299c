import Testing

@testable import OTKitCore

/// L-BFGS with a strong-Wolfe line search on standard functions.
@Suite("L-BFGS")
struct LBFGSTests {
  /// The extended Rosenbrock function in `n` (even) variables; minimum 0 at all ones.
  static func rosenbrock(_ x: [Double], _ g: inout [Double]) -> Double {
    var f = 0.0
    for i in stride(from: 0, to: x.count, by: 2) {
      let (a, b) = (x[i], x[i + 1])
      let (t1, t2) = (1 - a, 10 * (b - a * a))
      f += t1 * t1 + t2 * t2
      g[i] = -2 * t1 - 40 * a * t2
      g[i + 1] = 20 * t2
    }
    return f
  }

  @Test("Rosenbrock from the standard start reaches (1, ..., 1)", arguments: [2, 10, 100])
  func rosenbrock(n: Int) {
    let start = (0..<n).map { $0 % 2 == 0 ? -1.2 : 1.0 }
    let result = LBFGS(gradientTolerance: 1e-10).minimize(start, Self.rosenbrock)
    #expect(result.status == .converged)
    #expect(result.x.allSatisfy { abs($0 - 1) < 1e-7 })
    #expect(result.value < 1e-14)
    #expect(result.iterations < 200)
  }

  @Test("A strictly convex quadratic (condition number about 80): the minimizer A⁻¹b")
  func quadratic() {
    let n = 20
    var generator = SeededGenerator(seed: 4)
    let m: Matrix<Double> = generator.normalMatrix(rows: n, columns: n)
    var a = Matrix<Double>.product(m, m, transposeA: true)
    for i in 0..<n { a[i, i] += 1 }
    let b = (0..<n).map { _ in generator.normal() }
    let result = LBFGS(memory: n, gradientTolerance: 1e-7).minimize([Double](repeating: 0, count: n)) { x, g in
      var f = 0.0
      for i in 0..<n {
        var ax = 0.0
        for j in 0..<n { ax += a[i, j] * x[j] }
        g[i] = ax - b[i]
        f += 0.5 * x[i] * ax - b[i] * x[i]
      }
      return f
    }
    #expect(result.status == .converged)
    // A x = b to the tolerance (the gradient is A x - b).
    let scale = max(1, abs(result.value))
    for i in 0..<n {
      let ax = (0..<n).reduce(0.0) { $0 + a[i, $1] * result.x[$1] }
      #expect(abs(ax - b[i]) <= 1e-7 * scale)
    }
    #expect(result.iterations < 100)
  }

  @Test("Honest endings: a non-finite start, an iteration limit, a function that is -infinity beyond a wall")
  func endings() {
    let nan = LBFGS().minimize([1]) { _, g in
      g[0] = 0
      return .nan
    }
    #expect(nan.status == .nonFinite)
    let limited = LBFGS(maxIterations: 3).minimize([-1.2, 1], Self.rosenbrock)
    #expect(limited.status == .iterationLimit && limited.iterations == 3 && limited.value.isFinite)
    // f = (x - 3)² for x < 5, NaN beyond: the line search backs off and still converges.
    let walled = LBFGS().minimize([0]) { x, g in
      guard x[0] < 5 else {
        g[0] = .nan
        return .nan
      }
      g[0] = 2 * (x[0] - 3)
      return (x[0] - 3) * (x[0] - 3)
    }
    #expect(walled.status == .converged && abs(walled.x[0] - 3) < 1e-6)
  }
}
