import OTKitCore

/// What every transport solver returns, exact or entropic.
///
/// **Tolerance.** Every iterative solver of OTKit stops on one measure: the L1 marginal
/// error of the returned plan, `|P 1 - a|_1 + |P^T 1 - b|_1`, relative to the total mass.
/// A result is ``SolverStatus/converged`` only when that measured error (``marginalError``,
/// absolute) is at most `tolerance * totalMass`. Exact solvers prove optimality instead
/// (``SolverStatus/optimal``) and report the largest absolute marginal error of their plan.
public protocol TransportSolution: Sendable, CustomStringConvertible {
  /// The solver that produced it.
  var method: TransportMethod { get }
  /// How the solver ended.
  var status: SolverStatus { get }
  /// The linear transport cost `<P, C>`.
  var cost: Double { get }
  /// Pivots, augmentations, merge steps or iterations.
  var iterations: Int { get }
  /// The plan's marginal error: the largest absolute error (exact solvers) or the L1 error
  /// `|P 1 - a|_1 + |P^T 1 - b|_1` (entropic solvers).
  var marginalError: Double { get }
  /// The source potential `f` (`n` values).
  var sourcePotential: [Double] { get }
  /// The target potential `g` (`m` values).
  var targetPotential: [Double] { get }
  /// The marginal error after each iteration (empty for exact solvers).
  var errorHistory: [Double] { get }
  /// The plan as a dense `n x m` matrix.
  func densePlan() -> Matrix<Double>
  /// `P v` for `m` values, without forming a dense plan.
  func applyPlan(_ v: [Double]) -> [Double]
  /// The plan's non-zero entries, when the solver keeps it sparse (exact and regularized
  /// solvers); `nil` when the plan is only known densely or lazily (entropic solvers).
  var sparsePlan: SparsePlan? { get }
  /// The lines a person reads of this solution of `problem` (`otkit transport` prints
  /// them): method, status, costs, sizes, iterations, marginal error and what is particular
  /// to the solver; never the plan.
  func reportLines(for problem: TransportProblem) -> [String]
}

extension TransportSolution {
  public var sparsePlan: SparsePlan? { nil }

  /// Method, status, cost, sizes, iterations and marginal error.
  public func reportLines(for problem: TransportProblem) -> [String] {
    [
      "method: \(method) (\(method.solverName))", "status: \(status)", "cost: \(cost)", "n: \(problem.n), m: \(problem.m)",
      "iterations: \(iterations)", "marginal error: \(marginalError)",
    ]
  }

  /// A one-line summary: method, status, cost, iterations and marginal error (never the
  /// plan or the potentials).
  public var summary: String {
    "\(method) (\(method.solverName)): \(status), cost \(cost), \(iterations) iterations, marginal error \(marginalError), n = \(sourcePotential.count), m = \(targetPotential.count)"
  }
}

extension TransportResult: TransportSolution {
  public var errorHistory: [Double] { [] }
  public func densePlan() -> Matrix<Double> { plan.dense() }
  public func applyPlan(_ v: [Double]) -> [Double] { plan.apply(v) }
  /// A one-line summary (see ``TransportSolution/summary``) with the certificate's verdict.
  public var description: String {
    "TransportResult(\(summary), plan entries \(plan.nonZeroCount), certificate \(certificate.holds ? "holds" : "fails"))"
  }
}

extension EntropicResult: TransportSolution {
  /// A one-line summary (see ``TransportSolution/summary``) with epsilon and the
  /// regularized cost.
  public var description: String {
    "EntropicResult(\(summary), epsilon \(epsilon), regularized cost \(regularizedCost), \(precision)\(online ? ", online" : ""))"
  }
}
