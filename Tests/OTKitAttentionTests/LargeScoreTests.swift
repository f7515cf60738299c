import Foundation
import OTKitCore
import Testing

@testable import OTKitAttention

/// The sparse anchors on scores of any magnitude: shifted by the row's maximum, they give
/// the exact projection (rows on the simplex), where an unshifted cumulative sum of scores
/// of 1e16 would lose the 1 it is compared with.
@Suite("Sparse anchors on huge and tiny scores")
struct LargeScoreTests {
  static func rows(scale: Double) -> Matrix<Double> {
    Matrix(rows: 3, columns: 4, elements: [3, 1, -2, 0.5, 1, 1, 0, -1, 7, 7, 7, 6].map { $0 * scale })
  }

  static func checkSimplex(_ w: Matrix<Double>) {
    for i in 0..<w.rows {
      let row = (0..<w.columns).map { w[i, $0] }
      #expect(row.allSatisfy { $0.isFinite && $0 >= 0 }, "row \(i): \(row)")
      #expect(abs(row.reduce(0, +) - 1) <= 1e-12, "row \(i) sums to \(row.reduce(0, +))")
    }
  }

  @Test("sparsemax, entmax 1.5 and bisection entmax stay on the simplex", arguments: [1e16, 1e100, 1e300, 1, 1e-300])
  func simplex(scale: Double) {
    let s = Self.rows(scale: scale)
    Self.checkSimplex(Entmax.sparsemax(s))
    Self.checkSimplex(Entmax.exact15(s))
    Self.checkSimplex(Entmax.bisection(s, alpha: 1.3))
  }

  @Test("Huge gaps: the top entries share the mass exactly")
  func hugeGaps() {
    let w = Entmax.sparsemax(Self.rows(scale: 1e16))
    #expect(w[0, 0] == 1)
    #expect(w[1, 0] == 0.5 && w[1, 1] == 0.5)
    #expect(abs(w[2, 0] - 1.0 / 3) < 1e-15 && w[2, 3] == 0)
  }

  @Test("Shifting leaves ordinary scores' weights unchanged to round-off")
  func ordinary() {
    let s = Self.rows(scale: 0.3)
    let shifted = Entmax.sparsemax(s + Matrix(rows: 3, columns: 4, repeating: 1000))
    let plain = Entmax.sparsemax(s)
    for (a, b) in zip(shifted.elements, plain.elements) { #expect(abs(a - b) < 1e-12) }
  }

  @Test("checkScores: overflow, Sinkhorn's resolution limit, and ordinary scores pass")
  func checkScores() throws {
    let big = Matrix<Double>(rows: 2, columns: 2, elements: [1e200, 1e200, -1e200, 1e200])
    #expect {
      try TransportAttention(anchor: .softmax, temperature: 1).checkScores(queries: big, keys: big)
    } throws: { error in
      if case .overflow = error as? AttentionScoreError { return true }
      return false
    }
    let large = Matrix<Double>(rows: 2, columns: 1, elements: [1e8, -1e8])
    #expect(throws: AttentionScoreError.self) {
      try TransportAttention(anchor: .sinkhorn(SinkhornAnchorSettings(iterations: 5)), temperature: 1).checkScores(queries: large, keys: large)
    }
    // The same scores are fine for the softmax; a bound past Double's range is only a
    // suspicion: a huge query orthogonal to a huge key scores 0, and passes.
    try TransportAttention(anchor: .softmax, temperature: 1).checkScores(queries: large, keys: large)
    let query = Matrix<Double>(rows: 1, columns: 2, elements: [1e200, 0])
    let key = Matrix<Double>(rows: 1, columns: 2, elements: [0, 1e200])
    try TransportAttention(anchor: .softmax, temperature: 1).checkScores(queries: query, keys: key)
    try TransportAttention(anchor: .softmax, temperature: 1).checkScores(queries: Self.rows(scale: 1), keys: Self.rows(scale: 1))
  }
}
