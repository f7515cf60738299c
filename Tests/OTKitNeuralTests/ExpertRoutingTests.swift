import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitNeural

@Suite("Mixture-of-experts routers: BASE, S-BASE, Selective Sinkhorn Routing, sparse transport")
struct ExpertRoutingTests {
  func layer(_ routing: ExpertRouting, experts: Int = 4, topK: Int = 2, seed: UInt64 = 5) -> MixtureOfExperts {
    var g = SeededGenerator(seed: seed)
    return MixtureOfExperts(dimension: 3, experts: experts, hidden: [5], topK: topK, capacityFactor: 2, routing: routing, generator: &g)
  }

  func points(_ rows: Int, seed: UInt64 = 9) -> Matrix<Double> {
    var g = SeededGenerator(seed: seed)
    return g.normalMatrix(rows: rows, columns: 3)
  }

  @Test("BASE's assignment is balanced and optimal: every slot filled, no better assignment by brute force", arguments: [6, 5])
  func balancedAssignment(tokens m: Int) throws {
    var g = SeededGenerator(seed: UInt64(m))
    let scores: Matrix<Double> = g.normalMatrix(rows: m, columns: 3)
    let experts = try #require(MixtureOfExperts.balancedAssignment(scores: scores))
    let loads = (0..<3).map { e in experts.filter { $0 == e }.count }
    #expect(loads.allSatisfy { $0 <= 2 } && loads.reduce(0, +) == m)
    if m == 6 { #expect(loads == [2, 2, 2]) }
    // Brute force over every assignment within the capacity of 2 per expert.
    var best = -Double.infinity
    func search(_ i: Int, _ used: [Int], _ total: Double) {
      if i == m { best = max(best, total); return }
      for e in 0..<3 where used[e] < 2 {
        var next = used
        next[e] += 1
        search(i + 1, next, total + scores[i, e])
      }
    }
    search(0, [0, 0, 0], 0)
    let total = experts.enumerated().reduce(0) { $0 + scores[$1.offset, $1.element] }
    #expect(abs(total - best) < 1e-12)
    #expect(MixtureOfExperts.balancedAssignment(scores: Matrix(rows: 2, columns: 2, elements: [0, .nan, 1, 2])) == nil)
  }

  @Test("BASE in the layer: exactly m / n tokens per expert in training, greedy top-1 at inference, sigmoid gates")
  func baseLayer() throws {
    let moe = layer(.balancedAssignment)
    let x = points(16)
    let graph = Graph(recording: false)
    let trained = moe(graph.constant(x))
    #expect(trained.loads == [4, 4, 4, 4] && trained.dropped == 0 && trained.solve == nil)
    let inferred = moe(graph.constant(x), training: false)
    #expect(inferred.loads.reduce(0, +) == 16)
    let error = try parameterGradientError(moe, input: x) { moe($0).output }
    #expect(error < 1e-6, "\(error)")
  }

  @Test("SSR with every pass on the plan: within capacity, gates sum to 1 over the chosen experts, and the unrolled and implicit gradients agree with central differences",
    arguments: [SinkhornRouting.Gradient.unrolled, .implicit])
  func selectiveSinkhornGradients(_ gradient: SinkhornRouting.Gradient) throws {
    // Unrolled: a fixed number of iterations (tolerance 0); implicit: the converged plan.
    let settings = gradient == .unrolled
      ? SinkhornRouting(epsilon: 0.5, iterations: 30, tolerance: 0, gradient: .unrolled)
      : SinkhornRouting(epsilon: 0.5, iterations: 5000, tolerance: 1e-13, gradient: .implicit)
    let moe = layer(.selectiveSinkhorn(settings, fraction: 1))
    let x = points(8)
    let routed = moe(Graph(recording: false).constant(x))
    #expect(routed.solve != nil && routed.loads.allSatisfy { $0 <= 8 })
    let graph = Graph(recording: false)
    let logits = moe.router(graph.constant(x))
    var random = SeededGenerator(seed: 0)
    let decision = moe.route(logits: logits, probabilities: logits.softmax(), training: true, random: &random)
    for (i, experts) in decision.choices.enumerated() {
      #expect(experts.count == 2 && abs(experts.reduce(0) { $0 + decision.gates.value[i, $1] } - 1) < 1e-12)
    }
    let error = try gradientError(inputs: [x]) { moe($0[0]).output }
    #expect(error < 1e-5, "\(error)")
    let parameters = try parameterGradientError(moe, input: x) { moe($0).output }
    #expect(parameters < 1e-5, "\(parameters)")
  }

  @Test("SSR detached: a transport pass sends the router no gradient through the gates; the fraction picks the branch")
  func selectiveSinkhornDetached() throws {
    let moe = layer(.selectiveSinkhorn(SinkhornRouting(), fraction: 1))
    let graph = Graph()
    let routed = moe(graph.constant(points(12)))
    moe.zeroGradients()
    try graph.backward(routed.output.square().sum())
    #expect(moe.router.weight.gradient.elements.allSatisfy { $0 == 0 })
    #expect(moe.experts[0].namedParameters.contains { $0.parameter.gradient.elements.contains { $0 != 0 } })
    let never = layer(.selectiveSinkhorn(SinkhornRouting(), fraction: 0))
    #expect(never(Graph(recording: false).constant(points(12))).solve == nil)
    #expect(moe(Graph(recording: false).constant(points(12)), training: false).solve == nil, "inference is softmax top-k")
  }

  @Test("A balanced plan balances: Sinkhorn-chosen first experts spread evenly where softmax top-1 piles up")
  func sinkhornBalances() {
    var g = SeededGenerator(seed: 4)
    var x: Matrix<Double> = g.normalMatrix(rows: 64, columns: 3)
    for i in 0..<64 { x[i, 0] += 3 }  // a shift that sends most tokens to the same expert
    let softmax = layer(.softmaxTopK(noise: 0), topK: 1)
    let sbase = layer(.sinkhornExperts(SinkhornRouting(epsilon: 0.01, iterations: 2000, tolerance: 1e-9)), topK: 1)
    let graph = Graph(recording: false)
    let plain = softmax(graph.constant(x), training: false).loads
    let balanced = sbase(graph.constant(x), training: false).loads  // inference: softmax top-1 again
    #expect(plain == balanced)
    let trained = sbase(graph.constant(x))
    #expect(trained.solve?.status == .converged)
    let spread = trained.loads.max()! - trained.loads.min()!
    #expect(spread <= 4 && plain.max()! > 24, "\(trained.loads) against \(plain)")
  }

  @Test("Sparse transport: at most k experts per token, gates are the plan's normalized columns, and their gradient with the potentials fixed agrees with central differences")
  func sparseTransport() throws {
    var g = SeededGenerator(seed: 6)
    let logits: Matrix<Double> = g.normalMatrix(rows: 16, columns: 4)
    let graph = Graph(recording: false)
    let p = graph.constant(logits).softmax()
    let (choices, gates, solve) = try #require(MixtureOfExperts.sparseTransportGates(probabilities: p, topK: 2, gamma: 0.1))
    #expect(choices.allSatisfy { (1...2).contains($0.count) } && solve.iterations > 0)
    for (i, experts) in choices.enumerated() {
      #expect(abs(experts.reduce(0) { $0 + gates.value[i, $1] } - 1) < 1e-12)
      #expect(experts.allSatisfy { gates.value[i, $0] > 0 })
    }
    let alpha: [Double] = g.normalMatrix(rows: 1, columns: 4).elements
    let error = try gradientError(inputs: [logits]) {
      MixtureOfExperts.sparseProjection(probabilities: $0[0].softmax(), potentials: alpha, support: choices, gamma: 0.1)
    }
    #expect(error < 1e-6, "\(error)")
    let moe = layer(.sparseTransport(gamma: 0.1))
    let routed = moe(graph.constant(points(16)), training: false)
    #expect(routed.solve != nil && routed.loads.reduce(0, +) <= 32)
  }
}
