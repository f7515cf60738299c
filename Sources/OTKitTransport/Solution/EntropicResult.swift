import OTKitCore
import RealModule

/// The outcome of an entropic solver (Sinkhorn, Sinkhorn-Newton-Sparse).
///
/// The plan is `P_ij = exp((f_i + g_j - C_ij) / eps)`; it is formed only on request
/// (``densePlan()``) and otherwise applied lazily (``applyPlan(_:)``), so results of online
/// solves stay `O(n + m)` in memory. A point of zero weight has potential `-infinity` (its
/// plan row or column is zero). Costs: ``cost`` is the linear cost `<P, C>` (POT's
/// `sinkhorn2`), ``regularizedCost`` is `<P, C> + eps KL(P | a b^T)` with
/// `KL(P | Q) = sum P log(P/Q) - P + Q` (OTT-JAX's `reg_ot_cost`), and ``dualObjective``
/// is the dual value, equal to the regularized cost at convergence.
///
/// Unbalanced solves (a marginal penalized, ``Sinkhorn/sourcePenalty``) report the
/// unbalanced objective `<P, C> + eps KL(P | R) + ρ_a D(P 1 | a) + ρ_b D(Pᵀ 1 | b)` as
/// ``regularizedCost``, its dual as ``dualObjective``, and, as ``marginalError``, the L1
/// distance of the plan's marginals to the ones the penalties' updates ask for (the same
/// as the balanced error when both marginals are hard); ``unbalanced`` has the mass and
/// the divergences.
public struct EntropicResult: Sendable {
  /// ``TransportMethod/sinkhorn`` or ``TransportMethod/sns``.
  public var method: TransportMethod
  public var status: SolverStatus
  /// The absolute regularization strength used.
  public var epsilon: Double
  public var iterations: Int
  /// `f` (n values); `-infinity` for zero-weight source points.
  public var sourcePotential: [Double]
  /// `g` (m values); `-infinity` for zero-weight target points.
  public var targetPotential: [Double]
  /// The L1 marginal error `|P^T 1 - b|_1` after each iteration (rows are exact then).
  public var errorHistory: [Double]
  /// The plan's L1 marginal error `|P 1 - a|_1 + |P^T 1 - b|_1`, measured on the result.
  public var marginalError: Double
  /// `<P, C>`.
  public var cost: Double
  /// `<P, C> + eps KL(P | a b^T)`.
  public var regularizedCost: Double
  /// The dual objective at the returned potentials.
  public var dualObjective: Double
  /// `Float` or `Double`: the precision of the iterations.
  public var precision: String
  /// Whether the costs were computed on the fly (never stored).
  public var online: Bool
  /// The figures of an unbalanced solve (`nil` when both marginals are hard).
  public var unbalanced: Unbalanced?
  /// What the acceleration did (Sinkhorn; `nil` for other solvers).
  public var acceleration: SinkhornAccelerationReport? = nil
  /// Sinkhorn-Newton-Sparse's Newton steps (after its Sinkhorn warm-up; 0 for Sinkhorn).
  public var newtonSteps: Int = 0
  /// The entries of the sparsified Hessian's off-diagonal block at the last Newton step.
  public var hessianNonZeros: Int = 0
  let plan: any PlanOperator

  /// What an unbalanced solve adds: the penalties, the reference, the mass moved and the
  /// marginal divergences that the objective charges.
  public struct Unbalanced: Sendable, Encodable {
    public var sourcePenalty: MarginalPenalty
    public var targetPenalty: MarginalPenalty
    public var reference: EntropicReference
    /// `Σ P_ij`.
    public var transportedMass: Double
    /// `D(P 1 | a)` of the source penalty (KL or `|·|_1`; 0 when hard).
    public var sourceDivergence: Double
    /// `D(Pᵀ 1 | b)` of the target penalty.
    public var targetDivergence: Double
    /// `|P 1 - a|_1` and `|Pᵀ 1 - b|_1`: the mass the plan does not take or bring.
    public var sourceMismatch: Double
    public var targetMismatch: Double
  }

