import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitAttention

func maxDifference(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
  zip(a.elements, b.elements).map { abs($0 - $1) }.max() ?? 0
}

/// Geometric Attention's gauge, unary quotient, normal form and chart checks
/// (`ot-training-signals.md` section 6), and the carriers.
@Suite("Attention geometry: gauge, normal form, carriers")
struct GeometryTests {
  @Test("Gauge by probe: the softmax ignores row fields, Sinkhorn ignores row and column fields")
  func gaugeInvariance() {
    let s = randomScores(12, 9, seed: 1, scale: 2)
    var g = SeededGenerator(seed: 2)
    let c = (0..<12).map { _ in g.normal() * 3 }, d = (0..<9).map { _ in g.normal() * 3 }
    let shiftedRows = Matrix(rows: 12, columns: 9) { i, j in s[i, j] + c[i] }
    let shiftedBoth = Matrix(rows: 12, columns: 9) { i, j in s[i, j] + c[i] + d[j] }
    let p = Kernels.softmaxRows(s)
    let relative = zip(Kernels.softmaxRows(shiftedRows).elements, p.elements).map { abs($0 - $1) / $1 }.max()!
    #expect(relative < 1e-14)
    let plan = { (x: Matrix<Double>) in SinkhornAnchor.normalize(x, steps: 5_000, tolerance: 1e-13).weights }
    #expect(maxDifference(plan(shiftedBoth), plan(s)) < 1e-11)
    // A column field is not a gauge of the row anchor.
    let shiftedColumns = Matrix(rows: 12, columns: 9) { i, j in s[i, j] + d[j] }
    #expect(maxDifference(Kernels.softmaxRows(shiftedColumns), p) > 1e-3)
  }

  @Test("Unary quotient on the full carrier: S = mu + a + b + I, I = H S H, centered fields")
  func fullQuotient() {
    let s = randomScores(10, 7, seed: 3)
    let gauge = ScoreGauge(scores: s)
    let rebuilt = Matrix(rows: 10, columns: 7) { i, j in gauge.mean + gauge.rowField[i] + gauge.columnField[j] + gauge.interaction[i, j] }
    #expect(maxDifference(rebuilt, s) < 1e-13)
    let h = { (n: Int) in Matrix<Double>(rows: n, columns: n) { i, j in (i == j ? 1 : 0) - 1 / Double(n) } }
    let hsh = Matrix.product(Matrix.product(h(10), s), h(7))
    #expect(maxDifference(gauge.interaction, hsh) < 1e-13)
    #expect(abs(gauge.rowField.reduce(0, +)) < 1e-13 && abs(gauge.columnField.reduce(0, +)) < 1e-13)
    #expect(gauge.converged && gauge.sweeps == 0)
  }

