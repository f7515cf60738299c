import OTKitCore
import RealModule

/// Differentiable sorting, ranking, quantiles and top-k masks by entropic OT on the line
/// (M. Cuturi, O. Teboul, J.-P. Vert, "Differentiable ranks and sorting using optimal
/// transport", NeurIPS 2019), as OTT-JAX's `soft_sort` module.
///
/// The inputs `x` (weights `1/n`) are squashed into `[0, 1]` (by default the sigmoid of the
/// whitened values, `σ((x - mean)/(std + 1e-10))`) and transported, with squared distances and
/// regularization ``epsilon``, to increasing targets `linspace(0, 1, m)` of weights `b`; the
/// plan `P` gives sorted values `(Pᵀ x)_j / b_j`, ranks `(P t)_i / a_i` and the rest. Every
/// output has an exact vector-Jacobian product (``Output/pullback(_:)``): implicit
/// differentiation of the Sinkhorn fixed point (the Schur complement of the dual's Hessian,
/// solved by Cholesky) through the squashing.
///
/// - Complexity: a Sinkhorn solve of `n x m` (`O(n m)` per iteration); the pullback
///   `O(n m² + m³)`.
public struct SoftSort: Sendable {
  /// How inputs are mapped into `[0, 1]` before transport.
  public enum Squashing: String, Sendable, Codable, CaseIterable {
    /// `σ((x - mean)/(std + 1e-10))` (OTT-JAX's default).
    case sigmoid
    /// The inputs as they are.
    case identity
  }

  /// The absolute regularization (OTT-JAX's default `1e-2`).
  public var epsilon: Double
  public var squashing: Squashing
  /// Sinkhorn's tolerance (L1 marginal error relative to the mass).
  public var tolerance: Double
  public var maxIterations: Int

  public init(epsilon: Double = 1e-2, squashing: Squashing = .sigmoid, tolerance: Double = 1e-10, maxIterations: Int = 100_000) {
    self.epsilon = epsilon
    self.squashing = squashing
    self.tolerance = tolerance
    self.maxIterations = maxIterations
  }

  /// A soft operator's values and what its pullback needs.
  public struct Output: Sendable {
    /// The soft sorted values, ranks, quantiles or mask.
    public var values: [Double]
    /// How the Sinkhorn solve ended.
    public var status: SolverStatus
    let x: [Double]
    let squashed: [Double]
    let targets: [Double]
    let a: [Double]
    let b: [Double]
    let plan: Matrix<Double>
    let epsilon: Double
    let squashing: Squashing
    /// The inputs' mean and population deviation (the sigmoid squashing's whitening).
    let whitening: (mean: Double, deviation: Double)
    /// `values = M(P) + direct x` as: the kind of read-out.
    let readout: Readout

    enum Readout: Sendable {
      /// `values[r] = (Pᵀ x)_{index[r]} / b_{index[r]}`.
      case columns([Int])
      /// `values[i] = scale · (P t)_i / a_i`.
      case rows(t: [Double], scale: Double)
    }

