import Foundation
import Testing
@testable import OTKitCore

/// The fused multi-head attention kernels (AVX per-head kernels where the CPU has them, the
/// portable loops under `OTKIT_VECTOR_KERNELS=0`) against a naive reference in `Double`.
@Suite("Fused multi-head attention kernels")
struct MultiHeadAttentionKernelTests {
  /// instances, tokens, heads, keySize, valueSize: tails of every vector width (tokens not
  /// a multiple of 2, 4, 8 or 16), one token, keys and values of different sizes.
  static let shapes: [(Int, Int, Int, Int, Int)] = [
    (3, 16, 4, 4, 4), (2, 5, 2, 3, 6), (2, 17, 3, 8, 2), (1, 33, 1, 5, 7), (4, 1, 2, 2, 3), (2, 9, 2, 16, 16),
  ]

  /// Forward and backward of one head by the textbook formulas, in `Double`.
  static func reference(
    q: [[Double]], k: [[Double]], v: [[Double]], g: [[Double]], scale: Double, bias: [[Double]]?
  ) -> (weights: [[Double]], output: [[Double]], dq: [[Double]], dk: [[Double]], dv: [[Double]]) {
    let t = q.count
    let (dk, dv) = (q[0].count, v[0].count)
    var w = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
    for i in 0..<t {
      var s = (0..<t).map { j in scale * (0..<dk).reduce(0.0) { $0 + q[i][$1] * k[j][$1] } + (bias?[i][j] ?? 0) }
      let peak = s.max()!
      if peak == -.infinity { continue }
      s = s.map { Foundation.exp($0 - peak) }
      let total = s.reduce(0, +)
      w[i] = s.map { $0 / total }
    }
    let output = (0..<t).map { i in (0..<dv).map { c in (0..<t).reduce(0.0) { $0 + w[i][$1] * v[$1][c] } } }
    let dw = (0..<t).map { i in (0..<t).map { j in (0..<dv).reduce(0.0) { $0 + g[i][$1] * v[j][$1] } } }
    let ds = (0..<t).map { i -> [Double] in
      let dot = (0..<t).reduce(0.0) { $0 + w[i][$1] * dw[i][$1] }
      return (0..<t).map { j in w[i][j] * (dw[i][j] - dot) * scale }
    }
    let dq = (0..<t).map { i in (0..<dk).map { c in (0..<t).reduce(0.0) { $0 + ds[i][$1] * k[$1][c] } } }
    let dkey = (0..<t).map { j in (0..<dk).map { c in (0..<t).reduce(0.0) { $0 + ds[$1][j] * q[$1][c] } } }
    let dval = (0..<t).map { j in (0..<dv).map { c in (0..<t).reduce(0.0) { $0 + w[$1][j] * g[$1][c] } } }
    return (w, output, dq, dkey, dval)
  }

  static func check<T: MatrixScalar>(_: T.Type, shape: (Int, Int, Int, Int, Int), masked: Bool, tolerance: Double) {
    let (n, t, h, dk, dv) = shape
    var rng = SeededGenerator(seed: UInt64(n * 1000 + t * 10 + h))
    let q: Matrix<T> = rng.normalMatrix(rows: n * t, columns: h * dk)
    let k: Matrix<T> = rng.normalMatrix(rows: n * t, columns: h * dk)
    let v: Matrix<T> = rng.normalMatrix(rows: n * t, columns: h * dv)
    let g: Matrix<T> = rng.normalMatrix(rows: n * t, columns: h * dv)
    // A causal mask whose last row (when t > 1) is masked entirely.
    let bias: Matrix<T>? = masked
      ? Matrix(rows: t, columns: t) { i, j in (j > i || (t > 1 && i == t - 1)) ? -.infinity : T(0.1) * T(i - j) }
      : nil
    let scale = T(0.7)
    let shape = Fast.AttentionShape(instances: n, tokens: t, heads: h, keySize: dk, valueSize: dv)
    let (output, weights) = Fast.multiHeadAttention(queries: q, keys: k, values: v, shape: shape, scale: scale, bias: bias)
    let (dq, dK, dV) = Fast.multiHeadAttentionBackward(
      queries: q, keys: k, values: v, weights: weights, shape: shape, scale: scale, gradient: g)
    var worst = 0.0
    func compare(_ a: T, _ b: Double) {
      #expect(a.isFinite)
      worst = max(worst, abs(Double(a) - b) / (1 + abs(b)))
    }
    for b in 0..<n {
      for head in 0..<h {
        func block(_ m: Matrix<T>, _ size: Int) -> [[Double]] {
          (0..<t).map { i in (0..<size).map { c in Double(m[b * t + i, head * size + c]) } }
        }
        let biasRows = bias.map { m in (0..<t).map { i in (0..<t).map { j in Double(m[i, j]) } } }
        let r = reference(
          q: block(q, dk), k: block(k, dk), v: block(v, dv), g: block(g, dv), scale: Double(scale), bias: biasRows)
        for i in 0..<t {
          for j in 0..<t { compare(weights[((b * h + head) * t + i) * t + j], r.weights[i][j]) }
          for c in 0..<dv {
            compare(output[b * t + i, head * dv + c], r.output[i][c])
            compare(dV[b * t + i, head * dv + c], r.dv[i][c])
          }
          for c in 0..<dk {
            compare(dq[b * t + i, head * dk + c], r.dq[i][c])
            compare(dK[b * t + i, head * dk + c], r.dk[i][c])
          }
        }
      }
    }
    #expect(worst < tolerance, "worst relative difference \(worst) (\(VectorKernels.name))")
  }

  @Test("Double forward and backward match the reference", arguments: shapes.indices, [false, true])
  func double(shapeIndex: Int, masked: Bool) {
    Self.check(Double.self, shape: Self.shapes[shapeIndex], masked: masked, tolerance: 1e-12)
  }

  @Test("Float forward and backward match the reference", arguments: shapes.indices, [false, true])
  func float(shapeIndex: Int, masked: Bool) {
    Self.check(Float.self, shape: Self.shapes[shapeIndex], masked: masked, tolerance: 2e-5)
  }
}
