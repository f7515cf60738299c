import Foundation
import OTKitCore
import OTKitAutograd
import OTKitNeural
import Testing

@testable import OTKitAttention

/// The reference vectors of the `entmax` package (scripts/peers/entmax_reference.py).
struct EntmaxReference: Decodable {
  var scores: [[Double]]
  var sparsemax: [[Double]]
  var entmax15: [[Double]]
  var bisect125: [[Double]]
  var bisect175: [[Double]]

  enum CodingKeys: String, CodingKey {
    case scores, sparsemax, entmax15
    case bisect125 = "entmax_bisect_1.25"
    case bisect175 = "entmax_bisect_1.75"
  }

  static let loaded: EntmaxReference = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("entmax_reference.json")
    return try! JSONDecoder().decode(EntmaxReference.self, from: Data(contentsOf: url))
  }()
}

func randomScores(_ n: Int, _ m: Int, seed: UInt64, scale: Double = 1) -> Matrix<Double> {
  var g = SeededGenerator(seed: seed)
  return g.normalMatrix(rows: n, columns: m) * scale
}

let allAnchors: [AttentionAnchor] = [
  .softmax, .sparsemax, .entmax(alpha: 1.5), .entmax(alpha: 1.3),
  .sinkhorn(SinkhornAnchorSettings(iterations: 7)),
  .sinkhorn(SinkhornAnchorSettings(iterations: 400, tolerance: 1e-13, differentiation: .implicit)),
  .orthostochastic, .circuit,
]

@Suite("Attention anchors")
struct AnchorTests {
  @Test("Sparsemax and entmax equal the entmax package's values", arguments: 0..<7)
  func entmaxReference(row: Int) {
    let r = EntmaxReference.loaded
    let z = Matrix(row: r.scores[row])
    let cases: [(Matrix<Double>, [Double], Double)] = [
      (Entmax.sparsemax(z), r.sparsemax[row], 1e-12),
      (Entmax.exact15(z), r.entmax15[row], 1e-12),
      (Entmax.bisection(z, alpha: 1.25), r.bisect125[row], 1e-9),
      (Entmax.bisection(z, alpha: 1.75), r.bisect175[row], 1e-9),
      (Entmax.bisection(z, alpha: 1.5), r.entmax15[row], 1e-9),
    ]
    for (ours, theirs, tolerance) in cases {
      #expect(zip(ours.elements, theirs).allSatisfy { abs($0 - $1) <= tolerance }, "\(ours.elements) vs \(theirs)")
      #expect(abs(ours.elements.reduce(0, +) - 1) < 1e-12)
    }
  }

  @Test("Every anchor's gradient agrees with central finite differences", arguments: allAnchors.indices)
  func gradients(index: Int) throws {
    let anchor = allAnchors[index]
    let (n, m) = (5, 5)
    let scores = randomScores(n, m, seed: UInt64(10 + index), scale: 0.8)
    let probe = randomScores(n, m, seed: 99)
    func loss(_ s: Matrix<Double>) -> Double { (anchor.forward(s).weights * probe).sum() }
    let graph = Graph()
    let s = graph.variable(scores)
    let l = (s.anchored(anchor) * graph.constant(probe)).sum()
    try graph.backward(l)
    let analytic = try #require(graph.gradient(of: s))
    let h = 1e-6
    var worst = 0.0
    for i in 0..<n {
      for j in 0..<m {
        var plus = scores, minus = scores
        plus[i, j] += h
        minus[i, j] -= h
        let numeric = (loss(plus) - loss(minus)) / (2 * h)
        worst = max(worst, abs(numeric - analytic[i, j]) / max(1e-3, abs(numeric)))
      }
    }
    #expect(worst < 1e-6, "\(anchor.name): relative error \(worst)")
  }

