import ArgumentParser
import OTKit

/// `--json`, shared by every command.
struct OutputOptions: ParsableArguments {
  @Flag(help: "Print one JSON object on the last line of standard output.")
  var json = false

  @Option(help: ArgumentHelp("The memory OTKit may use (512M, 8G); a request beyond it stops with status 2. Default: OTKIT_MEMORY_LIMIT, else the available memory.", valueName: "size"))
  var memoryLimit: String?

  func validate() throws {
    guard let memoryLimit else { return }
    guard let bytes = MemoryBudget.parse(memoryLimit) else { throw ValidationError("--memory-limit must be a size such as 512M or 8G, got \"\(memoryLimit)\"") }
    MemoryBudget.setLimit(bytes)
  }
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
  var acceleration = "adaptive"

  @Option(help: "The over-relaxation of --acceleration momentum, in (0, 2).")
  var omega: Double?

  @Option(help: "The sweeps mixed by --acceleration anderson (at least 2).")
  var andersonMemory: Int?

  /// The library's acceleration of the options (`nil` for an unknown name).
  var resolvedAcceleration: SinkhornAcceleration? { SinkhornAcceleration(option: acceleration, omega: omega, memory: andersonMemory) }

  /// The rules of these flags alone (the library checks the settings against the method).
  func validate() throws {
    if relativeEpsilon != nil && epsilon == nil { throw ValidationError("--relative-epsilon needs --epsilon") }
    guard resolvedAcceleration != nil else { throw ValidationError("--acceleration must be one of \(SinkhornAcceleration.optionNames.joined(separator: ", ")) (got \(acceleration))") }
    if omega != nil && acceleration != "momentum" { throw ValidationError("--omega applies to --acceleration momentum") }
    if andersonMemory != nil && acceleration != "anderson" { throw ValidationError("--anderson-memory applies to --acceleration anderson") }
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
    options.acceleration = resolvedAcceleration ?? .adaptive
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
  var penalty = "kl"

  @Option(help: "The entropy's reference: product (a b^T, POT's reg_type 'kl') or ones (POT's 'entropy', OTT-JAX).")
  var reference: EntropicReference = .product

  /// The rules of these flags alone (the library checks the penalties against the method).
  func validate() throws {
    guard MarginalPenalty.names.contains(penalty) else { throw ValidationError("--penalty must be one of \(MarginalPenalty.names.joined(separator: ", ")) (got \(penalty))") }
    guard unbalanced else {
      if rho != nil || rhoSource != nil || rhoTarget != nil { throw ValidationError("--rho, --rho-source and --rho-target apply with --unbalanced") }
      return
    }
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
    func penalty(_ value: Double?) -> MarginalPenalty { (value ?? rho).flatMap { MarginalPenalty(name: self.penalty, rho: $0) } ?? .hard }
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

extension SolveError {
  /// The command line's flag of each setting of `SolveOptions`.
  static let flags = [
    "epsilon": "--epsilon", "tolerance": "--tolerance", "useFloat": "--float32", "epsilonScaling": "--epsilon-scaling",
    "acceleration": "--acceleration", "omega": "--omega", "andersonMemory": "--anderson-memory", "gamma": "--gamma",
    "maxNonZeros": "--max-nonzeros", "penalties": "--unbalanced", "sourcePenalty": "--rho", "targetPenalty": "--rho",
  ]

  /// The library's check of the options in the command line's words.
  var optionMessage: String { message(flags: Self.flags) }
}
