import OTKitAttention
import OTKitCore

extension AttentionIdentities {
  /// Measures the identities of one head on the autograd tape: the raw scores `Q K^T`
  /// (before the temperature) go through `/ tau` and the anchor as in training, the tape
  /// back-propagates `upstream` (`dL/dW`), and its gradient is compared with the advantage
  /// form; for up to `jacobianRows` rows (evenly spaced), the tape's Jacobian of the row is
  /// compared with the Fisher information over `tau` and the complex-step Hessian of
  /// `tau LSE(s / tau)`.
  ///
  /// A row anchor's Jacobian comes from the row alone (`m` backward passes over one row);
  /// another anchor's from `m` backward passes over the head, done when `n m^2` times the
  /// rows is at most `2^26` (else `fisherHessianMaxError` is `nil`). Rows of more than 1,024
  /// keys are not checked (the Fisher information as an expectation is `O(m^3)`).
  ///
  /// - Complexity: one backward pass, plus `O(rows m^3)` for the Jacobian checks.
  public static func measure(
    rawScores s: Matrix<Double>, temperature tau: Double, anchor: AttentionAnchor, upstream u: Matrix<Double>,
    jacobianRows: Int = 8
  ) -> AttentionIdentities {
    let graph = Graph()
    let raw = graph.variable(s)
    let weights = (raw * (1 / tau)).anchored(anchor)
    try! graph.backward(weights, seed: u)  // A recording graph: cannot fail.
    let g = graph.gradient(of: raw) ?? Matrix(rows: s.rows, columns: s.columns)
    let advantage = advantageForm(weights: weights.value, upstream: u, temperature: tau)
    let error = zip(g.elements, advantage.elements).map { abs($0 - $1) }.largestErrorPropagatingNaN()
    let (n, m) = (s.rows, s.columns)
    let rows = m <= 1024 ? Swift.min(n, Swift.max(jacobianRows, 0)) : 0
    let checked = anchor.isRowwise || n * m * m * rows <= 1 << 26 ? rows : 0
    var fisherError: Double? = checked > 0 ? 0 : nil
    for k in 0..<checked {
      let i = checked == 1 ? 0 : k * (n - 1) / (checked - 1)
      let jacobian = anchor.isRowwise
        ? rowJacobian(s.row(i), tau: tau, anchor: anchor)
        : headJacobianBlock(s, row: i, tau: tau, anchor: anchor)
      let p = weights.value.row(i)
      let fisher = AttentionDiagnostics.fisherInformation(probabilities: p)
      let hessian = dualPotentialHessian(scores: s.row(i), temperature: tau)
      for index in jacobian.elements.indices {
        let jv = jacobian.elements[index]
        for difference in [abs(jv - fisher.elements[index] / tau), abs(jv - hessian.elements[index])]
        where !(difference <= fisherError!) {
          fisherError = difference  // NaN stays NaN
        }
      }
    }
    return AttentionIdentities(
      advantageMaxError: error, gradientMax: g.elements.map(\.magnitude).max() ?? 0, fisherHessianMaxError: fisherError,
      jacobianRows: checked, advantageSpread: advantageSpread(weights: weights.value, upstream: u))
  }

  /// `d p / d s` of one row of raw scores under a row anchor (weights of `s / tau`), by `m`
  /// backward passes on the tape.
  ///
  /// - Complexity: `m` backward passes over one row.
  public static func rowJacobian(_ row: [Double], tau: Double, anchor: AttentionAnchor) -> Matrix<Double> {
    let graph = Graph()
    let raw = graph.variable(Matrix(row: row))
    let weights = (raw * (1 / tau)).anchored(anchor)
    var jacobian = Matrix<Double>(rows: row.count, columns: row.count)
    for j in 0..<row.count {
      var seed = Matrix<Double>(rows: 1, columns: row.count)
      seed[0, j] = 1
      try! graph.backward(weights, seed: seed)
      let g = graph.gradient(of: raw)!
      for k in 0..<row.count { jacobian[j, k] = g[0, k] }
    }
    return jacobian
  }

  /// `d W_i / d S_i` (row `i`'s weights in row `i`'s raw scores) of a whole head, by `m`
  /// backward passes.
  static func headJacobianBlock(_ s: Matrix<Double>, row i: Int, tau: Double, anchor: AttentionAnchor) -> Matrix<Double> {
    let graph = Graph()
    let raw = graph.variable(s)
    let weights = (raw * (1 / tau)).anchored(anchor)
    var jacobian = Matrix<Double>(rows: s.columns, columns: s.columns)
    for j in 0..<s.columns {
      var seed = Matrix<Double>(rows: s.rows, columns: s.columns)
      seed[i, j] = 1
      try! graph.backward(weights, seed: seed)
      let g = graph.gradient(of: raw)!
      for k in 0..<s.columns { jacobian[j, k] = g[i, k] }
    }
    return jacobian
  }
}

extension TransportAttention {
  /// Seed 002's identities per head (``AttentionIdentities/measure(rawScores:temperature:anchor:upstream:jacobianRows:)``),
  /// for the upstream gradients `upstream` (`dL/dW` per head) or, without them, seeded
  /// standard normal ones (`seed + h` for head `h`).
  ///
  /// - Complexity: per head, the scores, one backward pass and the Jacobian checks.
  public func identities(queries q: [Matrix<Double>], keys k: [Matrix<Double>], upstream: [Matrix<Double>]?, seed: UInt64 = 0) -> [AttentionIdentities] {
    (0..<q.count).map { h in
      let tau = resolvedTemperature(keySize: q[h].columns)
      let raw = scores(queries: q[h], keys: k[h]) * tau
      var generator = SeededGenerator(seed: seed &+ UInt64(h))
      let u = upstream?[h] ?? generator.normalMatrix(rows: raw.rows, columns: raw.columns)
      return AttentionIdentities.measure(rawScores: raw, temperature: tau, anchor: anchor, upstream: u)
    }
  }
}
