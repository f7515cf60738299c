/// The registry of reproductions: every study OTKit reproduces, with its paper, seed and a
/// one-line summary. `otkit reproduce NAME` dispatches through it, `otkit reproduce --list`
/// lists it, and a test runs every case's quick settings.
public enum Experiment: String, CaseIterable, Codable, Sendable {
  case synthetic, beed, sorting, alignment
  case sparseOT = "sparse-ot", routing, unbalanced, acceleration, sns, attention
  case mongeGap = "monge-gap", mongeGapClassifier = "monge-gap-classifier", flow, distill, moe

  /// The reproduction's type.
  public var reproduction: any Reproduction.Type {
    switch self {
    case .synthetic: SyntheticStudy.self
    case .beed: BEEDStudy.self
    case .sorting: SortingStudy.self
    case .alignment: AlignmentStudy.self
    case .sparseOT: SparseTransportReproduction.self
    case .routing: RoutingReproduction.self
    case .unbalanced: UnbalancedReproduction.self
    case .acceleration: AccelerationReproduction.self
    case .sns: SparseNewtonReproduction.self
    case .attention: AttentionReproduction.self
    case .mongeGap: MongeGapReproduction.self
    case .mongeGapClassifier: MongeGapClassifierReproduction.self
    case .flow: FlowReproduction.self
    case .distill: DistillationReproduction.self
    case .moe: MixtureOfExpertsReproduction.self
    }
  }

  /// The paper it reproduces.
  public var paper: Paper {
    switch self {
    case .synthetic, .beed: .tabularTransformers
    case .sorting, .alignment: .provableTransformers
    case .sparseOT, .routing: .sparsityConstrained
    case .unbalanced: .unbalanced
    case .acceleration: .acceleratedSinkhorn
    case .sns: .sinkhornNewtonSparse
    case .attention: .attentionAsTransport
    case .mongeGap, .mongeGapClassifier: .mongeGap
    case .flow: .flowMatching
    case .distill: .sinkhornDistillation
    case .moe: .selectiveSinkhornRouting
    }
  }

  /// One line on what it runs.
  public var summary: String {
    switch self {
    case .synthetic: "Simulated Gaussian classes: the transformer, its pretrained variant and the OT classifier, with the OT metrics of training."
    case .beed: "The BEED EEG data (2, 3 and 4 classes): accuracy and fit time of the OT classifier, the transformer and the MLP."
    case .sorting: "A fixed-weight transformer that runs dual gradient descent on entropic OT: distance to Sinkhorn's plan against depth; the trained sorter with --trained."
    case .alignment: "A synthetic translation task: OT accuracy of embeddings, a trained encoder layer by layer, and the fixed-weight transformer."
    case .sparseOT: "Sparsity-constrained OT between exact and quadratic OT: semi-dual values, non-zeros and marginal errors (spec §6.1, §6.3)."
    case .routing: "Top-k routing of digits to experts with balanced loads: softmax top-2 against SC-OT (spec §6.2)."
    case .unbalanced: "Unbalanced OT declines outliers: mass sent to an outlier cluster against the marginal penalty (spec §6.4)."
    case .acceleration: "Accelerated Sinkhorn: momentum, adaptive momentum and Anderson mixing, and the safeguard (spec §6.5)."
    case .sns: "Sinkhorn-Newton-Sparse against Sinkhorn: a random assignment at a small epsilon, W1 and W2 between densities."
    case .flow: "Flow matching on 2-D tasks: I-CFM, OT-CFM (exact minibatch plans) and W-CFM (Gibbs weights): W2, path energy, Euler steps, tilt."
    case .mongeGap: "Transport maps fitted with the Monge gap: OTT-JAX's moons-to-S-curve tutorial and Gaussians with a known map (L2-UVP)."
    case .distill: "Knowledge distillation on digits and BEED: SinKD's batch-wise Sinkhorn term against KL, reverse KL and Jensen-Shannon, over seeds."
    case .moe: "Mixture-of-experts routers on digits and BEED: Selective Sinkhorn Routing, S-BASE, BASE and sparse OT against softmax top-k with and without the balance loss."
    case .mongeGapClassifier: "The Monge gap as a regularizer of the OT classifier's map on BEED and digits: accuracy and the map's exact gap."
    case .attention: "Every attention anchor trained on simulated data, BEED and digits over seeds; a temperature sweep; doubly stochastic matrices; seed 002's open questions."
    }
  }