  /// `P v` for a vector of `m` values.
  public func applyPlan(_ v: [Double]) -> [Double] {
    precondition(v.count == targetPotential.count, "applyPlan needs \(targetPotential.count) values")
    return plan.apply(v, transpose: false)
  }

  /// `P^T u` for a vector of `n` values.
  public func applyTransposedPlan(_ u: [Double]) -> [Double] {
    precondition(u.count == sourcePotential.count, "applyTransposedPlan needs \(sourcePotential.count) values")
    return plan.apply(u, transpose: true)
  }

  /// The plan as a dense `n x m` matrix (`O(n m)` memory).
  public func densePlan() -> Matrix<Double> { plan.dense() }
}

/// Applies a plan given by potentials without storing it.
protocol PlanOperator: Sendable {
  func apply(_ v: [Double], transpose: Bool) -> [Double]
  func dense() -> Matrix<Double>
}

/// The plan `exp((f_i + g_j - C_ij) / eps)` in the working precision.
struct PotentialPlan<T: MatrixScalar>: PlanOperator {
  let costs: EntropicCosts<T>
  let f: [T]
  let g: [T]
  let epsilon: T

  func apply(_ v: [Double], transpose: Bool) -> [Double] {
    var out = [Double](repeating: 0, count: transpose ? costs.columns : costs.rows)
    costs.withSource { source in
      f.withUnsafeBufferPointer { fp in
        g.withUnsafeBufferPointer { gp in
          v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in
              SinkhornKernels.sinkhornPlanApply(
                costs: source, f: fp.baseAddress!, g: gp.baseAddress!, epsilon: epsilon,
                vector: vp.baseAddress!, transpose: transpose, result: op.baseAddress!)
            }
          }
        }
      }
    }
    return out
  }

  func dense() -> Matrix<Double> {
    let (n, m) = (costs.rows, costs.columns)
    var p = Matrix<Double>(rows: n, columns: m)
    costs.withSource { source in
      p.withUnsafeMutableBufferPointer { out in
        let out = out.baseAddress!
        Parallel.forEachRange(count: n, cost: 20 * m) { range in
          let bufferMemory = ScratchMemory<T>(count: m)
          let buffer = bufferMemory.base
          defer { withExtendedLifetime(bufferMemory) {} }
          for i in range where f[i] > -T.infinity {
            let c = source.row(i, buffer)
            for j in 0..<m { out[i * m + j] = Double(T.exp((f[i] + g[j] - c[j]) / epsilon)) }
          }
        }
      }
    }
    return p
  }

  /// Row sums, column sums and `<P, C>`.
  func summary() -> (rows: [Double], columns: [Double], linear: Double) {
    var r = [Double](repeating: 0, count: costs.rows)
    var s = [Double](repeating: 0, count: costs.columns)
    let linear = costs.withSource { source in
      f.withUnsafeBufferPointer { fp in
        g.withUnsafeBufferPointer { gp in
          r.withUnsafeMutableBufferPointer { rp in
            s.withUnsafeMutableBufferPointer { sp in
              SinkhornKernels.sinkhornPlanSummary(
                costs: source, f: fp.baseAddress!, g: gp.baseAddress!, epsilon: epsilon,
                rowSums: rp.baseAddress!, columnSums: sp.baseAddress!)
            }
          }
        }
      }
    }
    return (r, s, linear)
  }
}

