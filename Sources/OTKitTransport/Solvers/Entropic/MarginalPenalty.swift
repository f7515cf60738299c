import OTKitCore
import RealModule

/// How a Sinkhorn solve enforces one marginal: exactly (balanced), or through a penalty
/// on the plan's marginal `μ = P 1` against the weights `a` (unbalanced OT).
///
/// With KL penalties on both sides the problem is
/// `min over P ≥ 0 of <P, C> + ε KL(P | R) + ρ_a KL(P 1 | a) + ρ_b KL(Pᵀ 1 | b)`
/// (L. Chizat, G. Peyré, B. Schmitzer, F.-X. Vialard, "Scaling algorithms for unbalanced
/// optimal transport problems", Math. Comp. 87, 2018), with the generalized divergence
/// `KL(p | q) = Σ p log(p/q) - p + q`; TV uses `ρ |P 1 - a|_1` (T. Séjourné, J. Feydy,
/// F.-X. Vialard, A. Trouvé, G. Peyré, "Sinkhorn divergences for unbalanced optimal
/// transport", 2019). `ρ = ∞` is the hard constraint, so `(hard, kl)` is the semi-relaxed
/// problem.
///
/// Parameterizations differ between libraries: POT's `reg_m` is `ρ` (and its default
/// reference `reg_type='kl'` is `a bᵀ`); OTT-JAX's `tau_a` is `τ = ρ / (ρ + ε)` with the
/// all-ones reference. ``kl(tau:epsilon:)`` converts OTT's value; ``EntropicReference``
/// names the reference.
public enum MarginalPenalty: Sendable, Equatable, Codable, CustomStringConvertible {
  /// The marginal is a constraint (`ρ = ∞`).
  case hard
  /// `ρ KL(μ | a)`.
  case kl(rho: Double)
  /// `ρ |μ - a|_1`.
  case tv(rho: Double)

  /// OTT-JAX's parameterization: `τ ∈ (0, 1]`, `ρ = ε τ / (1 - τ)`; `τ = 1` is ``hard``.
  public static func kl(tau: Double, epsilon: Double) -> MarginalPenalty {
    tau >= 1 ? .hard : .kl(rho: epsilon * tau / (1 - tau))
  }

  /// `ρ` (`∞` for ``hard``).
  public var rho: Double {
    switch self {
    case .hard: .infinity
    case .kl(let r), .tv(let r): r
    }
  }

  /// Whether the marginal is a hard constraint.
  public var isHard: Bool { if case .hard = self { true } else { false } }

  /// `kl`, `tv` or `hard`.
  public var name: String {
    switch self {
    case .hard: "hard"
    case .kl: "kl"
    case .tv: "tv"
    }
  }

  public var description: String {
    switch self {
    case .hard: "hard"
    case .kl(let r): "KL(rho \(r))"
    case .tv(let r): "TV(rho \(r))"
    }
  }

  /// `D(μ | w)` for the marginal `μ` and weights `w` (0 for ``hard``): `KL(μ | w)` or
  /// `|μ - w|_1`.
  public func divergence(_ mu: [Double], _ w: [Double]) -> Double {
    switch self {
    case .hard: return 0
    case .kl:
      var total = 0.0
      for k in mu.indices {
        if mu[k] > 0 { total += mu[k] * Double.log(mu[k] / w[k]) - mu[k] + w[k] } else { total += w[k] }
      }
      return total
    case .tv: return zip(mu, w).reduce(0) { $0 + Swift.abs($1.0 - $1.1) }
    }
  }

  /// `-φ*(-p)` of the dual, per unit of weight, at the potential `p` of the reference
  /// convention: `p` (hard), `ρ (1 - e^{-p/ρ})` (KL), `min(p, ρ)` (TV, with `p ≥ -ρ`).
  func dualTerm(_ p: Double) -> Double {
    switch self {
    case .hard: p
    case .kl(let r): r * -Double.expMinusOne(-p / r)
    case .tv(let r): Swift.min(p, r)
    }
  }
}

/// The reference measure `R` of the entropy term `ε KL(P | R)` of unbalanced Sinkhorn
/// (balanced plans do not depend on it).
public enum EntropicReference: String, Sendable, Codable, CaseIterable {
  /// `R = a bᵀ`: POT's default `reg_type='kl'`.
  case product
  /// `R = 1`: POT's `reg_type='entropy'` and OTT-JAX.
  case ones
}

/// The update of one potential from its balanced value, in the all-ones convention
/// `P_ij = exp((f_i + g_j - C_ij)/ε)`: the marginal penalty's proximal step (the identity
/// for a hard marginal, `τ p + (1 - τ) o_i` for KL with `τ = ρ / (ρ + ε)`, and
/// `clamp(p - o_i, -ρ, ρ) + o_i` for TV, where `o_i = ε log w_i` for the product reference
/// and 0 for the all-ones one), then over-relaxation `(1 - ω) old + ω new` (Thibault et al.;
/// `ω = 1`: none).
struct MarginalProx<T: MatrixScalar>: @unchecked Sendable {
  enum Kind { case hard, kl(tau: T), tv(rho: T) }
  let kind: Kind
  let offsets: UnsafePointer<T>?
  var omega: T = 1

  @inline(__always)
  func apply(_ i: Int, _ balanced: T, old: T) -> T {
    let o = offsets?[i] ?? 0
    let p: T
    switch kind {
    case .hard: p = balanced
    case .kl(let tau): p = tau * balanced + (1 - tau) * o
    case .tv(let rho): p = Swift.min(Swift.max(balanced - o, -rho), rho) + o
    }
    guard omega != 1, old.isFinite else { return p }
    return (1 - omega) * old + omega * p
  }

  /// The mass that this update moves in a marginal entry of sum `sum` at potential `current`
  /// with balanced update `balanced`: `|s - s exp((next - current)/ε)|` (`|s - w|` for a hard
  /// marginal, whose balanced update meets the weight `w`). Zero exactly at the fixed point:
  /// Sinkhorn's stopping measure and the result's marginal residual.
  @inline(__always)
  func movedMass(_ i: Int, sum: Double, current: T, balanced: T, epsilon: T) -> Double {
    let next = apply(i, balanced, old: current)
    return Swift.abs(sum - sum * Double(T.exp((next - current) / epsilon)))
  }

  /// Whether the update is the plain balanced one.
  var isIdentity: Bool {
    if case .hard = kind { return omega == 1 }
    return false
  }
}

extension MarginalPenalty {
  /// The prox kind at `epsilon`.
  func proxKind<T: MatrixScalar>(epsilon: Double, _: T.Type) -> MarginalProx<T>.Kind {
    switch self {
    case .hard: .hard
    case .kl(let r): .kl(tau: T(r / (r + epsilon)))
    case .tv(let r): .tv(rho: T(r))
    }
  }
}
