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
      uniform. --method auto uses the 1-D solver for one-dimensional points, the assignment \
      solver for two uniform clouds of the same size, and the network simplex otherwise. \
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

  @Option(help: "The ground cost: sqeuclidean or euclidean.")
  var cost: CostOption = .sqeuclidean

  @Option(help: "The solver: auto, exact (network simplex), assignment, 1d, sinkhorn or sns (Sinkhorn-Newton-Sparse).")
  var method: MethodOption = .auto

  @Option(help: "The entropic regularization (sinkhorn, sns): absolute, or relative with --relative-epsilon.")
  var epsilon: Double?

  @Option(help: "Read --epsilon as a multiple of this statistic of the cost matrix: max, mean or std.")
  var relativeEpsilon: Epsilon.CostStatistic?

  @Option(help: "The tolerance on the L1 marginal error, relative to the total mass (sinkhorn, sns).")
  var tolerance: Double = 1e-9

  @Flag(help: "Iterate in Float instead of Double (sinkhorn).")
  var float32 = false

  @Flag(help: "Solve a decreasing sequence of epsilons from the cost diameter down, with warm starts (sinkhorn).")
  var epsilonScaling = false

  @Flag(inversion: .prefixedNo, help: "Compute costs on the fly instead of storing the n x m matrix (default: when it would exceed 10^8 entries).")
  var online: Bool?

  @Option(help: "Write the plan to this file (.npy: dense n x m matrix; .csv: one row per non-zero entry: source,target,mass).")
  var plan: String?

  @Option(help: "The most network simplex pivots before stopping with status iterationLimit.")
  var maxIterations: Int?

  @Flag(help: "Rescale the target weights to the source's total instead of rejecting unequal totals.")
  var rescale = false

  @Option(help: "Solve a built-in problem of N points per side (two Gaussian clouds in 16 dimensions) instead of reading files.")
  var example: Int?

  @Flag(help: "Print one JSON object on the last line of standard output.")
  var json = false

  enum CostOption: String, ExpressibleByArgument, CaseIterable {
    case sqeuclidean, euclidean
    var groundCost: GroundCost { self == .sqeuclidean ? .squaredEuclidean : .euclidean }
  }

  enum MethodOption: String, ExpressibleByArgument, CaseIterable {
    case auto, exact, assignment
    case oneDimensional = "1d"
    case sinkhorn, sns

    var isEntropic: Bool { self == .sinkhorn || self == .sns }
  }

  func validate() throws {
    if example == nil && (source == nil || target == nil) {
      throw ValidationError("give SOURCE and TARGET files, or --example N")
    }
    if let example, example < 1 { throw ValidationError("--example needs a positive number of points") }
    if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be positive") }
    if method.isEntropic {
      guard let epsilon else { throw ValidationError("--method \(method.rawValue) needs --epsilon") }
      guard epsilon > 0 && epsilon.isFinite else { throw ValidationError("--epsilon must be positive") }
      guard tolerance > 0 else { throw ValidationError("--tolerance must be positive") }
    } else if epsilon != nil || relativeEpsilon != nil || float32 || epsilonScaling {
      throw ValidationError("--epsilon, --relative-epsilon, --float32 and --epsilon-scaling apply to --method sinkhorn or sns")
    }
    if float32 && method == .sns { throw ValidationError("--float32 applies to --method sinkhorn") }
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
    let chosen = resolveMethod(problem)
    if chosen.isEntropic { return try runEntropic(problem, chosen) }
    // The solver time excludes building the cost matrix (as POT's ot.emd takes M given).
    if chosen != .oneDimensional { _ = problem.cost }
    let start = DispatchTime.now().uptimeNanoseconds
    let result: TransportResult
    do {
      switch chosen {
      case .exact, .auto:
        var solver = NetworkSimplex()
        if let maxIterations { solver.maxIterations = maxIterations }
        result = solver.solve(problem)
      case .assignment: result = try AssignmentSolver().solve(problem)
      case .oneDimensional: result = try OneDimensionalTransport().solve(problem)
      case .sinkhorn, .sns: preconditionFailure("entropic methods run in runEntropic")
      }
    } catch let error as TransportProblemError {
      throw CLIError(problemDescription(error))
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let plan { try writePlan(result.plan, to: plan) }
    report(result, problem: problem, seconds: seconds)
    if !result.status.isSuccess { throw ExitCode(3) }
  }

  func runEntropic(_ problem: TransportProblem, _ chosen: MethodOption) throws -> Void {
    let eps: Epsilon = relativeEpsilon.map { .relative(epsilon!, to: $0) } ?? .absolute(epsilon!)
    var solver = Sinkhorn(
      epsilon: eps, tolerance: tolerance, maxIterations: maxIterations ?? 10_000,
      scaling: epsilonScaling ? EpsilonScaling() : nil, useFloat: float32, online: online)
    // Stored costs are built before the clock starts (as POT and OTT-JAX take them given).
    if !(online ?? false) && problem.n * problem.m <= solver.denseLimit { _ = problem.cost }
    let start = DispatchTime.now().uptimeNanoseconds
    let result: EntropicResult
    if chosen == .sns {
      var newton = SinkhornNewtonSparse(epsilon: eps, tolerance: tolerance)
      if let maxIterations { newton.maxIterations = maxIterations }
      result = newton.solve(problem)
    } else {
      solver.online = online
      result = solver.solve(problem)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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
    print("method: \(result.method) (\(result.method == "sns" ? "Sinkhorn-Newton-Sparse" : "log-domain Sinkhorn"), \(result.precision)\(result.online ? ", online costs" : ""))")
    print("status: \(result.status)")
    print("epsilon: \(result.epsilon)")
    print("cost: \(result.cost) (linear <P, C>)")
    print("regularized cost: \(result.regularizedCost)")
    print("n: \(problem.n), m: \(problem.m)")
    print("iterations: \(result.iterations)")
    print("marginal error: \(result.marginalError)")
    print(String(format: "time: %.4f s", seconds))
    if json {
      let object: [String: JSONValue] = [
        "cost": .number(result.cost), "method": .string(result.method),
        "status": .string(result.status.rawValue), "iterations": .number(Double(result.iterations)),
        "marginalError": .number(result.marginalError), "seconds": .number(seconds),
        "n": .number(Double(problem.n)), "m": .number(Double(problem.m)),
        "epsilon": .number(result.epsilon), "regularizedCost": .number(result.regularizedCost),
        "dualObjective": .number(result.dualObjective), "precision": .string(result.precision),
        "online": .bool(result.online),
        "errorHistory": .array(result.errorHistory.suffix(1000).map { .number($0) }),
      ]
      print(JSONValue.object(object).serialized())
    }
    if !result.status.isSuccess { throw ExitCode(3) }
  }

  func problemDescription(_ error: TransportProblemError) -> String {
    let file: String
    switch error {
    case .nonFiniteWeight(.source, _, _), .negativeWeight(.source, _, _), .zeroTotalMass(.source),
      .weightCount(.source, _, _):
      file = sourceWeights ?? "source weights"
    case .nonFiniteWeight(.target, _, _), .negativeWeight(.target, _, _), .zeroTotalMass(.target),
      .weightCount(.target, _, _):
      file = targetWeights ?? "target weights"
    case .nonFiniteCoordinate(.source, _, _, _), .empty(.source), .notOneDimensional(.source, _):
      file = source ?? "source"
    case .nonFiniteCoordinate(.target, _, _, _), .empty(.target), .notOneDimensional(.target, _):
      file = target ?? "target"
    default:
      file = [source, target].compactMap { $0 }.joined(separator: ", ")
    }
    return file.isEmpty ? error.description : "\(file): \(error.description)"
  }

  func resolveMethod(_ problem: TransportProblem) -> MethodOption {
    guard method == .auto else { return method }
    if let x = problem.source, x.columns == 1 { return .oneDimensional }
    if problem.isUniformSquare { return .assignment }
    return .exact
  }

  func loadProblem() throws -> TransportProblem {
    if let example {
      var rng = SeededGenerator(seed: 0)
      let x: Matrix<Double> = rng.normalMatrix(rows: example, columns: 16)
      let y: Matrix<Double> = rng.normalMatrix(rows: example, columns: 16, mean: 1, standardDeviation: 1.5)
      return try TransportProblem(source: x, target: y, cost: cost.groundCost)
    }
    let x = try readPoints(source!)
    let y = try readPoints(target!)
    let a = try sourceWeights.map(readWeights)
    let b = try targetWeights.map(readWeights)
    return try TransportProblem(
      source: x, target: y, sourceWeights: a, targetWeights: b, cost: cost.groundCost,
      rescale: rescale)
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
    let solverName = ["exact": "network simplex", "assignment": "Jonker-Volgenant assignment", "1d": "1-D monotone coupling"][r.method] ?? r.method
    print("method: \(r.method) (\(solverName))")
    print("status: \(r.status)")
    print("cost: \(r.cost)")
    print("n: \(problem.n), m: \(problem.m), plan entries: \(r.plan.nonZeroCount)")
    print("iterations: \(r.iterations)")
    print("marginal error: \(c.marginalError)")
    let dual = c.dualFeasibilityChecked ? "min reduced cost \(c.minimumReducedCost)" : "dual feasibility not checked (\(problem.n) x \(problem.m) pairs)"
    print("certificate: \(c.holds ? "holds" : "FAILS") (\(dual), slackness \(c.complementarySlackness), duality gap \(c.dualityGap))")
    print(String(format: "time: %.4f s", seconds))
    if json {
      let object: [String: JSONValue] = [
        "cost": .number(r.cost), "method": .string(r.method), "status": .string(r.status.rawValue),
        "iterations": .number(Double(r.iterations)), "marginalError": .number(c.marginalError),
        "seconds": .number(seconds), "n": .number(Double(problem.n)), "m": .number(Double(problem.m)),
        "nonZeros": .number(Double(r.plan.nonZeroCount)),
        "certificate": .object([
          "holds": .bool(c.holds),
          "minimumReducedCost": c.dualFeasibilityChecked ? .number(c.minimumReducedCost) : .null,
          "complementarySlackness": .number(c.complementarySlackness),
          "dualityGap": .number(c.dualityGap), "tolerance": .number(c.tolerance),
        ]),
      ]
      print(JSONValue.object(object).serialized())
    }
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