  @Test("Sinkhorn weights reach row and column sums within 1e-6, also rectangular and with given masses")
  func sinkhornMarginals() {
    let square = SinkhornAnchor.normalize(randomScores(64, 64, seed: 1, scale: 2), steps: 10_000, tolerance: 1e-7)
    #expect(square.rowError <= 1e-6 && square.columnError <= 1e-6)
    let wide = SinkhornAnchor.normalize(randomScores(30, 50, seed: 2), steps: 10_000, tolerance: 1e-7)
    #expect(wide.rowError <= 1e-6 && wide.columnError <= 1e-6)
    #expect(abs(wide.weights.columnSums()[7] - 30.0 / 50) < 1e-6)
    let masses = SinkhornAnchor.normalize(randomScores(4, 3, seed: 3), rowMass: [1, 2, 3, 4], columnMass: [5, 3, 2], steps: 10_000, tolerance: 1e-9)
    #expect(masses.rowError <= 1e-8 && masses.columnError <= 1e-8)
    // One row normalization alone is the softmax.
    let s = randomScores(6, 9, seed: 4)
    #expect(SinkhornAnchor.normalize(s, steps: 1).weights.isApproximatelyEqual(to: Kernels.softmaxRows(s), absoluteTolerance: 1e-15))
    // Float works too.
    let f = SinkhornAnchor.normalize(Matrix<Float>(randomScores(32, 32, seed: 5)), steps: 1000, tolerance: 1e-5)
    #expect(f.rowError <= 1e-5 && f.columnError <= 1e-5)
  }

  @Test("Orthostochastic weights are doubly stochastic to round-off; Q is orthogonal; S = Q R")
  func orthostochastic() {
    let s = randomScores(40, 40, seed: 6)
    let (q, r) = s.qrDecomposition()
    let w = q * q
    #expect(w.rowSums().allSatisfy { abs($0 - 1) < 1e-13 } && w.columnSums().allSatisfy { abs($0 - 1) < 1e-13 })
    #expect(Matrix.product(q, r).isApproximatelyEqual(to: s, absoluteTolerance: 1e-12))
    #expect((0..<40).allSatisfy { r[$0, $0] > 0 } && (0..<40).allSatisfy { i in (0..<i).allSatisfy { r[i, $0] == 0 } })
    // A rank-deficient score matrix still gives a doubly stochastic matrix.
    var low = s
    for j in 0..<40 { low[3, j] = low[1, j] * 2 }
    let lowT = low.transposed()
    let wd = lowT.qrDecomposition().q
    let wd2 = wd * wd
    #expect(wd2.rowSums().allSatisfy { abs($0 - 1) < 1e-12 } && wd2.columnSums().allSatisfy { abs($0 - 1) < 1e-12 })
  }

  @Test("The vectorized Float softmax matches Double to float round-off, down to underflow")
  func floatSoftmax() {
    var s = randomScores(9, 37, seed: 8, scale: 30)  // spreads of hundreds: exp underflows
    s[0, 3] = 200
    let rounded = Matrix<Double>(Matrix<Float>(s))  // the Float inputs, exactly
    let d = Kernels.softmaxRows(rounded)
    let f = Matrix<Double>(Kernels.softmaxRows(Matrix<Float>(s)))
    let peaks = rounded.rowMaxima()
    for i in 0..<9 {
      for j in 0..<37 {
        // Float rounds x - max to half an ulp of its size: a relative error of |x - max| ulp/2 in exp.
        let (a, b) = (d[i, j], f[i, j])
        let tolerance = a * (4e-7 + 1.2e-7 * abs(rounded[i, j] - peaks[i])) + 1e-44
        #expect(abs(a - b) <= tolerance, "\(a) vs \(b)")
      }
    }
    #expect(f.rowSums().allSatisfy { abs($0 - 1) < 1e-6 })
    let nan = Kernels.softmaxRows(Matrix<Float>(rows: 1, columns: 9, elements: [1, 2, .nan, 0, 0, 0, 0, 0, 0]))
    #expect(nan.elements.allSatisfy { $0.isNaN })
  }

  @Test("Sparse anchors give exact zeros; the softmax none")
  func sparsity() {
    let s = randomScores(20, 30, seed: 7, scale: 3)
    let sparse = AttentionDiagnostics(weights: Entmax.sparsemax(s), scores: s, temperature: 1)
    let dense = AttentionDiagnostics(weights: Kernels.softmaxRows(s), scores: s, temperature: 1)
    #expect(sparse.zeroFraction > 0.3 && dense.zeroFraction == 0)
    #expect(sparse.rowMarginalError < 1e-12)
  }
}

