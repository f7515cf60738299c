import Foundation
import OTKitCore
import Testing

@testable import OTKitAttention

/// The quantum-circuit anchor of QDSFormer: doubly stochastic for every angle, its gradient
/// against finite differences, its padding.
@Suite("The quantum-circuit anchor")
struct CircuitAnchorTests {
  @Test("|U|^2 is doubly stochastic to 1e-12 for T a power of two", arguments: [2, 4, 8, 16, 64])
  func doublyStochastic(tokens: Int) {
    let s = randomScores(tokens, tokens, seed: UInt64(tokens), scale: 2)
    let w = AttentionAnchor.circuit.weights(s)
    #expect(w.rowSums().allSatisfy { abs($0 - 1) < 1e-12 })
    #expect(w.columnSums().allSatisfy { abs($0 - 1) < 1e-12 })
    #expect(w.elements.allSatisfy { $0 >= 0 })
    // The phases of R_z take it off the real (orthostochastic) circuits: U has an imaginary part.
    let (_, record) = AttentionAnchor.circuit.forward(s)
    #expect((record.saved as! CircuitState).imaginary.contains { abs($0) > 1e-3 })
  }

  @Test("Padded tokens: the T x T block is sub-stochastic, rows and columns at most 1")
  func padded() {
    let w = AttentionAnchor.circuit.weights(randomScores(5, 5, seed: 3))
    #expect(w.rowSums().allSatisfy { $0 <= 1 + 1e-12 } && w.columnSums().allSatisfy { $0 <= 1 + 1e-12 })
    #expect(w.rows == 5 && w.columns == 5)
  }

  @Test("The backward pass equals central differences", arguments: [3, 4, 8])
  func gradient(tokens: Int) {
    let s = randomScores(tokens, tokens, seed: 40 + UInt64(tokens))
    let g = randomScores(tokens, tokens, seed: 50 + UInt64(tokens))
    let anchor = AttentionAnchor.circuit
    let (_, record) = anchor.forward(s)
    let analytic = anchor.backward(scores: s, record: record, gradient: g)
    let h = 1e-6
    var worst = 0.0
    for i in 0..<tokens {
      for j in 0..<tokens {
        var (plus, minus) = (s, s)
        plus[i, j] += h
        minus[i, j] -= h
        let loss = { (x: Matrix<Double>) in zip(anchor.weights(x).elements, g.elements).reduce(0) { $0 + $1.0 * $1.1 } }
        worst = max(worst, abs((loss(plus) - loss(minus)) / (2 * h) - analytic[i, j]))
      }
    }
    #expect(worst < 1e-7)
  }

  @Test("The circuit is reached by name and needs square scores")
  func named() {
    #expect(AttentionAnchor(name: "circuit", parameters: .init()) == .circuit)
    #expect(AttentionAnchor.circuit.needsSquareScores && AttentionAnchor.circuit.savedPlanes == 2)
  }
}