extension EntropicResult {
  /// Assembles a result: measures the plan of the potentials (one pass) and derives the
  /// costs and the dual objective.
  init<T: MatrixScalar>(
    method: TransportMethod, status: SolverStatus, plan: PotentialPlan<T>, a: [Double], b: [Double],
    iterations: Int, errorHistory: [Double],
    penalties: (source: MarginalPenalty, target: MarginalPenalty, reference: EntropicReference)? = nil
  ) {
    let eps = Double(plan.epsilon)
    let f = plan.f.map(Double.init)
    let g = plan.g.map(Double.init)
    let (r, s, linear) = plan.summary()
    var error = 0.0
    var total = 0.0
    var pLogP = -linear / eps
    var crossA = 0.0, crossB = 0.0
    var dual = 0.0
    for i in 0..<a.count {
      error += abs(r[i] - a[i])
      total += r[i]
      if a[i] > 0 {
        pLogP += f[i] / eps * r[i]
        crossA += r[i] * Double.log(a[i])
        dual += a[i] * (f[i] - eps * Double.log(a[i]))
      }
    }
    for j in 0..<b.count {
      error += abs(s[j] - b[j])
      if b[j] > 0 {
        pLogP += g[j] / eps * s[j]
        crossB += s[j] * Double.log(b[j])
        dual += b[j] * (g[j] - eps * Double.log(b[j]))
      }
    }
    let massA = a.reduce(0, +), massB = b.reduce(0, +)
    var kl = pLogP - crossA - crossB - total + massA * massB
    var regularized = linear + eps * kl
    var dualValue = dual - eps * (total - massA * massB)
    var unbalanced: Unbalanced? = nil
    if let penalties {
      let product = penalties.reference == .product
      // KL(P | R): R = a bᵀ as above, or all ones (mass n m).
      if !product { kl = pLogP - total + Double(a.count) * Double(b.count) }
      let sourceDivergence = penalties.source.divergence(r, a), targetDivergence = penalties.target.divergence(s, b)
      func charge(_ p: MarginalPenalty, _ d: Double) -> Double { p.isHard ? 0 : p.rho * d }
      regularized = linear + eps * kl + charge(penalties.source, sourceDivergence) + charge(penalties.target, targetDivergence)
      // The dual: Σ a_i (-φ*(-f̂_i)) + Σ b_j (-φ*(-ĝ_j)) - eps (Σ P - Σ R), with f̂ the
      // potential of the reference's convention; and the distance of each marginal to the
      // one its penalty's update asks for.
      dualValue = -eps * (total - (product ? massA * massB : Double(a.count) * Double(b.count)))
      var residual = 0.0
      func side(_ p: MarginalPenalty, _ w: [Double], _ potentials: [Double], _ sums: [Double]) {
        let prox = MarginalProx<Double>(kind: p.proxKind(epsilon: eps, Double.self), offsets: nil)
        for k in w.indices where w[k] > 0 {
          let offset = product ? eps * Double.log(w[k]) : 0
          dualValue += w[k] * p.dualTerm(potentials[k] - offset)
          guard sums[k] > 0 else {
            residual += w[k]
            continue
          }
          let current = potentials[k] - offset
          residual += prox.movedMass(0, sum: sums[k], current: current, balanced: current + eps * Double.log(w[k] / sums[k]), epsilon: eps)
        }
      }
      side(penalties.source, a, f, r)
      side(penalties.target, b, g, s)
      error = residual
      unbalanced = Unbalanced(
        sourcePenalty: penalties.source, targetPenalty: penalties.target, reference: penalties.reference,
        transportedMass: total, sourceDivergence: sourceDivergence, targetDivergence: targetDivergence,
        sourceMismatch: zip(r, a).reduce(0) { $0 + abs($1.0 - $1.1) }, targetMismatch: zip(s, b).reduce(0) { $0 + abs($1.0 - $1.1) })
    }
    // A success must have a finite cost and error (never `converged` with NaN).
    let finite = linear.isFinite && error.isFinite
    self.init(
      method: method, status: status.isSuccess && !finite ? .numericalError : status, epsilon: eps, iterations: iterations,
      sourcePotential: f, targetPotential: g, errorHistory: errorHistory, marginalError: error,
      cost: linear, regularizedCost: regularized, dualObjective: dualValue,
      precision: T.self == Float.self ? "float32" : "float64", online: plan.costs.isOnline,
      unbalanced: unbalanced, plan: plan)
  }
}
