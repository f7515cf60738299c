import Foundation
import OTKitCore
import OTKitData
import Testing

@testable import OTKitTabular

@Suite("OT metrics of training")
struct TransportMetricsTests {
  static func cloud(_ n: Int, seed: UInt64) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    return g.normalMatrix(rows: n, columns: 2)
  }

  @Test("Straight paths: normalized efficiency 1, the study's efficiency TD / sum|D_i - S_i| < 1")
  func straight() throws {
    let s = Self.cloud(50, seed: 1)
    let d = s * 3.0  // every point moves on a straight line
    let recorder = TrajectoryRecorder(start: s, labels: Array(repeating: 0, count: 50), classes: 1)
    for step in 1...4 { recorder.record(s * (1 + 2 * Double(step) / 4), isBest: true) }
    let metrics = try recorder.metrics().total
    #expect(abs(metrics.normalizedEfficiency - 1) < 1e-12)
    #expect(abs(metrics.transformerCost - metrics.straightLength) < 1e-9)
    // TD is the l2 aggregate, the cost an l1 sum: TD / cost is at most 1 / sqrt(N) times the ratio of norms.
    #expect(metrics.efficiency < 1 && metrics.efficiency > 0)
    #expect(abs(metrics.transformerDistance - ((d - s) * (d - s)).sum().squareRoot()) < 1e-9)
  }

  @Test("A translation: the identity is the optimal assignment, so Monge gap 0, optimality 1 and matching 1")
  func identityOptimal() throws {
    let s = Self.cloud(80, seed: 2)
    let d = s + Matrix(row: [0.3, -0.2])
    let m = try TransportMetrics(start: s, end: d)
    #expect(abs(m.mongeGap) < 1e-9)
    #expect(abs(m.optimality - 1) < 1e-12)
    #expect(m.matching == 1)
    #expect(abs(m.transformerDistance - (80 * 0.13).squareRoot()) < 1e-9)
  }

  @Test("A hand-computed case: two points swap, a third moves along a bent path")
  func handComputed() throws {
    // Points 0 and 1 swap places; point 2 moves from (5, 0) to (5, 2) via (6, 1).
    let s = Matrix<Double>([[0, 0], [1, 0], [5, 0]])
    let mid = Matrix<Double>([[0.5, 0], [0.5, 0], [6, 1]])
    let d = Matrix<Double>([[1, 0], [0, 0], [5, 2]])
    let recorder = TrajectoryRecorder(start: s, labels: [0, 0, 0], classes: 1)
    recorder.record(mid, isBest: true)
    recorder.record(d, isBest: true)
    recorder.record(s, isBest: false)  // a later, worse epoch is not the end point
    let m = try recorder.metrics().total
    // TD = sqrt(1 + 1 + 4); W: the swap costs 0, point 2 must go to (5, 2): W = 2.
    #expect(abs(m.transformerDistance - 6.0.squareRoot()) < 1e-12)
    #expect(abs(m.wasserstein - 2) < 1e-12)
    #expect(abs(m.mongeGap - (6.0.squareRoot() - 2)) < 1e-12)
    #expect(abs(m.optimality - 2 / 6.0.squareRoot()) < 1e-12)
    #expect(abs(m.matching - 1.0 / 3) < 1e-12)
    // Path: 0.5 + 0.5 for each swapped point, 2 sqrt(2) for the third.
    #expect(abs(m.transformerCost - (2 + 2 * 2.0.squareRoot())) < 1e-12)
    #expect(abs(m.straightLength - 4) < 1e-12)
    #expect(abs(m.efficiency - 6.0.squareRoot() / (2 + 2 * 2.0.squareRoot())) < 1e-12)
    #expect(abs(m.normalizedEfficiency - 4 / (2 + 2 * 2.0.squareRoot())) < 1e-12)
    #expect(recorder.bestEpoch == 1 && recorder.epochs == 3)
    #expect(recorder.sampledPositions.count == 4)
  }

  @Test("Per-class metrics sum to the total; ratios come from the sums")
  func perClass() throws {
    let s = Self.cloud(60, seed: 3)
    let d = Matrix<Double>(rows: 60, columns: 2) { i, j in s[(i + 1) % 60, j] * 0.5 }
    let labels = (0..<60).map { $0 % 3 }
    let metrics = try TrainingTransportMetrics(start: s, end: d, pathLengths: nil, labels: labels, classes: 3, epoch: 0)
    #expect(metrics.perClass.count == 3 && metrics.perClass.allSatisfy { $0.points == 20 })
    #expect(abs(metrics.total.transformerDistance - metrics.perClass.map(\.transformerDistance).reduce(0, +)) < 1e-9)
    #expect(abs(metrics.total.optimality - metrics.total.wasserstein / metrics.total.transformerDistance) < 1e-12)
    for m in metrics.perClass + [metrics.total] {
      #expect(m.wasserstein <= m.transformerDistance + 1e-12 && m.mongeGap >= 0)
      #expect(m.optimality > 0 && m.optimality <= 1)
    }
  }

  @Test("Points that never move: ratios are 1, never NaN")
  func still() throws {
    let s = Self.cloud(10, seed: 4)
    let m = try TransportMetrics(start: s, end: s, pathLengths: Array(repeating: 0, count: 10))
    #expect(m.optimality == 1 && m.efficiency == 1 && m.normalizedEfficiency == 1 && m.matching == 1 && m.mongeGap == 0)
  }
}

