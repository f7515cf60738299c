import OTKitCore

/// The outcome of ``SmoothTransport``: the plan of a quadratically regularized,
/// sparsity-constrained or entropic problem solved through its dual, with the figures a
/// user needs to trust it.
///
/// The plan is stored as its non-zeros (the quadratic and sparse plans have exact zeros).
/// ``marginalError`` is the L1 error `|T 1 - a|_1 + |Tᵀ 1 - b|_1`, split into
/// ``rowMarginalError`` and ``columnMarginalError`` (the semi-dual's columns are exact at
/// every iterate; its rows are exact only at a smooth optimum).
public struct RegularizedResult: Sendable {
  public var method: TransportMethod
  public var regularizer: TransportRegularizer
  public var formulation: SmoothTransport.Formulation
  public var status: SolverStatus
  /// How L-BFGS ended.
  public var optimizerStatus: LBFGS.Status
  /// L-BFGS iterations.
  public var iterations: Int
  /// Objective evaluations (line searches included).
  public var evaluations: Int
  /// The dual or semi-dual objective at the returned potentials (a lower bound of the
  /// regularized primal; equal to it at a smooth optimum).
  public var objective: Double
  /// `<T, C>` of the returned plan.
  public var cost: Double
  /// `<T, C> + Σ_j Ω(t_j)` of the returned plan (the primal objective; for the sparse
  /// regularizer, of its quadratic part).
  public var regularizedCost: Double
  /// `α` (n values).
  public var sourcePotential: [Double]
  /// `β` (m values): the dual's, or for the semi-dual `β_j = -max_Ω(α - c_j; b_j)`.
  public var targetPotential: [Double]
  /// The plan's non-zeros.
  public var plan: SparsePlan
  /// `|T 1 - a|_1`.
  public var rowMarginalError: Double
  /// `|Tᵀ 1 - b|_1`.
  public var columnMarginalError: Double
  /// The most non-zeros in one column (at most `k` for the sparse regularizer).
  public var maxNonZerosPerColumn: Int
  /// The most non-zeros in one row.
  public var maxNonZerosPerRow: Int
  /// The tolerance the run used (L1 marginal error relative to the total mass).
  public var tolerance: Double
  /// `float64` or `float32`: the precision of the column evaluations.
  public var precision: String

  /// The plan's L1 marginal error (rows and columns).
  public var marginalError: Double { rowMarginalError + columnMarginalError }
  /// The number of non-zeros of the plan.
  public var nonZeros: Int { plan.nonZeroCount }

  init(
    regularizer: TransportRegularizer, formulation: SmoothTransport.Formulation, method: TransportMethod,
    run: LBFGS.Result, plan: SparsePlan, problem: TransportProblem, sourcePotential: [Double],
    targetPotential: [Double], tolerance: Double, precision: String
  ) {
    self.method = method
    self.regularizer = regularizer
    self.formulation = formulation
    self.optimizerStatus = run.status
    self.iterations = run.iterations
    self.evaluations = run.evaluations
    self.objective = -run.value
    self.plan = plan
    self.sourcePotential = sourcePotential
    self.targetPotential = targetPotential
    self.tolerance = tolerance
    self.precision = precision
    let rows = plan.rowSums(), columns = plan.columnSums()
    rowMarginalError = zip(rows, problem.sourceWeights).reduce(0) { $0 + abs($1.0 - $1.1) }
    columnMarginalError = zip(columns, problem.targetWeights).reduce(0) { $0 + abs($1.0 - $1.1) }
    var perColumn = [Int](repeating: 0, count: plan.m), perRow = [Int](repeating: 0, count: plan.n)
    var linear = 0.0
    var columnValues = [[Double]](repeating: [], count: plan.m)
    for k in 0..<plan.nonZeroCount {
      perColumn[plan.columns[k]] += 1
      perRow[plan.rows[k]] += 1
      linear += plan.masses[k] * problem.cost(plan.rows[k], plan.columns[k])
      columnValues[plan.columns[k]].append(plan.masses[k])
    }
    maxNonZerosPerColumn = perColumn.max() ?? 0
    maxNonZerosPerRow = perRow.max() ?? 0
    cost = linear
    regularizedCost = linear + columnValues.reduce(0) { $0 + regularizer.value(ofColumn: $1) }
    let error = rowMarginalError + columnMarginalError
    let within = error <= tolerance * problem.totalMass
    let finite = linear.isFinite && error.isFinite && objective.isFinite
    switch run.status {
    case _ where !finite: status = .numericalError
    case .converged, .lineSearchFailed: status = within ? .converged : .stalled
    case .iterationLimit: status = within ? .converged : .iterationLimit
    case .nonFinite: status = .diverged
    }
  }
}

extension RegularizedResult: TransportSolution {
  /// Empty: L-BFGS keeps no per-iteration marginal error.
  public var errorHistory: [Double] { [] }
  public func densePlan() -> Matrix<Double> { plan.dense() }
  public func applyPlan(_ v: [Double]) -> [Double] { plan.apply(v) }
  public var description: String {
    "RegularizedResult(\(summary), \(regularizer), \(formulation.rawValue), objective \(objective), non-zeros \(nonZeros), row error \(rowMarginalError), column error \(columnMarginalError))"
  }
}