@Suite("Attention diagnostics")
struct DiagnosticsTests {
  @Test("The softmax minimizes the one-sided entropic OT objective; the gap is tau KL")
  func softmaxMinimizes() {
    let tau = 0.7
    let s = randomScores(8, 12, seed: 11)
    let soft = Kernels.softmaxRows(s)
    var g = SeededGenerator(seed: 12)
    for i in 0..<8 {
      let best = AttentionDiagnostics.oneSidedObjective(weights: soft.row(i), scores: s.row(i), temperature: tau)
      #expect(abs(best - (-tau * Matrix(row: s.row(i)).rowLogSumExp()[0])) < 1e-12)
      for other in [Entmax.sparsemax(Matrix(row: s.row(i))).row(0), Entmax.exact15(Matrix(row: s.row(i))).row(0)] {
        #expect(AttentionDiagnostics.oneSidedObjective(weights: other, scores: s.row(i), temperature: tau) > best)
      }
      for _ in 0..<20 {
        // A perturbation along the simplex raises the objective.
        var p = soft.row(i)
        let (a, b) = (g.integer(below: 12), g.integer(below: 12))
        let step = min(p[a], 1e-3)
        p[a] -= step
        p[b] += step
        #expect(AttentionDiagnostics.oneSidedObjective(weights: p, scores: s.row(i), temperature: tau) >= best - 1e-15)
      }
    }
    let diagnostics = AttentionDiagnostics(weights: soft, scores: s, temperature: tau)
    #expect(abs(diagnostics.oneSidedGap) < 1e-12)
    let sparse = AttentionDiagnostics(weights: Entmax.exact15(s), scores: s, temperature: tau)
    #expect(sparse.oneSidedGap > 0)
  }

  @Test("The advantage form equals the autograd gradient to 1e-10")
  func advantage() throws {
    let s = randomScores(7, 9, seed: 13)
    let u = randomScores(7, 9, seed: 14)
    let graph = Graph()
    let x = graph.variable(s)
    try graph.backward((x.softmax() * graph.constant(u)).sum())
    let autograd = try #require(graph.gradient(of: x))
    let advantage = AttentionDiagnostics.advantageGradient(weights: Kernels.softmaxRows(s), upstream: u)
    #expect(advantage.isApproximatelyEqual(to: autograd, absoluteTolerance: 1e-10))
  }

  @Test("Hessian identity: the softmax Jacobian is the Hessian of tau LSE(s / tau) and the Fisher information over tau")
  func hessian() {
    let tau = 1.7
    let s = randomScores(1, 6, seed: 15).row(0)
    let p = Kernels.softmaxRows(Matrix(row: s.map { $0 / tau })).row(0)
    let jacobian = AttentionDiagnostics.softmaxJacobian(probabilities: p, temperature: tau)
    func potential(_ x: [Double]) -> Double { tau * Matrix(row: x.map { $0 / tau }).rowLogSumExp()[0] }
    let h = 1e-4
    for i in 0..<6 {
      for j in 0..<6 {
        func shifted(_ di: Double, _ dj: Double) -> Double {
          var x = s
          x[i] += di
          x[j] += dj
          return potential(x)
        }
        let numeric = (shifted(h, h) - shifted(h, -h) - shifted(-h, h) + shifted(-h, -h)) / (4 * h * h)
        #expect(abs(numeric - jacobian[i, j]) < 1e-6)
      }
    }
    let fisher = AttentionDiagnostics.fisherInformation(probabilities: p)
    #expect((fisher * (1 / tau)).isApproximatelyEqual(to: jacobian, absoluteTolerance: 1e-15))
  }

  @Test("Diagnostics: Sinkhorn to convergence is the entropic plan; the softmax is not doubly stochastic")
  func planDistance() {
    let s = randomScores(16, 16, seed: 16, scale: 2)
    let plan = SinkhornAnchor.normalize(s, steps: 20_000, tolerance: 1e-10).weights
    let onPlan = AttentionDiagnostics(weights: plan, scores: s, temperature: 1)
    #expect(onPlan.planDistance < 1e-8 && onPlan.columnMarginalError < 1e-9 && onPlan.planConverged)
    let soft = AttentionDiagnostics(weights: Kernels.softmaxRows(s), scores: s, temperature: 1)
    #expect(soft.planDistance > 0.05 && soft.columnMarginalError > 0.1 && soft.rowMarginalError < 1e-12)
  }

