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
  var cost: CostOption = .sqeuclidean

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
  var json: Bool { printing.json }

  /// The largest built-in example (two clouds of 16 coordinates; the exact solvers' cost
  /// matrix of 10^5 x 10^5 entries is 80 GB).
  static let largestExample = 100_000

  enum CostOption: String, ExpressibleByArgument, CaseIterable {
    case sqeuclidean, euclidean, cosine, minkowski
  }

  /// The ground cost of --cost (and --minkowski-p).
  var groundCost: GroundCost {
    switch cost {
    case .sqeuclidean: .squaredEuclidean
    case .euclidean: .euclidean
    case .cosine: .cosine
    case .minkowski: .minkowski(p: minkowskiP ?? 1, q: 1)
    }
  }

  func validate() throws {
    if example == nil && (source == nil || target == nil) {
      throw ValidationError("give SOURCE and TARGET files, or --example N")
    }
    if let example, !(1...TransportCommand.largestExample).contains(example) {
      throw ValidationError("--example needs a number of points from 1 to \(TransportCommand.largestExample)")
    }
    if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be positive") }
    try entropic.validate(for: method)
    try regularized.validate(for: method)
    try unbalancedOptions.validate(for: method)
    if unbalancedOptions.unbalanced && rescale { throw ValidationError("--rescale does not apply with --unbalanced (the totals may differ)") }
    if let minkowskiP {
      guard cost == .minkowski else { throw ValidationError("--minkowski-p applies to --cost minkowski") }
      guard minkowskiP >= 1 && minkowskiP.isFinite else { throw ValidationError("--minkowski-p must be a number >= 1") }
    }
    if method == .oneDimensional && cost == .cosine {
      throw ValidationError("--method 1d needs a cost of x - y; cosine is not one")
    }
  }

  func run() throws {
    let problem: TransportProblem
    do {
      problem = try loadProblem()
    } catch let error as DataError {
      throw CLIError(error.description)
    } catch let error as TransportProblemError {
      throw CLIError(problemDescription(error))
    }
    let chosen = method == .auto ? OT.chooseMethod(for: problem) : method
    if chosen.isEntropic { return try runEntropic(problem, chosen) }
    if chosen.isSmooth { return try runSmooth(problem, chosen) }
    // The solver time excludes building the cost matrix (as POT's ot.emd takes M given).
    if chosen != .oneDimensional { _ = problem.cost }
    let start = DispatchTime.now().uptimeNanoseconds
    let result: TransportResult
    do {
      let solver = try OT.solver(for: chosen, problem: problem, options: SolveOptions(maxIterations: maxIterations))
      result = try solver.solution(of: problem) as! TransportResult
    } catch let error as TransportProblemError {
      throw CLIError(problemDescription(error))
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let plan { try writePlan(result.plan, to: plan) }
    report(result, problem: problem, seconds: seconds)
    if !result.status.isSuccess { throw ExitCode(3) }
  }

  func runEntropic(_ problem: TransportProblem, _ chosen: TransportMethod) throws -> Void {
    var options = entropic.solveOptions(maxIterations: maxIterations)
    if unbalancedOptions.unbalanced {
      (options.sourcePenalty, options.targetPenalty) = unbalancedOptions.penalties
      options.reference = unbalancedOptions.reference
    }
    // Stored costs are built before the clock starts (as POT and OTT-JAX take them given).
    if !(entropic.online ?? false) && problem.n * problem.m <= Sinkhorn(epsilon: options.epsilon!).denseLimit { _ = problem.cost }
    let (solution, seconds) = try timedSolve(problem, chosen, options)
    let result = solution as! EntropicResult
    if let plan {
      do {
        if plan.lowercased().hasSuffix(".npy") {
          try NPY.write(result.densePlan(), to: plan)
        } else {
          try CSV.write(result.densePlan(), to: plan)
        }
      } catch let error as DataError {
        throw CLIError(error.description)
      }
    }
    print("method: \(result.method) (\(result.method.solverName), \(result.precision)\(result.online ? ", online costs" : ""))")
    print("status: \(result.status)")
    print("epsilon: \(result.epsilon)")
    print("cost: \(result.cost) (linear <P, C>)")
    print("regularized cost: \(result.regularizedCost)")
    print("n: \(problem.n), m: \(problem.m)")
    print("iterations: \(result.iterations)")
    if let a = result.acceleration, a.mode != "none" {
      print("acceleration: \(a.mode), omega \(a.omega), \(a.acceleratedIterations) accelerated iterations, \(a.fallbacks) safeguard fallbacks")
    }
    print("marginal error: \(result.marginalError)\(result.unbalanced == nil ? "" : " (to the marginals the penalties ask for)")")
    if let u = result.unbalanced {
      print("penalties: source \(u.sourcePenalty), target \(u.targetPenalty), reference \(u.reference.rawValue)")
      print("transported mass: \(u.transportedMass) (source total \(problem.totalMass), target total \(problem.targetWeights.reduce(0, +)))")
      print("marginal divergences: source \(u.sourceDivergence), target \(u.targetDivergence)")
    }
    print(String(format: "time: %.4f s", seconds))
    if json { print(Self.json(result, problem: problem, seconds: seconds, tolerance: entropic.tolerance).serialized()) }
    if !result.status.isSuccess { throw ExitCode(3) }
  }

  func runSmooth(_ problem: TransportProblem, _ chosen: TransportMethod) throws {
    var options = entropic.solveOptions(maxIterations: maxIterations)
    options.gamma = regularized.gamma
    options.maxNonZeros = regularized.maxNonZeros
    options.formulation = regularized.formulation
    _ = problem.cost
    let (solution, seconds) = try timedSolve(problem, chosen, options)
    let result = solution as! RegularizedResult
    if let plan { try writePlan(result.plan, to: plan) }
    print("method: \(result.method) (\(result.method.solverName), \(result.formulation.rawValue), \(result.precision))")
    print("status: \(result.status) (L-BFGS: \(result.optimizerStatus.rawValue))")
    print("regularizer: \(result.regularizer)")
    print("cost: \(result.cost) (linear <P, C>)")
    print("regularized cost: \(result.regularizedCost)")
    print("\(result.formulation.rawValue) objective: \(result.objective)")
    print("n: \(problem.n), m: \(problem.m), plan entries: \(result.nonZeros) (at most \(result.maxNonZerosPerColumn) per column)")
    print("iterations: \(result.iterations) (\(result.evaluations) evaluations)")
    print("marginal error: \(result.marginalError) (rows \(result.rowMarginalError), columns \(result.columnMarginalError))")
    print(String(format: "time: %.4f s", seconds))
    if json { print(Self.json(result, problem: problem, seconds: seconds, tolerance: entropic.tolerance).serialized()) }
    if !result.status.isSuccess { throw ExitCode(3) }
  }

  /// The solve alone on the clock, with the options' errors in the command line's words.
  func timedSolve(_ problem: TransportProblem, _ chosen: TransportMethod, _ options: SolveOptions) throws -> (any TransportSolution, Double) {
    let solver: any TransportSolver
    do {
      solver = try OT.solver(for: chosen, problem: problem, options: options)
    } catch let error as SolveError {
      throw CLIError(solveDescription(error))
    } catch let error as TransportProblemError {
      throw CLIError(problemDescription(error))
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try solver.solution(of: problem)
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }

  /// A solve error in the options' words (`--relative-epsilon`, `--float32`).
  func solveDescription(_ error: SolveError) -> String {
    let files = [source, target].compactMap { $0 }.joined(separator: ", ")
    let place = files.isEmpty ? "" : "\(files): "
    switch error {
    case .unresolvedEpsilon(let epsilon, let resolved):
      return "\(place)--epsilon \(epsilon) is \(resolved) on these points (the statistic of the costs is \(resolved == 0 ? "0" : "not finite")); give an absolute --epsilon (without --relative-epsilon)"
    case .floatOverflow(let largest):
      return "\(place)costs up to \(largest) overflow float32 (--float32); solve in float64 without it"
    default:
      return place + error.description
    }
  }

  func problemDescription(_ error: TransportProblemError) -> String {
    let file: String
    switch error {
    case .nonFiniteWeight(.source, _, _), .negativeWeight(.source, _, _), .zeroTotalMass(.source),
      .weightCount(.source, _, _), .massOverflow(.source):
      file = sourceWeights ?? "source weights"
    case .nonFiniteWeight(.target, _, _), .negativeWeight(.target, _, _), .zeroTotalMass(.target),
      .weightCount(.target, _, _), .massOverflow(.target):
      file = targetWeights ?? "target weights"
    case .nonFiniteCoordinate(.source, _, _, _), .empty(.source), .notOneDimensional(.source, _):
      file = source ?? "source"
    case .nonFiniteCoordinate(.target, _, _, _), .empty(.target), .notOneDimensional(.target, _):
      file = target ?? "target"
    default:
      file = [source, target].compactMap { $0 }.joined(separator: ", ")
    }
    var text = error.description
    if case .unequalTotals = error { text += " (--rescale accepts them)" }
    return file.isEmpty ? text : "\(file): \(text)"
  }

  func loadProblem() throws -> TransportProblem {
    if let example {
      var rng = SeededGenerator(seed: 0)
      let x: Matrix<Double> = rng.normalMatrix(rows: example, columns: 16)
      let y: Matrix<Double> = rng.normalMatrix(rows: example, columns: 16, mean: 1, standardDeviation: 1.5)
      return try TransportProblem(source: x, target: y, cost: groundCost)
    }
    let x = try readPoints(source!)
    let y = try readPoints(target!)
    let a = try sourceWeights.map(readWeights)
    let b = try targetWeights.map(readWeights)
    return try TransportProblem(
      source: x, target: y, sourceWeights: a, targetWeights: b, cost: groundCost,
      rescale: rescale, unbalanced: unbalancedOptions.unbalanced)
  }

  func writePlan(_ plan: SparsePlan, to path: String) throws {
    do {
      if path.lowercased().hasSuffix(".npy") {
        try NPY.write(plan.dense(), to: path)
      } else {
        var entries = Matrix<Double>(rows: plan.nonZeroCount, columns: 3)
        for k in 0..<plan.nonZeroCount {
          entries[k, 0] = Double(plan.rows[k])
          entries[k, 1] = Double(plan.columns[k])
          entries[k, 2] = plan.masses[k]
        }
        try CSV.write(entries, to: path, header: ["source", "target", "mass"])
      }
    } catch let error as DataError {
      throw CLIError(error.description)
    }
  }

  func report(_ r: TransportResult, problem: TransportProblem, seconds: Double) {
    let c = r.certificate
    print("method: \(r.method) (\(r.method.solverName))")
    print("status: \(r.status)")
    print("cost: \(r.cost)")
    print("n: \(problem.n), m: \(problem.m), plan entries: \(r.plan.nonZeroCount)")
    print("iterations: \(r.iterations)")
    print("marginal error: \(c.marginalError)")
    let dual = c.dualFeasibilityChecked ? "min reduced cost \(c.minimumReducedCost)" : "dual feasibility not checked (\(problem.n) x \(problem.m) pairs)"
    print("certificate: \(c.holds ? "holds" : "FAILS") (\(dual), slackness \(c.complementarySlackness), duality gap \(c.dualityGap))")
    print(String(format: "time: %.4f s", seconds))
    if json { print(Self.json(r, problem: problem, seconds: seconds).serialized()) }
  }

  /// The `--json` object of a solve: the library's ``TransportReport`` (its keys are a
  /// public contract).
  static func json(_ solution: any TransportSolution, problem: TransportProblem, seconds: Double, tolerance: Double? = nil) -> JSONValue {
    (try? JSONValueEncoder.encode(TransportReport(solution, problem: problem, seconds: seconds, tolerance: tolerance))) ?? .null
  }
}

/// Reads points from a CSV (header optional) or NPY file.
func readPoints(_ path: String) throws -> Matrix<Double> {
  if path.lowercased().hasSuffix(".npy") { return try NPY.readMatrix(path) }
  return try CSV.read(path).features
}

/// Reads weights: one per line (CSV) or a 1-D (or single-column) NPY array.
func readWeights(_ path: String) throws -> [Double] {
  let m = try readPoints(path)
  guard m.columns == 1 || m.rows == 1 else {
    throw DataError(.shapeMismatch("weights must be one column, found \(m.rows) x \(m.columns)"), file: path)
  }
  return m.elements
}

/// A user-facing error: printed as is, exit status 2.
struct CLIError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

extension Epsilon.CostStatistic: ExpressibleByArgument {}
extension TransportMethod: ExpressibleByArgument {}
