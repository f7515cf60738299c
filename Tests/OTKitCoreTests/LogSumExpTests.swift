import Foundation
import Testing
@testable import OTKitCore

@Suite("Log-sum-exp")
struct LogSumExpTests {
  static let shapes: [(Int, Int)] = [(0, 0), (0, 3), (3, 0), (1, 1), (1, 9), (9, 1), (7, 13), (64, 65), (130, 37)]

  @Test("Row and column LSE agree with the naive form", arguments: shapes)
  func plain(shape: (Int, Int)) {
    var rng = SeededGenerator(seed: 11)
    // Large magnitudes: a naive exp would overflow.
    let a: Matrix<Double> = rng.normalMatrix(rows: shape.0, columns: shape.1, mean: 500, standardDeviation: 300)
    let rows = a.rowLogSumExp()
    let columns = a.columnLogSumExp()
    #expect(rows.count == shape.0 && columns.count == shape.1)
    for i in 0..<shape.0 {
      #expect(isClose(rows[i], Reference.logSumExp(a.row(i))))
    }
    for j in 0..<shape.1 {
      #expect(isClose(columns[j], Reference.logSumExp(a.column(j))))
    }
  }

  @Test("Fused Sinkhorn forms agree with the naive form", arguments: shapes)
  func fused(shape: (Int, Int)) {
    let (n, m) = shape
    var rng = SeededGenerator(seed: 12)
    let c: Matrix<Double> = rng.uniformMatrix(rows: n, columns: m, in: 0..<10)
    let g = (0..<m).map { _ in rng.normal() }
    let f = (0..<n).map { _ in rng.normal() }
    let eps = 0.01
    let r = Kernels.rowLogSumExp(c, scale: -1 / eps, columnOffsets: g.map { $0 / eps })
    let s = Kernels.columnLogSumExp(c, scale: -1 / eps, rowOffsets: f.map { $0 / eps })
    for i in 0..<n {
      let expected = Reference.logSumExp((0..<m).map { (g[$0] - c[i, $0]) / eps })
      #expect(isClose(r[i], expected))
    }
    for j in 0..<m {
      let expected = Reference.logSumExp((0..<n).map { (f[$0] - c[$0, j]) / eps })
      #expect(isClose(s[j], expected))
    }
  }

  @Test("Infinite and NaN entries are handled, not turned into NaN")
  func nonFinite() {
    let a = Matrix<Double>([
      [-.infinity, -.infinity, -.infinity],
      [0, -.infinity, 0],
      [1, .infinity, 2],
      [1, .nan, 2],
    ])
    let rows = a.rowLogSumExp()
    #expect(rows[0] == -.infinity)
    #expect(isClose(rows[1], Foundation.log(2)))
    #expect(rows[2] == .infinity)
    #expect(rows[3].isNaN)
    let columns = a.transposed().columnLogSumExp()
    #expect(columns[0] == -.infinity)
    #expect(isClose(columns[1], Foundation.log(2)))
    #expect(columns[2] == .infinity)
    #expect(columns[3].isNaN)
  }

  @Test("Float LSE is accurate to Float round-off")
  func float() {
    var rng = SeededGenerator(seed: 5)
    let a: Matrix<Float> = rng.normalMatrix(rows: 33, columns: 70, mean: 0, standardDeviation: 20)
    let rows = a.rowLogSumExp()
    let columns = a.columnLogSumExp()
    for i in 0..<33 {
      let expected = Reference.logSumExp(a.row(i).map(Double.init))
      #expect(abs(Double(rows[i]) - expected) <= 1e-5 * max(1, abs(expected)))
    }
    for j in 0..<70 {
      let expected = Reference.logSumExp(a.column(j).map(Double.init))
      #expect(abs(Double(columns[j]) - expected) <= 1e-5 * max(1, abs(expected)))
    }
  }

  @Test("Parallel column LSE merges workers exactly", arguments: [1, 2, 3])
  func threads(count: Int) {
    // Scoped to this test's task: a process-wide count would change the partitions of
    // the tests that run beside it (ConcurrencyTests compares results bit for bit).
    Parallel.withThreads(count) {
      #expect(Parallel.threads == count)
      var rng = SeededGenerator(seed: 8)
      let a: Matrix<Double> = rng.normalMatrix(rows: 3001, columns: 20, mean: 0, standardDeviation: 50)
      let columns = a.columnLogSumExp()
      for j in 0..<20 { #expect(isClose(columns[j], Reference.logSumExp(a.column(j)))) }
    }
  }
}

func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
  if a == b { return true }
  return abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}
