import ArgumentParser
import OTKit

/// `--json`, shared by every command.
struct OutputOptions: ParsableArguments {
  @Flag(help: "Print one JSON object on the last line of standard output.")
  var json = false
}

/// The settings of the entropic solvers (`otkit transport --method sinkhorn|sns`).
struct EntropicOptions: ParsableArguments {
  @Option(help: "The entropic regularization (sinkhorn, sns): absolute, or relative with --relative-epsilon.")
  var epsilon: Double?

  @Option(help: "Read --epsilon as a multiple of this statistic of the cost matrix: max, mean or std.")
  var relativeEpsilon: Epsilon.CostStatistic?

  @Option(help: "The tolerance on the L1 marginal error |P 1 - a|_1 + |P^T 1 - b|_1, relative to the total mass (sinkhorn, sns).")
  var tolerance: Double = 1e-9

  @Flag(help: "Iterate in Float instead of Double (sinkhorn).")
  var float32 = false

  @Flag(help: "Solve a decreasing sequence of epsilons from the cost diameter down, with warm starts (sinkhorn).")
  var epsilonScaling = false

  @Flag(inversion: .prefixedNo, help: "Compute costs on the fly instead of storing the n x m matrix (default: when it would exceed 10^8 entries).")
  var online: Bool?

  @Option(help: "Sinkhorn's acceleration: adaptive (over-relaxation estimated from the error's decay; the default), momentum (constant --omega), anderson (--anderson-memory sweeps) or none. A safeguard falls back when the error grows.")
  var acceleration: AccelerationKind = .adaptive

  @Option(help: "The over-relaxation of --acceleration momentum, in (0, 2).")
  var omega: Double?

  @Option(help: "The sweeps mixed by --acceleration anderson (at least 2).")
  var andersonMemory: Int?

  enum AccelerationKind: String, ExpressibleByArgument, CaseIterable { case adaptive, momentum, anderson, none }

  /// The library's acceleration of the options.
  var resolvedAcceleration: SinkhornAcceleration {
    switch acceleration {
    case .adaptive: .adaptive
    case .momentum: .momentum(omega: omega ?? 1.5)
    case .anderson: .anderson(memory: andersonMemory ?? 5, ridge: 1e-2)
    case .none: SinkhornAcceleration.none
    }
  }

  /// The cross-option rules for a method.
  func validate(for method: TransportMethod) throws {
    if method.isEntropic {
      guard let epsilon else { throw ValidationError("--method \(method.rawValue) needs --epsilon") }
      guard epsilon > 0 && epsilon.isFinite else { throw ValidationError("--epsilon must be positive") }
      guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") }
    } else if epsilon != nil || relativeEpsilon != nil || epsilonScaling {
      throw ValidationError("--epsilon, --relative-epsilon and --epsilon-scaling apply to --method sinkhorn or sns")
    } else if float32 && !method.isSmooth {
      throw ValidationError("--float32 applies to --method sinkhorn, quadratic, sparse or entropic-lbfgs")
    }
    if method.isSmooth { guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") } }
    if float32 && method == .sns { throw ValidationError("--float32 applies to --method sinkhorn") }
    if let omega {
      guard acceleration == .momentum else { throw ValidationError("--omega applies to --acceleration momentum") }
      guard omega > 0 && omega < 2 else { throw ValidationError("--omega must be in (0, 2)") }
    }
    if let andersonMemory {
      guard acceleration == .anderson else { throw ValidationError("--anderson-memory applies to --acceleration anderson") }
      guard andersonMemory >= 2 && andersonMemory <= 50 else { throw ValidationError("--anderson-memory must be from 2 to 50") }
    }
    if acceleration != .adaptive && method != .sinkhorn { throw ValidationError("--acceleration applies to --method sinkhorn") }
  }

  /// The epsilon of the options (after validation for an entropic method).
  var resolvedEpsilon: Epsilon? {
    guard let epsilon else { return nil }
    return relativeEpsilon.map { .relative(epsilon, to: $0) } ?? .absolute(epsilon)
  }

  /// The library's options for `OT.solver`.
  func solveOptions(maxIterations: Int?) -> SolveOptions {
    var options = SolveOptions(
      epsilon: resolvedEpsilon, tolerance: tolerance, maxIterations: maxIterations,
      epsilonScaling: epsilonScaling ? EpsilonScaling() : nil, useFloat: float32, online: online)
    options.acceleration = resolvedAcceleration
    return options
  }
}

/// The settings of the smooth regularized solvers (`otkit transport --method
/// quadratic|sparse|entropic-lbfgs`).
struct RegularizedOptions: ParsableArguments {
  @Option(help: "The regularization strength gamma of --method quadratic, sparse or entropic-lbfgs (in the units of the costs).")
  var gamma: Double?

