import OTKitAutograd
import OTKitCore

/// How a ``MixtureOfExperts`` layer picks each token's experts and weighs their outputs.
///
/// Every router reads the same linear router's logits `s = x W` (`m` tokens by `n` experts);
/// they differ in how experts are chosen and where the gates come from. At inference every
/// router but BASE and the sparse transport router is plain softmax top-`k`.
public enum ExpertRouting: Sendable, Equatable, Codable {
  /// Softmax top-`k` (Shazeer et al. 2017): gates are the router's probabilities
  /// renormalized over the chosen experts; in training, `noise` times a standard normal is
  /// added to the logits first (noisy gating; 0: none).
  case softmaxTopK(noise: Double)
  /// BASE layers (M. Lewis et al., "BASE layers: simplifying training of large, sparse
  /// models", ICML 2021): in training, each token goes to one expert by a balanced linear
  /// assignment maximizing the total logit (every expert `ceil(m / n)` tokens at most, exactly
  /// `m / n` when it divides); at inference, greedy top-1. The gate is `σ(s_ie)`.
  case balancedAssignment
  /// S-BASE (A. Clark et al., "Unified scaling laws for routed language models", ICML
  /// 2022): in training, the experts are each token's top-`k` of the balanced entropic plan;
  /// the gates are still the router's softmax renormalized over them.
  case sinkhornExperts(SinkhornRouting)
  /// Selective Sinkhorn Routing (Nguyen et al., arXiv 2511.08972): on a fraction of the
  /// training passes, drawn at random, experts and gates come from the balanced entropic
  /// plan (`Π_ij` over the token's top-`k` of `Π_i`); on the others, and at inference,
  /// softmax top-`k`. No auxiliary loss is needed.
  case selectiveSinkhorn(SinkhornRouting, fraction: Double)
  /// Sparsity-constrained transport (T. Liu, J. Puigcerver, M. Blondel, ICLR 2023, V-MoE's
  /// router): tokens choose at most `k` experts under balanced expert masses, by the
  /// semi-dual of `(γ/2)|t|²` with `k` non-zeros per token (``SmoothTransport``); the gates
  /// are each token's plan column, normalized. Trained: the gates are the sparse projection of
  /// `(α + p_i) / γ` onto the plan's support, with `p` the router's softmax on the tape and
  /// the solved expert potentials `α` held fixed. Used at inference too.
  case sparseTransport(gamma: Double)

  /// The name in reports: `softmax`, `noisy-softmax`, `base`, `s-base`, `ssr`, `sparse-ot`.
  public var name: String {
    switch self {
    case .softmaxTopK(let noise): noise > 0 ? "noisy-softmax" : "softmax"
    case .balancedAssignment: "base"
    case .sinkhornExperts: "s-base"
    case .selectiveSinkhorn: "ssr"
    case .sparseTransport: "sparse-ot"
    }
  }
}

/// The balanced entropic plan of a router's scores: `Π = argmax_{Π ≥ 0} <Π, C> - ξ <Π, log Π>`
/// with `Π 1 = 1_m / m` and `Πᵀ 1 = 1_n / n` (the spec's rows 1 and columns `m / n`,
/// scaled by `1 / m`; gates read per row are unchanged), by log-domain Sinkhorn.
public struct SinkhornRouting: Sendable, Equatable, Codable {
  /// What the plan maximizes against.
  public enum Compatibility: String, Sendable, Codable, CaseIterable {
    /// The router's softmax over experts (values in `[0, 1]`; the port's default).
    case softmax
    /// The raw logits.
    case linear
  }

  /// How gradients reach the router through the plan's gates (SSR only; S-BASE's gates are
  /// the router's softmax).
  public enum Gradient: String, Sendable, Codable, CaseIterable {
    /// None: the gates are constants on transport passes (the port's default).
    case detached
    /// Through the Sinkhorn iterations recorded on the tape.
    case unrolled
    /// By implicit differentiation of the plan's marginal conditions.
    case implicit
  }

  /// `ξ`.
  public var epsilon = 0.05
  public var iterations = 100
  /// On the relative L1 marginal error (the port: `1e-4` on the L2 residuals).
  public var tolerance = 1e-4
  public var compatibility = Compatibility.softmax
  public var gradient = Gradient.detached

  public init(
    epsilon: Double = 0.05, iterations: Int = 100, tolerance: Double = 1e-4,
    compatibility: Compatibility = .softmax, gradient: Gradient = .detached
  ) {
    (self.epsilon, self.iterations, self.tolerance) = (epsilon, iterations, tolerance)
    (self.compatibility, self.gradient) = (compatibility, gradient)
  }
}
