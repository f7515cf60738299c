import ArgumentParser
import Foundation
import OTKit

struct TransportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transport",
    abstract: "Solve an optimal transport problem between two point clouds.",
    discussion: """
      SOURCE and TARGET are CSV (one point per row; a header is optional) or NPY files. \
      Weights files hold one weight per line (CSV) or a 1-D array (NPY); they default to \
      uniform. --method auto uses the 1-D solver for one-dimensional points (any cost but \
      cosine), the assignment solver for two uniform clouds of the same size, and the \
      network simplex otherwise (OT.solve's choice). The entropic methods stop when the L1 \
      marginal error |P 1 - a|_1 + |P^T 1 - b|_1 of the plan is at most --tolerance times \
      the total mass. \
      Every exact result comes with an optimality certificate (dual feasibility and \
      complementary slackness), checked and reported. With --example, solves a built-in \
      problem (two Gaussian clouds) instead of reading files.
      """
  )

  @Argument(help: "The source points (CSV or NPY).")
  var source: String?

  @Argument(help: "The target points (CSV or NPY).")
  var target: String?

  @Option(help: "The source weights (CSV or NPY).")
  var sourceWeights: String?

  @Option(help: "The target weights (CSV or NPY).")
  var targetWeights: String?

  @Option(help: "The ground cost: sqeuclidean, euclidean, cosine (1 - cos(x, y)) or minkowski (|x - y|_p, with --minkowski-p).")
  var cost: GroundCost = .squaredEuclidean

  @Option(help: "The exponent p >= 1 of --cost minkowski (1: Manhattan).")
  var minkowskiP: Double?

  @Option(help: "The solver: auto, exact (network simplex), assignment, 1d, sinkhorn, sns (Sinkhorn-Newton-Sparse), quadratic (quadratically regularized), sparse (at most --max-nonzeros per column) or entropic-lbfgs.")
  var method: TransportMethod = .auto

  @OptionGroup(title: "Entropic solvers")
  var entropic: EntropicOptions

  @OptionGroup(title: "Regularized solvers (L-BFGS on the dual)")
  var regularized: RegularizedOptions

  @OptionGroup(title: "Unbalanced transport (sinkhorn)")
  var unbalancedOptions: UnbalancedOptions

  @Option(help: "Write the plan to this file (.npy: dense n x m matrix; .csv: one row per non-zero entry: source,target,mass).")
  var plan: String?

  @Option(help: "The most network simplex pivots before stopping with status iterationLimit.")
  var maxIterations: Int?

  @Flag(help: "Rescale the target weights to the source's total instead of rejecting unequal totals.")
  var rescale = false

  @Option(help: "Solve a built-in problem of N points per side (two Gaussian clouds in 16 dimensions) instead of reading files.")
  var example: Int?

  @OptionGroup var printing: OutputOptions

  /// The largest built-in example (two clouds of 16 coordinates; the exact solvers' cost
  /// matrix of 10^5 x 10^5 entries is 80 GB).
  static let largestExample = 100_000

  /// The ground cost of --cost and --minkowski-p.
  var groundCost: GroundCost {
    if case .minkowski = cost { return .minkowski(p: minkowskiP ?? 1, q: 1) }
    return cost
  }

  func validate() throws {
    if example == nil && (source == nil || target == nil) {
      throw ValidationError("give SOURCE and TARGET files, or --example N")
    }
    if let example, !(1...TransportCommand.largestExample).contains(example) {
      throw ValidationError("--example needs a number of points from 1 to \(TransportCommand.largestExample)")
    }
    if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be positive") }
    try entropic.validate()
    try unbalancedOptions.validate()
    do {
      try solveOptions.check(for: method)
    } catch let error as SolveError {
      throw ValidationError(error.optionMessage)
    }
    if unbalancedOptions.unbalanced && rescale { throw ValidationError("--rescale does not apply with --unbalanced (the totals may differ)") }
    if let minkowskiP {
      guard case .minkowski = cost else { throw ValidationError("--minkowski-p applies to --cost minkowski") }
      guard minkowskiP >= 1 && minkowskiP.isFinite else { throw ValidationError("--minkowski-p must be a number >= 1") }
    }
    if method == .oneDimensional && !cost.hasOneDimensionalSolver {
      throw ValidationError("--method 1d needs a cost of x - y; \(cost.name) is not one")
    }
  }

  /// The library's options of every option group.
  var solveOptions: SolveOptions {
    var options = entropic.solveOptions(maxIterations: maxIterations)
    if unbalancedOptions.unbalanced {
      (options.sourcePenalty, options.targetPenalty) = unbalancedOptions.penalties
      options.reference = unbalancedOptions.reference
    }
    (options.gamma, options.maxNonZeros, options.formulation) = (regularized.gamma, regularized.maxNonZeros, regularized.formulation)
    return options
  }

  func run() throws {
    let problem: TransportProblem
    let solved: (solution: any TransportSolution, seconds: Double)
    do {
      problem = try loadProblem()
      solved = try OT.timedSolve(problem, method: method, options: solveOptions)
    } catch let error as DataError {
      throw CLIError(error.description)
    } catch let error as TransportProblemError {
      throw CLIError(files.description(of: error))
    } catch let error as SolveError {
      throw CLIError(files.description(of: error))
    }
    let (solution, seconds) = solved
    if let plan {
      do { try solution.writePlan(to: plan) } catch let error as DataError { throw CLIError(error.description) }
    }
    for line in solution.reportLines(for: problem) { print(line) }
    print(String(format: "time: %.4f s", seconds))
    if printing.json {
      let tolerance = solution.method.isEntropic || solution.method.isSmooth ? entropic.tolerance : nil
      let report = TransportReport(solution, problem: problem, seconds: seconds, tolerance: tolerance)
      print(JSONValue(encoding: report).serialized())
    }
    if !solution.status.isSuccess { throw ExitCode(3) }
  }

  /// The problem of the files or of --example.
  func loadProblem() throws -> TransportProblem {
    if let example { return try TransportProblem.example(points: example, cost: groundCost) }
    return try TransportProblem(files: files, cost: groundCost, rescale: rescale, unbalanced: unbalancedOptions.unbalanced)
  }

  var files: TransportFiles { TransportFiles(source: source, target: target, sourceWeights: sourceWeights, targetWeights: targetWeights) }
}

/// A user-facing error: printed as is, exit status 1.
struct CLIError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

extension Epsilon.CostStatistic: ExpressibleByArgument {}
extension TransportMethod: ExpressibleByArgument {}

extension GroundCost: ExpressibleByArgument {
  public init?(argument: String) { self.init(name: argument) }
  public static var allValueStrings: [String] { names }
  public var defaultValueDescription: String { name }
}
