import OTKitAutograd
import OTKitCore

/// A sparse mixture-of-experts layer: a linear router scores each token (row) against `n`
/// experts, each token goes to its top-`k` experts within a capacity, and the output is the
/// gate-weighted sum of the chosen experts' outputs (N. Shazeer et al., "Outrageously large
/// neural networks: the sparsely-gated mixture-of-experts layer", ICLR 2017; W. Fedus et al.,
/// "Switch Transformers", JMLR 2022).
///
/// The ``routing`` picks the experts and the gates: softmax top-`k` (default; gates
/// renormalized over the chosen experts, with `k = 1` the router's probability, as Switch),
/// BASE's balanced assignment, S-BASE, Selective Sinkhorn Routing or sparsity-constrained
/// transport (``ExpertRouting``). Whatever the routing, Switch's load-balancing loss
/// `n sum_j f_j P_j` and ST-MoE's router z-loss `mean_i (LSE_j s_ij)^2` come back beside the
/// output for the caller to weigh. In training each expert takes at most `capacity` tokens:
/// choices are served by rank (every token's first choice before any second choice), in
/// token order; a choice over capacity is dropped and counted. At inference every choice is
/// served.
///
/// - Complexity: the router `O(m d n)` plus its solve, each expert on its tokens, the
///   combination `O(m k d)` (one scatter of the experts' rows back to token order).
public final class MixtureOfExperts: Module {
  public let router: Linear
  public let experts: [MLP]
  public let topK: Int
  /// Each expert's capacity is `ceil(capacityFactor · m · k / n)` tokens of a batch of `m`.
  public let capacityFactor: Double
  public var routing: ExpertRouting

  /// - Parameters:
  ///   - hidden: each expert's hidden widths (an MLP from `dimension` to `dimension`).
  public init(
    dimension: Int, experts n: Int, hidden: [Int], topK: Int = 2, capacityFactor: Double = 1.25,
    routing: ExpertRouting = .softmaxTopK(noise: 0), generator: inout SeededGenerator
  ) {
    precondition(n >= 1 && (1...n).contains(topK), "At least one expert and 1 <= k <= n")
    precondition(capacityFactor > 0 && capacityFactor.isFinite, "A positive capacity factor")
    router = Linear(inputs: dimension, outputs: n, generator: &generator)
    experts = (0..<n).map { _ in MLP(sizes: [dimension] + hidden + [dimension], activation: .gelu, generator: &generator) }
    (self.topK, self.capacityFactor, self.routing) = (topK, capacityFactor, routing)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("router", router) + experts.enumerated().flatMap { prefixed("experts.\($0.offset)", $0.element) }
  }

  /// What one forward pass routed.
  public struct Routed {
    public var output: Tensor
    /// Switch's load-balancing loss `n sum_j f_j P_j` (1 at a perfect balance).
    public var balanceLoss: Tensor
    /// ST-MoE's router z-loss `mean_i (log sum_j exp s_ij)^2`.
    public var zLoss: Tensor
    /// Tokens each expert processed.
    public var loads: [Int]
    /// Token choices over capacity, dropped.
    public var dropped: Int
    /// The transport solve of this pass (`nil` when none ran: softmax passes, BASE).
    public var solve: TransportSolve?
  }

  /// Each token's top-`k` experts, best first (ties to the lower index).
  ///
  /// - Complexity: `O(m n log n)`.
  public static func choices(probabilities p: Matrix<Double>, topK k: Int) -> [[Int]] {
    (0..<p.rows).map { i in Array((0..<p.columns).sorted { (p[i, $0], $1) > (p[i, $1], $0) }.prefix(k)) }
  }

  /// The tokens each expert takes: choices by rank, then token order, within `capacity`
  /// (tokens may have fewer choices than others).
  ///
  /// - Complexity: `O(m k)`.
  public static func assign(choices: [[Int]], experts n: Int, capacity: Int) -> (tokens: [[Int]], dropped: Int) {
    var tokens = [[Int]](repeating: [], count: n)
    var dropped = 0
    for rank in 0..<(choices.map(\.count).max() ?? 0) {
      for (i, chosen) in choices.enumerated() where rank < chosen.count {
        if tokens[chosen[rank]].count < capacity { tokens[chosen[rank]].append(i) } else { dropped += 1 }
      }
    }
    return (tokens, dropped)
  }

  /// A forward pass; random draws (noisy gating, SSR's branch) from a fixed seed.
  public func callAsFunction(_ x: Tensor, training: Bool = true) -> Routed {
    var random = SeededGenerator(seed: 0)
    return self(x, training: training, random: &random)
  }

  /// A forward pass, in training (transport routers, capacity, noise) or at inference.
  public func callAsFunction(_ x: Tensor, training: Bool, random: inout SeededGenerator) -> Routed {
    let (m, n) = (x.rows, experts.count)
    let graph = x.graph
    let logits = router(x)
    let probabilities = logits.softmax()
    let decision = route(logits: logits, probabilities: probabilities, training: training, random: &random)
    let perToken = decision.choices.map(\.count).max() ?? 0
    let capacity = training ? Int((capacityFactor * Double(m * perToken) / Double(n)).rounded(.up)) : m
    let (tokens, dropped) = Self.assign(choices: decision.choices, experts: n, capacity: capacity)
    var parts: [Tensor] = []
    for (e, rows) in tokens.enumerated() where !rows.isEmpty {
      parts.append(experts[e](x.gatherRows(rows)) * decision.gates.gatherRows(rows).slice(columns: e..<(e + 1)))
    }
    let output = parts.isEmpty ? x * 0 : Tensor.concatenate(parts, along: .rows).scatterRows(tokens.flatMap { $0 }, rows: m)
    // Switch: f_j, the share of tokens whose first choice is j (a constant), against P_j.
    var shares = Matrix<Double>(rows: 1, columns: n)
    for experts in decision.choices where !experts.isEmpty { shares[0, experts[0]] += 1 }
    shares = shares.map { $0 / Double(max(m, 1)) }
    return Routed(
      output: output, balanceLoss: (probabilities.mean(.rows) * graph.constant(shares)).sum() * Double(n),
      zLoss: logits.logSumExp().square().mean(), loads: tokens.map(\.count), dropped: dropped, solve: decision.solve)
  }
}