  @Option(name: .customLong("max-nonzeros"), help: "The most non-zeros per column of the plan (--method sparse; 1 recovers exact OT on uniform square problems).")
  var maxNonZeros: Int?

  @Option(help: "The dual L-BFGS maximizes: semi-dual (n variables; exact column sums) or dual (n + m variables).")
  var formulation: SmoothTransport.Formulation = .semiDual

  func validate(for method: TransportMethod) throws {
    if method.isSmooth {
      guard let gamma else { throw ValidationError("--method \(method.rawValue) needs --gamma") }
      guard gamma > 0 && gamma.isFinite else { throw ValidationError("--gamma must be a positive number") }
    } else if gamma != nil {
      throw ValidationError("--gamma applies to --method quadratic, sparse or entropic-lbfgs")
    }
    if method == .sparse {
      guard let maxNonZeros else { throw ValidationError("--method sparse needs --max-nonzeros") }
      guard maxNonZeros >= 1 else { throw ValidationError("--max-nonzeros must be at least 1") }
    } else if maxNonZeros != nil {
      throw ValidationError("--max-nonzeros applies to --method sparse")
    }
  }
}

extension SmoothTransport.Formulation: ExpressibleByArgument {}

/// Unbalanced transport (`otkit transport --method sinkhorn --unbalanced --rho R`).
struct UnbalancedOptions: ParsableArguments {
  @Flag(help: "Penalize the marginals instead of enforcing them (unbalanced OT; --method sinkhorn): the totals may differ.")
  var unbalanced = false

  @Option(help: "The marginal penalty's strength rho on both sides (POT's reg_m; OTT's tau is rho / (rho + epsilon)).")
  var rho: Double?

  @Option(help: "The source side's rho (default --rho; 'inf' keeps the source marginal exact: semi-relaxed).")
  var rhoSource: Double?

  @Option(help: "The target side's rho (default --rho; 'inf' keeps the target marginal exact).")
  var rhoTarget: Double?

  @Option(help: "The marginal penalty: kl (generalized Kullback-Leibler) or tv (total variation, rho |P 1 - a|_1).")
  var penalty: PenaltyKind = .kl

  @Option(help: "The entropy's reference: product (a b^T, POT's reg_type 'kl') or ones (POT's 'entropy', OTT-JAX).")
  var reference: EntropicReference = .product

  enum PenaltyKind: String, ExpressibleByArgument, CaseIterable { case kl, tv }

  func validate(for method: TransportMethod) throws {
    guard unbalanced else {
      if rho != nil || rhoSource != nil || rhoTarget != nil { throw ValidationError("--rho, --rho-source and --rho-target apply with --unbalanced") }
      return
    }
    guard method == .sinkhorn else { throw ValidationError("--unbalanced needs --method sinkhorn (and --epsilon)") }
    guard rho != nil || (rhoSource != nil && rhoTarget != nil) else {
      throw ValidationError("--unbalanced needs --rho (or both --rho-source and --rho-target)")
    }
    for (name, value) in [("--rho", rho), ("--rho-source", rhoSource), ("--rho-target", rhoTarget)] {
      if let value, !(value > 0) || value.isNaN { throw ValidationError("\(name) must be a positive number or inf") }
    }
    if penalties.0.isHard && penalties.1.isHard { throw ValidationError("--unbalanced needs a finite rho on at least one side") }
  }

  /// The source and target penalties.
  var penalties: (MarginalPenalty, MarginalPenalty) {
    func penalty(_ value: Double?) -> MarginalPenalty {
      guard let value = value ?? rho, value.isFinite else { return .hard }
      return self.penalty == .kl ? .kl(rho: value) : .tv(rho: value)
    }
    return (penalty(rhoSource), penalty(rhoTarget))
  }
}

extension EntropicReference: ExpressibleByArgument {}

/// The settings every training run takes (`otkit train`, `otkit reproduce`).
struct TrainingRunOptions: ParsableArguments {
  @Option(help: "The most epochs (of every model).")
  var epochs: Int = 200

  @Option(help: "The seed of the split, the initialization and the batches (the base seed for reproduce).")
  var seed: UInt64 = 0

  @Option(help: "Write a self-contained HTML report to this file.")
  var report: String?

  func validate() throws {
    guard epochs >= 1 else { throw ValidationError("--epochs must be positive") }
  }
}

/// A command with the training run's options; its `epochs`, `seed` and `report`.
protocol TrainingRunCommand {
  var training: TrainingRunOptions { get }
}

extension TrainingRunCommand {
  var epochs: Int { training.epochs }
  var seed: UInt64 { training.seed }
  var report: String? { training.report }
}
