import OTKitAutograd
import OTKitCore

/// A sparse mixture-of-experts layer: a linear router scores each token (row) against `n`
/// experts, each token goes to its top-`k` experts within a capacity, and the output is the
/// gate-weighted sum of the chosen experts' outputs (N. Shazeer et al., "Outrageously large
/// neural networks: the sparsely-gated mixture-of-experts layer", ICLR 2017; W. Fedus et al.,
/// "Switch Transformers", JMLR 2022).
///
/// Routing here is softmax top-`k` (gates renormalized over the chosen experts; with `k = 1`
/// the gate is the router's probability, as Switch), with Switch's load-balancing loss
/// `n sum_j f_j P_j` and ST-MoE's router z-loss `mean_i (LSE_j s_ij)^2` returned beside the
/// output for the caller to weigh. Each expert takes at most `capacity` tokens: choices are
/// served by rank (every token's first choice before any second choice), in token order;
/// a choice over capacity is dropped and counted.
///
/// - Complexity: the router `O(m d n)`, each expert on its tokens, the combination
///   `O(m · k_e · d)` per expert (a product with a constant `m x k_e` scatter matrix).
public final class MixtureOfExperts: Module {
  public let router: Linear
  public let experts: [MLP]
  public let topK: Int
  /// Each expert's capacity is `ceil(capacityFactor · m · k / n)` tokens of a batch of `m`.
  public let capacityFactor: Double

  /// - Parameters:
  ///   - hidden: each expert's hidden widths (an MLP from `dimension` to `dimension`).
  public init(dimension: Int, experts n: Int, hidden: [Int], topK: Int = 2, capacityFactor: Double = 1.25, generator: inout SeededGenerator) {
    precondition(n >= 1 && (1...n).contains(topK), "At least one expert and 1 <= k <= n")
    precondition(capacityFactor > 0 && capacityFactor.isFinite, "A positive capacity factor")
    router = Linear(inputs: dimension, outputs: n, generator: &generator)
    experts = (0..<n).map { _ in MLP(sizes: [dimension] + hidden + [dimension], activation: .gelu, generator: &generator) }
    (self.topK, self.capacityFactor) = (topK, capacityFactor)
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
  }

  /// Each token's top-`k` experts, best first (ties to the lower index).
  ///
  /// - Complexity: `O(m n log n)`.
  public static func choices(probabilities p: Matrix<Double>, topK k: Int) -> [[Int]] {
    (0..<p.rows).map { i in Array((0..<p.columns).sorted { (p[i, $0], $1) > (p[i, $1], $0) }.prefix(k)) }
  }

  /// The tokens each expert takes: choices by rank, then token order, within `capacity`.
  ///
  /// - Complexity: `O(m k)`.
  public static func assign(choices: [[Int]], experts n: Int, capacity: Int) -> (tokens: [[Int]], dropped: Int) {
    var tokens = [[Int]](repeating: [], count: n)
    var dropped = 0
    for rank in 0..<(choices.first?.count ?? 0) {
      for (i, chosen) in choices.enumerated() {
        if tokens[chosen[rank]].count < capacity { tokens[chosen[rank]].append(i) } else { dropped += 1 }
      }
    }
    return (tokens, dropped)
  }

  public func callAsFunction(_ x: Tensor) -> Routed {
    let (m, n) = (x.rows, experts.count)
    let graph = x.graph
    let logits = router(x)
    let probabilities = logits.softmax()
    let capacity = Int((capacityFactor * Double(m * topK) / Double(n)).rounded(.up))
    let choices = Self.choices(probabilities: probabilities.value, topK: topK)
    let (tokens, dropped) = Self.assign(choices: choices, experts: n, capacity: capacity)
    // Gates: the probabilities renormalized over each token's top-k (its kept and dropped choices).
    var chosen = Matrix<Double>(rows: m, columns: n)
    for (i, experts) in choices.enumerated() { for e in experts { chosen[i, e] = 1 } }
    let gates = topK == 1 ? probabilities : probabilities / (probabilities * graph.constant(chosen)).sum(.columns)
    var output: Tensor?
    for (e, rows) in tokens.enumerated() where !rows.isEmpty {
      let unit = graph.constant(Matrix(rows: n, columns: 1) { j, _ in j == e ? 1 : 0 })
      let weighted = experts[e](x.gatherRows(rows)) * Tensor.product(gates.gatherRows(rows), unit)
      let scatter = graph.constant(Matrix(rows: m, columns: rows.count) { i, j in rows[j] == i ? 1 : 0 })
      let part = Tensor.product(scatter, weighted)
      output = output.map { $0 + part } ?? part
    }
    // Switch: f_j, the share of tokens whose first choice is j (a constant), against P_j.
    var shares = Matrix<Double>(rows: 1, columns: n)
    for experts in choices { shares[0, experts[0]] += 1 }
    shares = shares.map { $0 / Double(max(m, 1)) }
    return Routed(
      output: output ?? x * 0, balanceLoss: (probabilities.mean(.rows) * graph.constant(shares)).sum() * Double(n),
      zLoss: logits.logSumExp().square().mean(), loads: tokens.map(\.count), dropped: dropped)
  }
}