  @Test("The operator: temperature sqrt(d) by default, a mask bias, the output is weights x V, heads batched")
  func operatorForward() {
    let q = randomScores(6, 4, seed: 17), k = randomScores(8, 4, seed: 18), v = randomScores(8, 3, seed: 19)
    var mask = Matrix<Double>(rows: 6, columns: 8)
    for i in 0..<6 { mask[i, 7] = -.infinity }
    let attention = TransportAttention(anchor: .softmax, bias: mask)
    let (w, out) = attention(queries: q, keys: k, values: v)
    #expect(w.column(7).allSatisfy { $0 == 0 })
    let expected = Kernels.softmaxRows(Matrix.product(q, k, transposeB: true) * 0.5 + mask)
    #expect(w.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-15))
    #expect(out.isApproximatelyEqual(to: Matrix.product(w, v), absoluteTolerance: 1e-15))
    let heads = TransportAttention(anchor: .sparsemax)(heads: [q, q], keys: [k, k], values: [v, v])
    #expect(heads.count == 2 && heads[0].weights == heads[1].weights)
    // Float and Double agree.
    let f = TransportAttention(anchor: .entmax(alpha: 1.5)).weights(queries: Matrix<Float>(q), keys: Matrix<Float>(k))
    let d = TransportAttention(anchor: .entmax(alpha: 1.5)).weights(queries: q, keys: k)
    #expect(Matrix<Double>(f).isApproximatelyEqual(to: d, absoluteTolerance: 1e-5))
  }

  @Test("Anchored multi-head attention: gradients of queries, keys and values agree with finite differences", arguments: [AttentionAnchor.entmax(alpha: 1.5), .sinkhorn(SinkhornAnchorSettings(iterations: 4)), .orthostochastic])
  func anchoredGradients(anchor: AttentionAnchor) throws {
    let (tokens, heads) = (4, 2)
    let inputs = [randomScores(2 * tokens, 6, seed: 30), randomScores(2 * tokens, 6, seed: 31), randomScores(2 * tokens, 4, seed: 32)]
    let probe = randomScores(2 * tokens, 4, seed: 33)
    func loss(_ x: [Matrix<Double>]) -> Double {
      let graph = Graph.inference()
      let out = anchoredMultiHeadAttention(
        queries: graph.constant(x[0]), keys: graph.constant(x[1]), values: graph.constant(x[2]), tokens: tokens, heads: heads, anchor: anchor)
      return (out.value * probe).sum()
    }
    let graph = Graph()
    let variables = inputs.map { graph.variable($0) }
    let out = anchoredMultiHeadAttention(queries: variables[0], keys: variables[1], values: variables[2], tokens: tokens, heads: heads, anchor: anchor)
    try graph.backward((out * graph.constant(probe)).sum())
    let h = 1e-6
    var worst = 0.0
    for (which, variable) in variables.enumerated() {
      let analytic = try #require(graph.gradient(of: variable))
      for index in stride(from: 0, to: inputs[which].count, by: 3) {
        var plus = inputs, minus = inputs
        let (i, j) = (index / inputs[which].columns, index % inputs[which].columns)
        plus[which][i, j] += h
        minus[which][i, j] -= h
        let numeric = (loss(plus) - loss(minus)) / (2 * h)
        worst = max(worst, abs(numeric - analytic[i, j]) / max(1e-3, abs(numeric)))
      }
    }
    #expect(worst < 1e-6, "\(anchor.name): \(worst)")
  }

  @Test("Multi-head attention with a transport anchor trains through the tape", arguments: [AttentionAnchor.sparsemax, .sinkhorn(SinkhornAnchorSettings(iterations: 3))])
  func multiHead(anchor: AttentionAnchor) throws {
    var g = SeededGenerator(seed: 20)
    let layer = MultiHeadAttention(width: 4, heads: 2, keySize: 3, anchor: anchor, generator: &g)
    let x = randomScores(2 * 5, 4, seed: 21)
    let graph = Graph()
    let y = layer(graph.constant(x), tokens: 5)
    #expect(y.rows == 10 && y.columns == 4)
    try graph.backward(y.square().mean())
    #expect(layer.query.weight.gradient.elements.contains { $0 != 0 })
  }
}