  /// Looks a reproduction up by its name (`sparse-ot`, ...).
  public init?(name: String) {
    self.init(rawValue: name)
  }
}

/// A reproduced paper: its title, where it is published, the seed summary it comes from,
/// and its page in `docs/papers/`.
public struct Paper: Sendable, Hashable, Codable {
  public var title: String
  public var reference: String
  /// The seed summary in `shared/seeds/` (`000` ...), or the spec that states the study.
  public var seed: String
  /// The page's name in `docs/papers/` (without `.md`).
  public var page: String

  public static let tabularTransformers = Paper(
    title: "Transformers for Tabular Data: A Training Perspective of Self-Attention via Optimal Transport",
    reference: "arXiv 2512.09530", seed: "000", page: "tabular-transformers-ot")
  public static let provableTransformers = Paper(
    title: "Provable optimal transport with transformers: The essence of depth and prompt engineering",
    reference: "H. Daneshmand, arXiv 2410.19931", seed: "001", page: "transformers-solve-ot")
  public static let sparsityConstrained = Paper(
    title: "Sparsity-Constrained Optimal Transport", reference: "T. Liu, J. Puigcerver, M. Blondel, ICLR 2023, arXiv 2209.15466",
    seed: "003 (specs/regularized-ot.md)", page: "regularized-ot")
  public static let unbalanced = Paper(
    title: "Unbalanced optimal transport with KL marginal penalties", reference: "Séjourné et al. 2022; specs/regularized-ot.md §4",
    seed: "003 (specs/regularized-ot.md)", page: "regularized-ot")
  public static let acceleratedSinkhorn = Paper(
    title: "Accelerated Sinkhorn: over-relaxation and Anderson mixing", reference: "Thibault et al. 2021; Lehmann et al. 2021; specs/regularized-ot.md §5",
    seed: "003 (specs/regularized-ot.md)", page: "regularized-ot")
  public static let attentionAsTransport = Paper(
    title: "Scaled-Dot-Product Attention as One-Sided Entropic Optimal Transport; Geometric Attention; Quantum Doubly Stochastic Transformers",
    reference: "arXiv 2508.08369; R. Rosario Freytes, arXiv 2601.11618; J. Born et al., NeurIPS 2025, arXiv 2504.16275",
    seed: "002, 003 (specs/attention-as-transport.md, specs/ot-training-signals.md)", page: "attention-as-transport")
  public static let mongeGap = Paper(
    title: "The Monge Gap: A Regularizer to Learn All Transport Maps", reference: "A. Uscidda and M. Cuturi, ICML 2023, arXiv 2302.04953",
    seed: "003 (specs/ot-training-signals.md §1)", page: "monge-gap")
  public static let flowMatching = Paper(
    title: "Weighted Conditional Flow Matching", reference: "J. Calvo-Ordoñez et al., arXiv 2507.22270; A. Tong et al., TMLR 2024 (OT-CFM)",
    seed: "003 (specs/ot-training-signals.md §5)", page: "flow-matching")
  public static let sinkhornDistillation = Paper(
    title: "SinKD: Sinkhorn Distance Minimization for Knowledge Distillation", reference: "X. Cui et al., LREC-COLING 2024, arXiv 2402.17110",
    seed: "003 (specs/ot-training-signals.md §2)", page: "distillation")
  public static let selectiveSinkhornRouting = Paper(
    title: "Selective Sinkhorn Routing for Improved Sparse Mixture of Experts", reference: "D. Nguyen et al., arXiv 2511.08972",
    seed: "003 (specs/ot-training-signals.md §4)", page: "mixture-of-experts")
  public static let sinkhornNewtonSparse = Paper(
    title: "Accelerating Sinkhorn Algorithm with Sparse Newton Iterations", reference: "X. Tang et al., ICLR 2024",
    seed: "002 (specs/attention-as-transport.md)", page: "regularized-ot")
}
