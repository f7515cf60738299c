import OTKitCore
import OTKitAutograd
import OTKitNeural
import Testing

@testable import OTKitAttention

@Suite("Blocked softmax attention")
struct BlockedAttentionTests {
  /// The blocked output equals `softmax(Q K^T / tau + bias) V` formed through the weights,
  /// in `Double`, for shapes with every kind of tail (rows beyond a block, keys beyond a
  /// panel, value columns beyond a vector).
  @Test(
    "The blocked output equals the weights times the values",
    arguments: [
      (1, 1, 1, 1), (5, 7, 3, 5), (25, 33, 16, 17), (50, 100, 17, 64), (49, 65, 64, 70),
      (130, 31, 8, 2),
    ])
  func matchesWeights(shape: (Int, Int, Int, Int)) {
    let (n, m, d, dv) = shape
    var g = SeededGenerator(seed: UInt64(n * 1000 + m))
    let q: Matrix<Float> = g.normalMatrix(rows: n, columns: d)
    let k: Matrix<Float> = g.normalMatrix(rows: m, columns: d)
    let v: Matrix<Float> = g.normalMatrix(rows: m, columns: dv)
    // A causal-style mask (-inf above the diagonal, keeping column 0) and a slope bias.
    var bias = Matrix<Double>(rows: n, columns: m)
    for i in 0..<n {
      for j in 0..<m { bias[i, j] = j > i && j > 0 ? -.infinity : -0.1 * Double(abs(i - j)) }
    }
    for b in [nil, bias] {
      let attention = TransportAttention(temperature: 0.7, bias: b)
      let blocked = attention.output(queries: q, keys: k, values: v)
      let reference = TransportAttention(temperature: 0.7, bias: b)(
        queries: Matrix<Double>(q), keys: Matrix<Double>(k), values: Matrix<Double>(v)
      ).output
      #expect(blocked.rows == n && blocked.columns == dv)
      var worst = 0.0
      for i in 0..<n {
        for j in 0..<dv { worst = max(worst, abs(Double(blocked[i, j]) - reference[i, j])) }
      }
      #expect(worst < 2e-5, "shape \(shape), bias \(b != nil): \(worst)")
      if let direct = Fast.blockedSoftmaxAttention(
        queries: q, keys: k, values: v, scale: 1 / 0.7, bias: b.map(Matrix<Float>.init))
      {
        #expect(direct == blocked)
        #expect(VectorKernels.width > 0)
      } else {
        #expect(VectorKernels.width == 0)
      }
    }
  }

  @Test("Other anchors and Double take the weights path")
  func fallback() {
    var g = SeededGenerator(seed: 3)
    let q: Matrix<Double> = g.normalMatrix(rows: 6, columns: 4)
    let k: Matrix<Double> = g.normalMatrix(rows: 9, columns: 4)
    let v: Matrix<Double> = g.normalMatrix(rows: 9, columns: 3)
    for anchor in [AttentionAnchor.softmax, .sparsemax] {
      let attention = TransportAttention(anchor: anchor)
      #expect(attention.output(queries: q, keys: k, values: v) == attention(queries: q, keys: k, values: v).output)
      let o = attention.output(queries: Matrix<Float>(q), keys: Matrix<Float>(k), values: Matrix<Float>(v))
      let w = attention(queries: q, keys: k, values: v).output
      #expect(o.isApproximatelyEqual(to: Matrix<Float>(w), absoluteTolerance: 1e-5))
    }
  }
}