@Suite("Class Gaussians and sequence data")
struct ClassGaussiansTests {
  @Test("The circle placement: radius 3k in the first two coordinates, as the study")
  func circle() throws {
    let g = try ClassGaussians.dummies(classes: 4, dimension: 3, placement: .circle)
    #expect(g.means.count == 4)
    for (i, mean) in g.means.enumerated() {
      let angle = 2 * Double.pi * Double(i) / 4
      #expect(abs(mean[0] - 12 * sin(angle)) < 1e-12 && abs(mean[1] - 12 * cos(angle)) < 1e-12 && mean[2] == 0)
    }
    #expect(throws: TabularModelError.self) { try ClassGaussians.dummies(classes: 3, dimension: 1, placement: .circle) }
  }

  @Test("The simplex placement: every pair equally far, circumradius 3k", arguments: [2, 3, 4, 7])
  func simplex(classes k: Int) throws {
    let g = try ClassGaussians.dummies(classes: k, dimension: 8, placement: .simplex)
    var distances: [Double] = []
    for a in 0..<k {
      #expect(abs(g.means[a].map { $0 * $0 }.reduce(0, +).squareRoot() - 3 * Double(k)) < 1e-9)
      for b in (a + 1)..<k { distances.append(zip(g.means[a], g.means[b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()) }
    }
    #expect(distances.max()! - distances.min()! < 1e-9)
    // Automatic: the circle up to 3 classes (a regular simplex there too), the simplex beyond.
    let automatic = try ClassGaussians.dummies(classes: k, dimension: 8)
    let expected = try ClassGaussians.dummies(classes: k, dimension: 8, placement: k <= 3 ? .circle : .simplex)
    #expect(automatic == expected)
    #expect(throws: TabularModelError.self) { try ClassGaussians.dummies(classes: 10, dimension: 8, placement: .simplex) }
  }

  @Test("Bures distance: closed forms for equal covariances and for 1-D variances")
  func bures() throws {
    let study = ClassGaussians.study(classes: 2, separation: 1.5)
    #expect(abs(try study.gaussDist() - 3) < 1e-12)
    let three = ClassGaussians.study(classes: 3, separation: 2)
    let x = 12 / (2 * (1 + 2.0.squareRoot()))
    let expected = (2 * x + 2 * (2 * x * x).squareRoot()) / 3
    #expect(abs(try three.gaussDist() - expected) < 1e-12)
    // W2(N(0, 4), N(1, 9)) = sqrt(1 + (2 - 3)^2).
    let oneD = ClassGaussians(means: [[0], [1]], covariances: [Matrix([[4]]), Matrix([[9]])])
    #expect(abs(try oneD.buresDistance(0, 1) - 2.0.squareRoot()) < 1e-12)
    // Commuting diagonal covariances: the trace term is sum (sqrt a - sqrt b)^2.
    let diag = ClassGaussians(means: [[0, 0], [0, 0]], covariances: [Matrix([[1, 0], [0, 4]]), Matrix([[4, 0], [0, 1]])])
    #expect(abs(try diag.buresDistance(0, 1) - 2.0.squareRoot()) < 1e-12)
  }

  @Test("The symmetric eigen-decomposition reconstructs the matrix with orthonormal vectors")
  func eigen() throws {
    var g = SeededGenerator(seed: 5)
    let a: Matrix<Double> = g.normalMatrix(rows: 6, columns: 6)
    let s = Matrix.product(a, a, transposeB: true)
    let (values, v) = try s.symmetricEigen()
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 })
    let rebuilt = Matrix<Double>(rows: 6, columns: 6) { i, j in (0..<6).reduce(0) { $0 + v[i, $1] * values[$1] * v[j, $1] } }
    #expect(rebuilt.isApproximatelyEqual(to: s, absoluteTolerance: 1e-10))
    let gram = Matrix.product(v, v, transposeA: true)
    #expect(gram.isApproximatelyEqual(to: Matrix(rows: 6, columns: 6) { $0 == $1 ? 1 : 0 }, absoluteTolerance: 1e-12))
    let root = try s.symmetricSquareRoot()
    #expect(Matrix.product(root, root).isApproximatelyEqual(to: s, absoluteTolerance: 1e-9))
    #expect(throws: LinearAlgebraError.self) { try Matrix<Double>([[1, 2], [0, 1]]).symmetricEigen() }
  }

