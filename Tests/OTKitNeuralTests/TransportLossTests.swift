import Foundation
import OTKitCore
import OTKitTransport
import Testing

@testable import OTKitAutograd

/// OT terms on the tape: finite differences, and the envelope, implicit and unrolled
/// gradients against each other.
@Suite("Transport losses on the tape")
struct TransportLossTests {
  static let solver = Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-13, maxIterations: 100_000)

  static func clouds(seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
    var g = SeededGenerator(seed: seed)
    return (g.normalMatrix(rows: 6, columns: 2), g.normalMatrix(rows: 5, columns: 2) + 0.5)
  }

  @Test("OT_eps between point clouds: envelope gradients in both clouds agree with central differences", arguments: [GroundCost.squaredEuclidean, .euclidean])
  func entropicPoints(cost: GroundCost) throws {
    let (x, y) = Self.clouds(seed: 1)
    let error = try gradientError(inputs: [x, y]) { t in
      try! TransportLoss.entropic(t[0], t[1], cost: cost, solver: Self.solver).value
    }
    #expect(error < 1e-6)
  }

  @Test("The Sinkhorn divergence: zero on equal clouds, positive otherwise, gradients agree with central differences")
  func divergence() throws {
    let (x, y) = Self.clouds(seed: 2)
    let graph = Graph()
    let same = try TransportLoss.sinkhornDivergence(graph.constant(x), graph.constant(x), solver: Self.solver)
    #expect(abs(same.value.scalar) < 1e-10 && same.status == .converged)
    let error = try gradientError(inputs: [x, y]) { t in try! TransportLoss.sinkhornDivergence(t[0], t[1], solver: Self.solver).value }
    #expect(error < 1e-6)
    // The value is the library's divergence.
    let reference = try Self.solver.divergence(x, y)
    let term = try TransportLoss.sinkhornDivergence(graph.constant(x), graph.constant(y), solver: Self.solver)
    #expect(abs(term.value.scalar - reference.value) < 1e-12 && term.value.scalar > 0)
  }

  @Test("Envelope, implicit and unrolled gradients of OT_eps agree at convergence (costs, points and weights)")
  func threeGradients() throws {
    let (x, y) = Self.clouds(seed: 3)
    let a = Matrix(column: [0.1, 0.2, 0.15, 0.25, 0.2, 0.1]), b = Matrix(column: [0.3, 0.1, 0.2, 0.25, 0.15])
    var gradients: [TransportGradient: [Matrix<Double>]] = [:]
    var values: [TransportGradient: Double] = [:]
    for mode in TransportGradient.allCases {
      let graph = Graph()
      let (tx, ty, ta, tb) = (graph.variable(x), graph.variable(y), graph.variable(a), graph.variable(b))
      let term = try TransportLoss.entropic(
        costs: TransportLoss.squaredDistances(tx, ty), sourceWeights: ta, targetWeights: tb, solver: Self.solver, gradient: mode)
      try graph.backward(term.value)
      values[mode] = term.value.scalar
      // Weight gradients are defined up to a constant: compare them centered.
      func centered(_ m: Matrix<Double>, _ w: Matrix<Double>) -> Matrix<Double> { m - (m * w).sum() / w.sum() }
      gradients[mode] = [graph.gradient(of: tx)!, graph.gradient(of: ty)!, centered(graph.gradient(of: ta)!, a), centered(graph.gradient(of: tb)!, b)]
    }
    let envelope = gradients[.envelope]!
    for mode in [TransportGradient.implicit, .unrolled] {
      #expect(abs(values[mode]! - values[.envelope]!) < 1e-9 * abs(values[.envelope]!), "\(mode) value")
      for (k, g) in gradients[mode]!.enumerated() {
        let scale = envelope[k].elements.map(abs).max()!
        #expect((g - envelope[k]).elements.map(abs).max()! < 1e-6 * scale, "\(mode) input \(k)")
      }
    }
  }

  @Test("The plan's implicit vector-Jacobian product equals the unrolled one for a loss on the plan")
  func planProducts() throws {
    let (x, y) = Self.clouds(seed: 4)
    var g = SeededGenerator(seed: 5)
    let r: Matrix<Double> = g.normalMatrix(rows: 6, columns: 5)
    var results: [Matrix<Double>] = []
    for mode in [TransportGradient.implicit, .unrolled] {
      let graph = Graph()
      let c = graph.variable(TransportLoss.squaredDistances(graph.constant(x), graph.constant(y)).value)
      let plan = try TransportLoss.entropicPlan(costs: c, solver: Self.solver, gradient: mode)
      #expect(plan.status == .converged)
      try graph.backward((plan.plan * graph.constant(r)).sum())
      results.append(graph.gradient(of: c)!)
    }
    let scale = results[0].elements.map(abs).max()!
    #expect(scale > 1e-3)
    #expect((results[0] - results[1]).elements.map(abs).max()! < 1e-6 * scale)
    // And the implicit one against central differences of the solved plan.
    let constants = Graph(recording: false)
    let error = try gradientError(inputs: [TransportLoss.squaredDistances(constants.constant(x), constants.constant(y)).value]) { t in
      try! TransportLoss.entropicPlan(costs: t[0], solver: Self.solver).plan
    }
    #expect(error < 1e-6)
  }

  @Test("Exact transport: the envelope gradient at the optimal plan agrees with central differences")
  func exact() throws {
    let (x, y) = Self.clouds(seed: 6)
    let error = try gradientError(inputs: [x, Matrix(rows: 6, columns: 2) { i, k in y[i % 5, k] + 0.1 * Double(i) }]) { t in
      try! TransportLoss.exact(t[0], t[1]).value
    }
    #expect(error < 1e-6)
  }

  @Test("In Float: the solve runs in Float, the value and gradients are Double and close")
  func float() throws {
    let (x, y) = Self.clouds(seed: 7)
    var single = Self.solver
    (single.useFloat, single.tolerance) = (true, 1e-6)
    let graph = Graph()
    let (tx, ty) = (graph.variable(x), graph.variable(y))
    let term = try TransportLoss.entropic(tx, ty, solver: single)
    try graph.backward(term.value)
    let reference = try TransportLoss.entropic(graph.constant(x), graph.constant(y), solver: Self.solver)
    #expect(abs(term.value.scalar - reference.value.scalar) < 1e-4 * abs(reference.value.scalar))
    #expect(graph.gradient(of: tx)!.elements.allSatisfy { $0.isFinite })
  }

  /// OTT-JAX's values and gradients (`scripts/reference/transport_losses.py`).
  struct Reference: Decodable {
    struct Divergence: Decodable {
      var epsilon: Double
      var x, y, gradX, gradY: [[Double]]
      var a, b, gradA, gradB: [Double]
      var value: Double
    }
    struct Gap: Decodable {
      var epsilon: Double
      var cost: String
      var x, y, gradY: [[Double]]
      var value: Double
    }
    var divergence: [Divergence]
    var mongeGap: [Gap]

    static let loaded: Reference? = {
      let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
        .map { $0.appendingPathComponent("Resources/transport-losses.json") }
      guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }),
        let data = try? Data(contentsOf: url)
      else { return nil }
      return try? JSONDecoder().decode(Reference.self, from: data)
    }()
  }

  static func matrix(_ rows: [[Double]]) -> Matrix<Double> { Matrix(rows: rows.count, columns: rows[0].count) { rows[$0][$1] } }

  static func centered(_ v: [Double], _ w: [Double]) -> [Double] {
    let mean = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
    return v.map { $0 - mean }
  }

  @Test("The Sinkhorn divergence's value and gradients (points and weights) match OTT-JAX to 1e-6")
  func divergenceAgainstOTT() throws {
    let reference = try #require(Reference.loaded)
    for c in reference.divergence {
      let graph = Graph()
      let (x, y) = (graph.variable(Self.matrix(c.x)), graph.variable(Self.matrix(c.y)))
      let (a, b) = (graph.variable(Matrix(column: c.a)), graph.variable(Matrix(column: c.b)))
      let solver = Sinkhorn(epsilon: .absolute(c.epsilon), tolerance: 1e-11, maxIterations: 100_000)
      let term = try TransportLoss.sinkhornDivergence(x, y, sourceWeights: a, targetWeights: b, solver: solver)
      try graph.backward(term.value)
      #expect(abs(term.value.scalar - c.value) < 1e-6 * max(1, abs(c.value)), "value at epsilon \(c.epsilon)")
      let pairs = [(graph.gradient(of: x)!, Self.matrix(c.gradX)), (graph.gradient(of: y)!, Self.matrix(c.gradY))]
      for (k, (mine, theirs)) in pairs.enumerated() {
        #expect((mine - theirs).elements.map(abs).max()! < 1e-6 * max(1, theirs.elements.map(abs).max()!), "points \(k) at \(c.epsilon)")
      }
      let weights = [(graph.gradient(of: a)!.elements, c.gradA, c.a), (graph.gradient(of: b)!.elements, c.gradB, c.b)]
      for (k, (mine, theirs, w)) in weights.enumerated() {
        let difference = zip(Self.centered(mine, w), Self.centered(theirs, w)).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-6 * max(1, theirs.map(abs).max()!), "weights \(k) at \(c.epsilon)")
      }
    }
  }

  @Test("The entropic Monge gap's value and gradient in the mapped points match OTT-JAX to 1e-6; the exact gap is non-negative")
  func mongeGapAgainstOTT() throws {
    let reference = try #require(Reference.loaded)
    for c in reference.mongeGap {
      let graph = Graph()
      let (x, y) = (graph.constant(Self.matrix(c.x)), graph.variable(Self.matrix(c.y)))
      let cost: GroundCost = c.cost == "euclidean" ? .euclidean : .squaredEuclidean
      let solver = Sinkhorn(epsilon: .absolute(c.epsilon), tolerance: 1e-11, maxIterations: 100_000)
      let gap = try TransportLoss.mongeGap(source: x, mapped: y, cost: cost, solver: solver)
      try graph.backward(gap.value)
      #expect(gap.status == .converged, "\(c.cost) \(c.epsilon): \(gap.iterations) iterations, \(gap.status)")
      #expect(abs(gap.value.scalar - c.value) < 1e-6 * max(1, abs(c.value)), "\(c.cost) value")
      let theirs = Self.matrix(c.gradY)
      #expect((graph.gradient(of: y)! - theirs).elements.map(abs).max()! < 1e-6 * max(1, theirs.elements.map(abs).max()!), "\(c.cost) \(c.epsilon) gradient \(gap.iterations) \(gap.status)")
      #expect(try TransportLoss.exactMongeGap(source: Self.matrix(c.x), mapped: Self.matrix(c.y), cost: cost) >= -1e-12)
    }
    // A map that is optimal (a gradient of a convex function: a positive scaling) has exact gap 0.
    let x = Self.matrix(reference.mongeGap[0].x)
    #expect(abs(try TransportLoss.exactMongeGap(source: x, mapped: x * 2 + 1)) < 1e-10)
  }
}