    /// The vector-Jacobian product: the gradient with respect to the inputs of
    /// `Σ_r upstream[r] values[r]`.
    ///
    /// - Complexity: `O(n m² + m³)`.
    public func pullback(_ upstream: [Double]) -> [Double] {
      precondition(upstream.count == values.count, "the pullback needs \(values.count) values")
      let (n, m) = (a.count, b.count)
      // G = ∂L/∂P, and the direct gradient of the sorted values in x.
      var gP = Matrix<Double>(rows: n, columns: m)
      var direct = [Double](repeating: 0, count: n)
      switch readout {
      case .columns(let index):
        for (r, j) in index.enumerated() {
          let w = upstream[r] / b[j]
          for i in 0..<n {
            gP[i, j] += x[i] * w
            direct[i] += plan[i, j] * w
          }
        }
      case .rows(let t, let scale):
        for i in 0..<n { for j in 0..<m { gP[i, j] = upstream[i] * scale * t[j] / a[i] } }
      }
      // w = [(G∘P) 1; (G∘P)ᵀ 1]; solve H z = w with H = [[diag a, P], [Pᵀ, diag b]].
      var wf = [Double](repeating: 0, count: n), wg = [Double](repeating: 0, count: m)
      for i in 0..<n {
        for j in 0..<m {
          let v = gP[i, j] * plan[i, j]
          wf[i] += v
          wg[j] += v
        }
      }
      // Schur complement on g: (diag b - Pᵀ diag(1/a) P + 1 1ᵀ) z_g = w_g - Pᵀ (w_f / a).
      var schur = Matrix<Double>(rows: m, columns: m)
      for i in 0..<n where a[i] > 0 {
        for j in 0..<m where plan[i, j] != 0 {
          let pij = plan[i, j] / a[i]
          for k in 0..<m { schur[j, k] -= pij * plan[i, k] }
        }
      }
      for j in 0..<m {
        schur[j, j] += b[j]
        for k in 0..<m { schur[j, k] += 1 }
      }
      var rhs = wg
      for i in 0..<n where a[i] > 0 { for j in 0..<m { rhs[j] -= plan[i, j] * wf[i] / a[i] } }
      let zg = schur.solvingPositiveDefinite(rhs)
      var zf = [Double](repeating: 0, count: n)
      for i in 0..<n where a[i] > 0 {
        var s = wf[i]
        for j in 0..<m { s -= plan[i, j] * zg[j] }
        zf[i] = s / a[i]
      }
      // ∂L/∂C_ij = P_ij (z_f,i + z_g,j - G_ij) / ε, and C_ij = (x̃_i - y_j)².
      var h = [Double](repeating: 0, count: n)
      for i in 0..<n {
        var s = 0.0
        for j in 0..<m where plan[i, j] != 0 {
          s += plan[i, j] * (zf[i] + zg[j] - gP[i, j]) / epsilon * 2 * (squashed[i] - targets[j])
        }
        h[i] = s
      }
      var gradient = direct
      switch squashing {
      case .identity:
        for i in 0..<n { gradient[i] += h[i] }
      case .sigmoid:
        let (mean, sd) = whitening
        let scale = sd + 1e-10
        // h ← ∂L/∂z with z = (x - mean)/scale: σ' = σ(1 - σ).
        for i in 0..<n { h[i] *= squashed[i] * (1 - squashed[i]) }
        let meanH = h.reduce(0, +) / Double(n)
        let cross = zip(h, x).reduce(0) { $0 + $1.0 * ($1.1 - mean) }
        for k in 0..<n {
          var g = (h[k] - meanH) / scale
          if sd > 0 { g -= (x[k] - mean) * cross / (Double(n) * sd * scale * scale) }
          gradient[k] += g
        }
      }
      return gradient
    }
  }