  @Test("Simulation: the study's layout and alternating split; standardization uses training statistics")
  func simulate() throws {
    let g = ClassGaussians.study(classes: 3, separation: 2)
    let data = g.simulate(instances: 90, tokens: 20, seed: 1)
    #expect(data.instances == 90 && data.tokens == 20 && data.points.rows == 1800 && data.dimension == 2)
    #expect((0..<3).allSatisfy { c in data.labels.filter { $0 == c }.count == 30 })
    let (train, test) = data.alternatingSplit()
    #expect(train.instances == 45 && test.instances == 45)
    #expect(train.points.row(20) == data.points.row(40))  // instance 1 of train is instance 2 of the data
    // Class means are near the study's.
    let first = data.subset(Array(0..<30)).points.columnMeans()
    #expect(abs(first[0] + 6 * 2 / (2 * (1 + 2.0.squareRoot()))) < 0.2 && abs(first[1]) < 0.2)
    let scaler = Standardizer(fitting: train.points)
    let standardized = try test.standardized(scaler)
    #expect(standardized.points == (try scaler.transform(test.points)))
  }

  @Test("The sequence layout of table rows: p / d tokens of d consecutive columns")
  func layout() throws {
    let rows = Matrix<Double>([[1, 2, 3, 4], [5, 6, 7, 8]])
    let labeled = LabeledData(features: rows, labels: [0, 1], classLabels: ["a", "b"], featureNames: ["p", "q", "r", "s"])
    let data = try SequenceData(labeled, tokenDimension: 2)
    #expect(data.tokens == 2 && data.points == Matrix([[1, 2], [3, 4], [5, 6], [7, 8]]))
    #expect(data.pointLabels == [0, 0, 1, 1])
    #expect(data.featureNames == ["p", "q", "r", "s"])
    #expect(throws: (any Error).self) { try SequenceData(labeled, tokenDimension: 3) }
    let whole = try SequenceData(labeled)
    #expect(whole.tokens == 1 && whole.coordinateNames == ["p", "q", "r", "s"])
  }
}