  @Test("Unary quotient on a causal and a window carrier: the backfit meets the normal equations",
        arguments: [AttentionCarrier.causal, .window(radius: 2), .indices([[0, 3], [1], [0, 1, 2], [2, 3], [3]])])
  func maskedQuotient(carrier: AttentionCarrier) {
    let n = 5
    let s = randomScores(n, 4, seed: 4, scale: 3)
    let gauge = ScoreGauge(scores: s, carrier: carrier)
    #expect(gauge.converged)
    let mask = carrier.indicator(rows: n, columns: 4)
    for i in 0..<n { #expect(abs((0..<4).reduce(0) { $0 + mask[i, $1] * gauge.interaction[i, $1] }) < 1e-10) }
    for j in 0..<4 { #expect(abs((0..<n).reduce(0) { $0 + mask[$1, j] * gauge.interaction[$1, j] }) < 1e-10) }
    for i in 0..<n {
      for j in 0..<4 where mask[i, j] == 0 { #expect(gauge.interaction[i, j] == 0) }
      for j in 0..<4 where mask[i, j] == 1 {
        #expect(abs(gauge.mean + gauge.rowField[i] + gauge.columnField[j] + gauge.interaction[i, j] - s[i, j]) < 1e-12)
      }
    }
  }

  @Test("Chart checks: Q K^T / sqrt(d_k) has interaction rank d_k (residual at round-off); biases are unary")
  func dotProductChart() {
    var g = SeededGenerator(seed: 5)
    let (q, k): (Matrix<Double>, Matrix<Double>) = (g.normalMatrix(rows: 16, columns: 4), g.normalMatrix(rows: 16, columns: 4))
    let attention = TransportAttention()
    let s = attention.scores(queries: q, keys: k)
    let summary = ScoreGauge(scores: s).summary(rank: 4)
    #expect(summary.residual <= 1e-12)
    #expect(summary.numericalRank <= 4)
    // Projection biases: q_i . b_k is a row field, b_q . k_j a column field; the interaction is unchanged.
    let (bq, bk) = ([0.5, -1, 2, 0.3], [1.5, 0.2, -0.7, 1])
    let qb = Matrix(rows: 16, columns: 4) { i, c in q[i, c] + bq[c] }, kb = Matrix(rows: 16, columns: 4) { j, c in k[j, c] + bk[c] }
    let biased = ScoreGauge(scores: attention.scores(queries: qb, keys: kb))
    #expect(maxDifference(biased.interaction, ScoreGauge(scores: s).interaction) < 1e-12)
    #expect(biased.summary(rank: 4).residual <= 1e-12)
    #expect(biased.columnFieldShare() > ScoreGauge(scores: s).columnFieldShare())
  }

  @Test("The distance chart is 2 Q K^T / tau plus unary fields; under the softmax only the column field -|k_j|^2 / tau differs")
  func distanceChart() {
    var g = SeededGenerator(seed: 6)
    let (q, k): (Matrix<Double>, Matrix<Double>) = (g.normalMatrix(rows: 9, columns: 3), g.normalMatrix(rows: 11, columns: 3))
    let tau = 1.7
    let distance = Matrix(rows: 9, columns: 11) { i, j in -(0..<3).reduce(0) { $0 + pow(q[i, $1] - k[j, $1], 2) } / tau }
    let dot = Matrix.product(q, k, transposeB: true) * (2 / tau)
    #expect(maxDifference(ScoreGauge(scores: distance).interaction, ScoreGauge(scores: dot).interaction) < 1e-12)
    let withColumnField = Matrix(rows: 9, columns: 11) { i, j in dot[i, j] - (0..<3).reduce(0) { $0 + k[j, $1] * k[j, $1] } / tau }
    #expect(maxDifference(Kernels.softmaxRows(distance), Kernels.softmaxRows(withColumnField)) < 1e-12)
    #expect(maxDifference(Kernels.softmaxRows(distance), Kernels.softmaxRows(dot)) > 1e-3)  // the gap before removal
  }

  @Test("The power link: the softmax of its log-kernel is the normalized q-exponential kernel measured from the row's best score, zero below the support; q -> 1 is the exp link",
        arguments: [0.0, 0.5, 0.9])
  func powerLink(q: Double) {
    let x = randomScores(7, 3, seed: 40, scale: 1.5)
    let attention = TransportAttention(temperature: 1, link: .power(q: q))
    let w = attention.weights(queries: x, keys: x)
    let raw = Matrix.product(x, x, transposeB: true)
    for i in 0..<7 {
      let top = raw.row(i).max()!
      let kernel = (0..<7).map { j in max(1 + (1 - q) * (raw[i, j] - top), 0) }.map { $0 > 0 ? pow($0, 1 / (1 - q)) : 0 }
      let total = kernel.reduce(0, +)
      for j in 0..<7 {
        #expect(abs(w[i, j] - kernel[j] / total) < 1e-14)
        if kernel[j] == 0 { #expect(w[i, j] == 0) }
      }
    }
    // Sinkhorn's plan of a kernel with full support (milder scores) is doubly stochastic.
    let plan = TransportAttention(anchor: .sinkhorn(SinkhornAnchorSettings(iterations: 2_000, tolerance: 1e-12)), temperature: 1, link: .power(q: q))
      .weights(queries: x * 0.2, keys: x * 0.2)
    #expect(plan.columnSums().allSatisfy { abs($0 - 1) < 1e-9 })
    let close = TransportAttention(temperature: 1, link: .power(q: 1 - 1e-7)).weights(queries: x, keys: x)
    #expect(maxDifference(close, TransportAttention(temperature: 1).weights(queries: x, keys: x)) < 1e-5)
    // Scores far below the support: each row keeps its best key, no row is empty.
    let low = ScoreChart(link: .power(q: q)).evidence(Matrix(rows: 2, columns: 3) { i, j in -50 - Double(i + j) })
    let weights = AttentionAnchor.softmax.forward(low).0
    #expect(weights.elements.allSatisfy { $0.isFinite } && weights[0, 0] > 0 && weights[1, 0] > 0)
    #expect(AttentionLink(name: "power:\(q)") == .power(q: q) && AttentionLink(name: "power:1") == nil && AttentionLink(name: "exp") == .exp)
  }

  @Test("Carriers: indicators, sizes, invalid rows, names; the operator applies them")
  func carriers() {
    #expect(AttentionCarrier.causal.indicator(rows: 3, columns: 3) == Matrix([[1, 0, 0], [1, 1, 0], [1, 1, 1]]))
    #expect(AttentionCarrier.window(radius: 1).size(rows: 4, columns: 4) == 10)
    #expect(AttentionCarrier.full.size(rows: 4, columns: 5) == 20)
    #expect(AttentionCarrier.indices([[0], []]).invalidRow(rows: 2, columns: 3) == 1)
    #expect(AttentionCarrier.indices([[0], [4]]).invalidRow(rows: 2, columns: 3) == 1)
    #expect(AttentionCarrier.causal.invalidRow(rows: 5, columns: 2) == nil)
    #expect(AttentionCarrier(name: "window:3") == .window(radius: 3) && AttentionCarrier(name: "window:-1") == nil)
    let q = randomScores(6, 3, seed: 7)
    let w = TransportAttention(carrier: .causal).weights(queries: q, keys: q)
    for i in 0..<6 { for j in (i + 1)..<6 { #expect(w[i, j] == 0) } }
    #expect(w.rowSums().allSatisfy { abs($0 - 1) < 1e-14 })
  }

  @Test("Unary regimes: the interaction regime is blind to row and column fields under any anchor; the field regime's column field moves a row anchor, a row field does not")
  func unaryRegimes() {
    let s = randomScores(5, 5, seed: 41)
    let a = (0..<5).map { Double($0) * 0.7 - 1 }, b = (0..<5).map { 1.3 - Double($0) * 0.4 }
    let shifted = Matrix(rows: 5, columns: 5) { i, j in s[i, j] + a[i] + b[j] }
    let interaction = ScoreChart(unary: .interaction)
    #expect(maxDifference(interaction.evidence(s), interaction.evidence(shifted)) < 1e-14)
    #expect(maxDifference(interaction.evidence(s), ScoreGauge(scores: s).interaction) < 1e-14)
    let chart = ScoreChart(), softmax = AttentionAnchor.softmax
    let rowShifted = Matrix(rows: 5, columns: 5) { i, j in s[i, j] + a[i] }
    #expect(maxDifference(softmax.forward(chart.evidence(s)).0, softmax.forward(chart.evidence(rowShifted)).0) < 1e-14)
    let field = ScoreChart(unary: .field)
    #expect(maxDifference(softmax.forward(field.evidence(s, columnField: b)).0, softmax.forward(s).0) > 1e-2)
    // The pullback of the double centering is itself, and the field's gradient is the column sums.
    let g = randomScores(5, 5, seed: 42)
    #expect(maxDifference(interaction.pullback(s, gradient: g).scores, ScoreChart.doubleCentered(g)) == 0)
    #expect(field.pullback(s, gradient: g).columnField == g.columnSums())
  }

  @Test("The adaptive carrier: a soft window that is the hard window as the sharpness goes to 0, never empty, with about 2w + 1 keys per interior query")
  func adaptiveWindow() {
    let s = randomScores(9, 9, seed: 43)
    let hard = TransportAttention(carrier: .window(radius: 2)).weights(queries: s, keys: s)
    let soft = AdaptiveWindow(sharpness: 0.02)
    let scores = Matrix.product(s, s, transposeB: true) * (1 / 3.0)
    let w = AttentionAnchor.softmax.forward(ScoreChart().evidence(scores, window: soft, width: 2.5)).0
    #expect(maxDifference(w, hard) < 1e-9)
    let wide = AdaptiveWindow(sharpness: 1)
    #expect(wide.logMask(rows: 9, columns: 9, width: -50).elements.allSatisfy { $0.isFinite })
    #expect(abs(AdaptiveWindow(sharpness: 0.01).effectiveSize(rows: 1, columns: 9, width: 3.5) - 4) < 1e-9)
    #expect(abs(wide.widthGradient(Matrix(rows: 1, columns: 1, repeating: 1), width: 0) - 0.5) < 1e-15)
  }
}

/// Seed 002's identities read off the tape (`attention-as-transport.md` section 2).
@Suite("Attention identities on the tape")
struct IdentityTests {
  @Test("Softmax heads: advantage form and Jacobian = Fisher / tau = Hessian of tau LSE(s / tau), to round-off",
        arguments: [0.3, 1.0, 4.0])
  func softmax(tau: Double) {
    let s = randomScores(7, 12, seed: 8, scale: 2)
    let u = randomScores(7, 12, seed: 9)
    let result = AttentionIdentities.measure(rawScores: s, temperature: tau, anchor: .softmax, upstream: u)
    #expect(result.advantageMaxError < 1e-12 * max(result.gradientMax, 1))
    #expect(result.fisherHessianMaxError! < 1e-12)
    #expect(result.jacobianRows == 7 && result.advantageSpread > 0)
  }

  @Test("The complex-step Hessian equals (diag p - p p^T) / tau")
  func complexStep() {
    let s = [0.3, -1.2, 2.5, 0.0, 1.1]
    let tau = 0.7
    let p = Kernels.softmaxRows(Matrix(row: s.map { $0 / tau })).row(0)
    let closed = AttentionDiagnostics.softmaxJacobian(probabilities: p, temperature: tau)
    #expect(maxDifference(AttentionIdentities.dualPotentialHessian(scores: s, temperature: tau), closed) < 1e-15)
  }

  @Test("One Sinkhorn normalization is the softmax: the same identities hold")
  func sinkhornOneStep() {
    let s = randomScores(6, 6, seed: 10)
    let u = randomScores(6, 6, seed: 11)
    let one = AttentionIdentities.measure(rawScores: s, temperature: 1, anchor: .sinkhorn(.init(iterations: 1)), upstream: u)
    #expect(one.advantageMaxError < 1e-12 && one.fisherHessianMaxError! < 1e-12)
    let many = AttentionIdentities.measure(rawScores: s, temperature: 1, anchor: .sinkhorn(.init(iterations: 20)), upstream: u)
    #expect(many.advantageMaxError > 1e-3)
  }

  @Test("Sparse anchors leave the softmax geometry: their Jacobian is not Fisher / tau", arguments: [AttentionAnchor.sparsemax, .entmax(alpha: 1.5)])
  func sparse(anchor: AttentionAnchor) {
    let s = randomScores(5, 8, seed: 12, scale: 2)
    let u = randomScores(5, 8, seed: 13)
    let result = AttentionIdentities.measure(rawScores: s, temperature: 1, anchor: anchor, upstream: u)
    #expect(result.fisherHessianMaxError! > 1e-3 && result.advantageMaxError > 1e-3)
  }

  @Test("The preconditioning experiment's anchors: the softmax forward, the utility or the natural gradient backward")
  func preconditioning() {
    let s = randomScores(5, 6, seed: 16)
    let u = randomScores(5, 6, seed: 17)
    for anchor in [AttentionAnchor.softmaxUtility, .softmaxNatural] {
      #expect(anchor.weights(s) == AttentionAnchor.softmax.weights(s))
      #expect(AttentionAnchor(name: anchor.name, parameters: .init()) == anchor)
    }
    let (p, record) = AttentionAnchor.softmaxNatural.forward(s)
    let natural = AttentionAnchor.softmaxNatural.backward(scores: s, record: record, gradient: u)
    // The advantage form is p times the natural gradient.
    #expect(maxDifference(p * natural, AttentionIdentities.advantageForm(weights: p, upstream: u, temperature: 1)) < 1e-15)
    let (_, utilityRecord) = AttentionAnchor.softmaxUtility.forward(s)
    #expect(AttentionAnchor.softmaxUtility.backward(scores: s, record: utilityRecord, gradient: u) == u)
    // Read off the tape, neither is the softmax's gradient.
    for anchor in [AttentionAnchor.softmaxUtility, .softmaxNatural] {
      #expect(AttentionIdentities.measure(rawScores: s, temperature: 1, anchor: anchor, upstream: u).advantageMaxError > 1e-2)
    }
  }

  @Test("The gradient structure: the advantage form's error, and the estimate's variance with and without the baseline, by enumeration")
  func gradientStructure() {
    let s = randomScores(4, 5, seed: 30)
    let u = randomScores(4, 5, seed: 31)
    let p = Kernels.softmaxRows(s)
    let g = AttentionIdentities.advantageForm(weights: p, upstream: u, temperature: 1)
    let structure = GradientStructure(weights: p, upstream: u, scoreGradient: g)
    #expect(structure.advantageMaxError < 1e-16)
    // Enumerate the one-sample estimate (u_j - b)(e_j - p), j ~ p, row by row.
    func variance(baselined: Bool) -> Double {
      var total = 0.0
      for i in 0..<4 {
        let b = baselined ? (0..<5).reduce(0) { $0 + p[i, $1] * u[i, $1] } : 0
        for j in 0..<5 {
          var squared = 0.0
          for k in 0..<5 {
            let sample = (u[i, j] - b) * ((j == k ? 1 : 0) - p[i, k])
            squared += (sample - g[i, k]) * (sample - g[i, k])
          }
          total += p[i, j] * squared
        }
      }
      return total / 4
    }
    #expect(abs(structure.varianceBaselined - variance(baselined: true)) < 1e-12)
    #expect(abs(structure.varianceNaive - variance(baselined: false)) < 1e-12)
    let norms = (0..<4).map { i in (0..<5).reduce(0) { $0 + g[i, $1] * g[i, $1] }.squareRoot() }
    #expect(abs(structure.gradientNorm - norms.reduce(0, +) / 4) < 1e-15)
    #expect(structure.saturatedRowShare == 0 && structure.contextEffectiveRank == nil)
    let v = randomScores(5, 3, seed: 32)
    let withValues = GradientStructure(weights: p, upstream: u, scoreGradient: g, values: v)
    #expect(abs(withValues.contextEffectiveRank! - Matrix.product(p, v).singularValueDecomposition().effectiveRank) < 1e-15)
    // A constant utility: no gradient, no variance with the baseline, some without.
    let constant = GradientStructure(weights: p, upstream: Matrix(rows: 4, columns: 5, repeating: 2), scoreGradient: Matrix(rows: 4, columns: 5))
    #expect(constant.varianceBaselined < 1e-15 && constant.varianceNaive > 0.1 && constant.advantageSpread < 1e-15)
  }

  @Test("Per head through the operator: seeded upstreams are reproducible")
  func heads() {
    let q = [randomScores(8, 4, seed: 14), randomScores(8, 4, seed: 15)]
    let attention = TransportAttention()
    let first = attention.identities(queries: q, keys: q, upstream: nil, seed: 3)
    #expect(first == attention.identities(queries: q, keys: q, upstream: nil, seed: 3))
    #expect(first.allSatisfy { $0.advantageMaxError < 1e-12 && $0.fisherHessianMaxError! < 1e-12 })
  }
}
