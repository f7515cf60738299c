import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitNeural

@Suite("Distillation losses and training")
struct DistillationTests {
  static func logits(_ seed: UInt64, rows: Int = 6, classes: Int = 4, scale: Double = 1) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    return g.normalMatrix(rows: rows, columns: classes) * scale
  }

  /// The row softmax of `z / t`, by plain loops.
  static func softmax(_ z: Matrix<Double>, _ t: Double) -> [[Double]] {
    (0..<z.rows).map { i in
      let row = (0..<z.columns).map { z[i, $0] / t }
      let top = row.max()!
      let e = row.map { Foundation.exp($0 - top) }
      return e.map { $0 / e.reduce(0, +) }
    }
  }

  static func kl(_ p: [Double], _ q: [Double]) -> Double { zip(p, q).reduce(0) { $0 + $1.0 * Foundation.log($1.0 / $1.1) } }

  @Test("KL, reverse KL and Jensen-Shannon equal their definitions, row by row, at a temperature", arguments: DistillationDivergence.allCases)
  func values(divergence: DistillationDivergence) {
    let (s, t) = (Self.logits(1), Self.logits(2, scale: 3))
    let value = divergence(student: Graph(recording: false).constant(s), teacher: t, temperature: 2).scalar
    let (ps, pt) = (Self.softmax(s, 2), Self.softmax(t, 2))
    let expected = zip(ps, pt).map { p, q -> Double in
      switch divergence {
      case .kl: return Self.kl(q, p)
      case .reverseKL: return Self.kl(p, q)
      case .jensenShannon:
        let m = zip(p, q).map { ($0 + $1) / 2 }
        return (Self.kl(q, m) + Self.kl(p, m)) / 2
      }
    }.reduce(0, +) / Double(s.rows)
    #expect(abs(value - expected) < 1e-12)
    #expect(abs(divergence(student: Graph(recording: false).constant(t), teacher: t).scalar) < 1e-12, "zero against itself")
  }

  @Test("SinKD equals its definition computed by plain loops (the public code's scaling)")
  func sinkhornValue() {
    let (s, t) = (Self.logits(3, rows: 5), Self.logits(4, rows: 5))
    var sinkd = SinkhornDistillation()
    sinkd.scaling = .paper
    let value = sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar
    let (ps, pt) = (Self.softmax(s, 2), Self.softmax(t, 2))
    let d = ps.map { p in pt.map { q in zip(p, q).reduce(0) { $0 + abs($1.0 - $1.1) } } }
    var k = d.map { $0.map { Foundation.exp(-$0 / 0.1) } }
    for _ in 0..<20 {
      k = k.map { row in row.map { $0 / row.reduce(0, +) } }
      let columns = (0..<5).map { j in k.reduce(0) { $0 + $1[j] } }
      k = k.map { row in row.enumerated().map { $0.element / columns[$0.offset] } }
    }
    let expected = 0.002 * (0..<5).reduce(0.0) { total, i in total + (0..<5).reduce(0.0) { $0 + k[i][$1] * d[i][$1] } }
    #expect(abs(value - expected) < 1e-14)
    sinkd.scaling = .stable
    #expect(abs(sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar - expected) < 1e-12, "the log domain gives the same loss")
  }

  @Test("The sample-wise term: each row's Sinkhorn plan over the classes by plain loops; near the total variation at a small epsilon")
  func sampleWise() throws {
    let (s, t) = (Self.logits(12, rows: 4, classes: 3), Self.logits(13, rows: 4, classes: 3, scale: 2))
    var sinkd = SinkhornDistillation(granularity: .sample)
    sinkd.scale = 1
    let value = sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar
    let (ps, pt) = (Self.softmax(s, 2), Self.softmax(t, 2))
    var expected = 0.0
    for (p, q) in zip(ps, pt) {
      let off = Foundation.exp(-1 / 0.1)
      let k: [[Double]] = [[1, off, off], [off, 1, off], [off, off, 1]]
      var (u, v) = ([1.0, 1, 1], [1.0, 1, 1])
      for _ in 0..<20 {
        u = (0..<3).map { a -> Double in p[a] / (k[a][0] * v[0] + k[a][1] * v[1] + k[a][2] * v[2]) }
        v = (0..<3).map { b -> Double in q[b] / (k[0][b] * u[0] + k[1][b] * u[1] + k[2][b] * u[2]) }
      }
      var cost = 0.0
      for a in 0..<3 {
        for b in 0..<3 where a != b { cost += u[a] * k[a][b] * v[b] }
      }
      expected += cost / 4
    }
    #expect(abs(value - expected) < 1e-13)
    (sinkd.epsilon, sinkd.iterations) = (0.01, 300)
    var total = 0.0
    for (p, q) in zip(ps, pt) { total += zip(p, q).map { abs($0 - $1) }.reduce(0, +) / 8 }
    #expect(abs(sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar - total) < 0.03)
    sinkd.epsilon = 0.2
    let error = try gradientError(inputs: [s]) { sinkd(student: $0[0], teacher: t) }
    #expect(error < 1e-6, "\(error)")
  }

  @Test("At epsilon 1e-3 the public code's scaling underflows to a non-finite loss; the log domain stays finite")
  func smallEpsilon() {
    let (s, t) = (Self.logits(5, rows: 8, scale: 4), Self.logits(6, rows: 8, scale: 4))
    var sinkd = SinkhornDistillation()
    (sinkd.epsilon, sinkd.scaling) = (1e-3, .paper)
    #expect(!sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar.isFinite)
    sinkd.scaling = .stable
    #expect(sinkd(student: Graph(recording: false).constant(s), teacher: t).scalar.isFinite)
  }

  @Test("Gradients with respect to the student's logits agree with central differences")
  func gradients() throws {
    let t = Self.logits(8, rows: 5, classes: 3, scale: 2)
    for divergence in DistillationDivergence.allCases {
      let error = try gradientError(inputs: [Self.logits(7, rows: 5, classes: 3)]) { divergence(student: $0[0], teacher: t, temperature: 1.5) }
      #expect(error < 1e-6, "\(divergence): \(error)")
    }
    for scaling in SinkhornDistillation.Scaling.allCases {
      var sinkd = SinkhornDistillation()
      (sinkd.scaling, sinkd.epsilon) = (scaling, 0.3)
      let error = try gradientError(inputs: [Self.logits(9, rows: 5, classes: 3)]) { sinkd(student: $0[0], teacher: t) }
      #expect(error < 1e-6, "SinKD \(scaling): \(error)")
    }
    let total = Distillation(divergence: .jensenShannon, sinkhorn: SinkhornDistillation())
    let error = try gradientError(inputs: [Self.logits(10, rows: 5, classes: 3)]) { total.loss(student: $0[0], teacher: t, labels: [0, 1, 2, 1, 0], temperature: 2) }
    #expect(error < 1e-6, "the total loss: \(error)")
  }

  @Test("A student distilled from a teacher alone (alpha 1) agrees with the teacher; the temperature runs from 3 to 1")
  func fit() throws {
    var g = SeededGenerator(seed: 11)
    let x: Matrix<Double> = g.normalMatrix(rows: 200, columns: 3)
    let w: Matrix<Double> = g.normalMatrix(rows: 3, columns: 4)
    let teacher = Matrix.product(x, w) * 3
    let labels = argmaxRows(teacher)
    let student = Linear(inputs: 3, outputs: 4, generator: &g)
    var distillation = Distillation(divergence: .kl)
    distillation.alpha = 1
    #expect(distillation.temperature(epoch: 0, of: 5) == 3 && distillation.temperature(epoch: 4, of: 5) == 1 && distillation.temperature(epoch: 2, of: 5) == 2)
    var configuration = TrainingConfiguration(epochs: 60, batchSize: 20, patience: nil, seed: 1, showsProgress: false)
    configuration.restoreBest = false
    // Random labels: only the teacher's logits carry the signal.
    let noise = (0..<200).map { _ in g.integer(below: 4) }
    _ = try distillation.fit(student, optimizer: Adam(learningRate: 0.05), inputs: x, teacher: teacher, labels: noise, configuration: configuration)
    let agreement = zip(argmaxRows(student(Graph.inference().constant(x)).value), labels).filter { $0 == $1 }.count
    #expect(agreement >= 190, "\(agreement) of 200")
  }
}