  /// The inputs' mean and population deviation.
  static func whitening(_ x: [Double]) -> (mean: Double, deviation: Double) {
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    return (mean, (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot())
  }

  /// The squashed inputs, given their whitening.
  func squash(_ x: [Double], _ whitening: (mean: Double, deviation: Double)) -> [Double] {
    switch squashing {
    case .identity: return x
    case .sigmoid: return x.map { 1 / (1 + Double.exp(-($0 - whitening.mean) / (whitening.deviation + 1e-10))) }
    }
  }

  /// The plan from `x` (uniform weights) to `linspace(0, 1, b.count)` with weights `b`.
  func transport(_ x: [Double], targetWeights b: [Double], readout: Output.Readout, values: (Matrix<Double>) -> [Double]) throws -> Output {
    let n = x.count, m = b.count
    precondition(n >= 1 && m >= 2, "soft sorting needs inputs and at least two targets")
    let whitening = Self.whitening(x)
    let squashed = squash(x, whitening)
    let targets = (0..<m).map { Double($0) / Double(m - 1) }
    let a = [Double](repeating: 1 / Double(n), count: n)
    let problem = try TransportProblem(
      source: Matrix(rows: n, columns: 1, elements: squashed), target: Matrix(rows: m, columns: 1, elements: targets),
      sourceWeights: a, targetWeights: b, rescale: true)
    var solver = Sinkhorn(epsilon: .absolute(epsilon), tolerance: tolerance, maxIterations: maxIterations)
    solver.domain = .log
    let result = solver.solve(problem)
    let plan = result.densePlan()
    return Output(
      values: values(plan), status: result.status, x: x, squashed: squashed, targets: targets, a: a, b: problem.targetWeights,
      plan: plan, epsilon: epsilon, squashing: squashing, whitening: whitening, readout: readout)
  }

  /// Soft sorted values in increasing order (`targets` of them, default `n`), or, with
  /// `topk`, the `k` largest in increasing order (OTT-JAX's `sort`).
  ///
  /// - Throws: ``TransportProblemError`` for non-finite inputs.
  public func sort(_ x: [Double], topk: Int? = nil, targets: Int? = nil) throws -> Output {
    let n = x.count
    let b: [Double]
    let first: Int
    if let k = topk, k > 0, k < n {
      b = [Double(n - k) / Double(n)] + [Double](repeating: 1 / Double(n), count: k)
      first = 1
    } else {
      let m = targets ?? n
      b = [Double](repeating: 1 / Double(m), count: m)
      first = 0
    }
    let index = Array(first..<b.count)
    return try transport(x, targetWeights: b, readout: .columns(index)) { plan in
      index.map { j in (0..<n).reduce(0) { $0 + plan[$1, j] * x[$1] } / b[j] }
    }
  }

  /// Soft ranks in `[0, n - 1]` (OTT-JAX's `ranks`), against `targets` uniform targets
  /// (default `n`) or the given target weights.
  ///
  /// - Throws: ``TransportProblemError`` for non-finite inputs or weights.
  public func ranks(_ x: [Double], targets: Int? = nil, targetWeights: [Double]? = nil) throws -> Output {
    let n = x.count
    let b = targetWeights ?? [Double](repeating: 1 / Double(targets ?? n), count: targets ?? n)
    let m = b.count
    let t = (0..<m).map(Double.init)
    let scale = Double(n - 1) / Double(m - 1)
    return try transport(x, targetWeights: b, readout: .rows(t: t, scale: scale)) { plan in
      (0..<n).map { i in scale * (0..<m).reduce(0) { $0 + plan[i, $1] * t[$1] } * Double(n) }
    }
  }

  /// A soft mask of the `k` largest inputs, in `[0, 1]` (OTT-JAX's `topk_mask`).
  ///
  /// - Throws: ``TransportProblemError`` for non-finite inputs.
  public func topkMask(_ x: [Double], k: Int) throws -> Output {
    let n = x.count
    precondition(k >= 1 && k < n, "topkMask needs 1 <= k < n")
    let b = [1 - Double(k) / Double(n), Double(k) / Double(n)]
    return try transport(x, targetWeights: b, readout: .rows(t: [0, 1], scale: 1)) { plan in
      (0..<n).map { i in plan[i, 1] * Double(n) }
    }
  }

  /// Soft quantiles at levels `q` (in `(0, 1)`, increasing), each a convex combination of
  /// the inputs (OTT-JAX's `quantile`, with its target layout: fillers between quantile
  /// targets of mass `weight`, by default `min(1/(2 count), half the gaps, 0.02, 1.5/n)`).
  ///
  /// - Throws: ``TransportProblemError`` for non-finite inputs.
  public func quantiles(_ x: [Double], levels q: [Double], weight: Double? = nil) throws -> Output {
    let n = x.count, count = q.count
    precondition(count >= 1 && q.allSatisfy { $0 > 0 && $0 < 1 } && zip(q, q.dropFirst()).allSatisfy { $0 < $1 },
                 "quantile levels must increase within (0, 1)")
    let extended = [0.0] + q + [1.0]
    var filler = (0..<(count + 1)).map { extended[$0 + 1] - extended[$0] }
    var safe = [0.5 / Double(count)] + filler.map { 0.5 * $0 }
    safe += weight.map { [$0] } ?? [0.02, 1.5 / Double(n)]
    let w = safe.min()!
    for k in 0...count { filler[k] -= w * (k == 0 || k == count ? 0.5 : 1) }
    var b: [Double] = []
    for k in 0...count {
      b.append(filler[k])
      if k < count { b.append(w) }
    }
    let index = (0..<count).map { 2 * $0 + 1 }
    return try transport(x, targetWeights: b, readout: .columns(index)) { plan in
      index.map { j in (0..<n).reduce(0) { $0 + plan[$1, j] * x[$1] } / b[j] }
    }
  }
}
