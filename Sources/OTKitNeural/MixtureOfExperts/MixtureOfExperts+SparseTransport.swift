import OTKitAutograd
import OTKitCore
import OTKitTransport

extension MixtureOfExperts {
  /// Sparsity-constrained routing (T. Liu, J. Puigcerver, M. Blondel, "Sparsity-constrained
  /// optimal transport", ICLR 2023): experts (mass `m / n` each) to tokens (mass 1 each) with
  /// costs `-p` for the router's softmax `p`, regularized by `(γ/2)|t|²` with at most `k`
  /// non-zeros per token, by L-BFGS on the semi-dual over the experts' potentials `α`.
  ///
  /// Token `i`'s plan column is the sparse projection `y_i = [z_i - τ_i]_+` on its support
  /// `S_i` of `z_i = (α + p_i) / γ`, with `τ_i = (Σ_{S_i} z - 1) / |S_i|`, and sums to 1; the
  /// gates are `y_i`, recorded on the tape with `α` and `S_i` held at the solve's values (the
  /// almost-everywhere derivative of the projection, with the potentials fixed).
  ///
  /// - Returns: each token's experts by decreasing gate, the gates (`m x n`, zero off the
  ///   support), and the solve; `nil` when the scores are not finite.
  /// - Complexity: the solve, `O(m n)` plus a top-`k` selection per token and evaluation; the
  ///   gates `O(m n)`.
  static func sparseTransportGates(
    probabilities p: Tensor, topK k: Int, gamma: Double
  ) -> (choices: [[Int]], gates: Tensor, solve: TransportSolve)? {
    let (m, n) = (p.rows, p.columns)
    let costs = Matrix<Double>(rows: n, columns: m) { e, i in -p.value[i, e] }
    guard let problem = try? TransportProblem(
      cost: costs, sourceWeights: [Double](repeating: Double(m) / Double(n), count: n),
      targetWeights: [Double](repeating: 1, count: m))
    else { return nil }
    let solver = SmoothTransport(
      regularizer: .sparse(gamma: gamma, maxNonZeros: k), tolerance: 1e-6, maxIterations: 200, functionTolerance: 1e-12)
    let result = solver.solve(problem)
    let plan = result.densePlan()
    let choices = (0..<m).map { i in (0..<n).filter { plan[$0, i] > 0 }.sorted { (plan[$0, i], $1) > (plan[$1, i], $0) } }
    let gates = sparseProjection(probabilities: p, potentials: result.sourcePotential, support: choices, gamma: gamma)
    return (choices, gates, TransportSolve(status: result.status, iterations: result.iterations))
  }

  /// `[z_i - τ_i]` on each token's support `S_i` (zero elsewhere), for `z_i = (α + p_i) / γ`
  /// and `τ_i = (Σ_{S_i} z - 1) / |S_i|`, on the tape with `α` and the supports constant.
  ///
  /// - Complexity: `O(m n)`.
  static func sparseProjection(probabilities p: Tensor, potentials alpha: [Double], support: [[Int]], gamma: Double) -> Tensor {
    let (m, n) = (p.rows, p.columns)
    var mask = Matrix<Double>(rows: m, columns: n), sizes = Matrix<Double>(rows: m, columns: 1)
    for (i, experts) in support.enumerated() {
      for e in experts { mask[i, e] = 1 }
      sizes[i, 0] = Double(max(experts.count, 1))
    }
    let graph = p.graph
    let z = (p + graph.constant(Matrix(rows: 1, columns: n, elements: alpha))) / gamma
    let inside = graph.constant(mask)
    let threshold = ((z * inside).sum(.columns) - 1) / graph.constant(sizes)
    return (z - threshold) * inside
  }
}
