import OTKitCore

/// How a solver ended.
public enum SolverStatus: String, Sendable, Codable, CustomStringConvertible {
  /// An exact solver proved optimality: no improving move is left.
  case optimal
  /// An iterative solver met its tolerance.
  case converged
  /// The iteration limit was reached first; the result is feasible but not proved optimal
  /// (exact solvers) or not within tolerance (iterative solvers).
  case iterationLimit
  /// The problem has no feasible plan (exact solvers).
  case infeasible
  /// A non-finite value appeared; the result holds the last finite state.
  case diverged
  /// The iterations met the tolerance, but the returned plan, evaluated in the working
  /// precision, misses it: the tolerance is below that precision's floor (`Float`
  /// potentials carry about `1e-6` relative error).
  case stalled
  /// A number the result needs (the cost, a potential, a measure of the certificate) is not
  /// finite in the working precision, or the regularization resolved to no positive finite
  /// epsilon: the problem's numbers exceed what the solver can represent. Never reported
  /// as ``optimal`` or ``converged``.
  case numericalError

  public var description: String { rawValue }

  /// Whether the result can be trusted as the solution asked for.
  public var isSuccess: Bool { self == .optimal || self == .converged }
}

/// A transport plan stored as its non-zero entries.
public struct SparsePlan: Sendable, Equatable {
  /// The number of source points (rows).
  public let n: Int
  /// The number of target points (columns).
  public let m: Int
  /// The row of each entry.
  public private(set) var rows: [Int]
  /// The column of each entry.
  public private(set) var columns: [Int]
  /// The mass of each entry.
  public private(set) var masses: [Double]

  public init(n: Int, m: Int, rows: [Int] = [], columns: [Int] = [], masses: [Double] = []) {
    precondition(rows.count == columns.count && rows.count == masses.count)
    self.n = n
    self.m = m
    self.rows = rows
    self.columns = columns
    self.masses = masses
  }

  /// Adds an entry.
  public mutating func append(row: Int, column: Int, mass: Double) {
    rows.append(row)
    columns.append(column)
    masses.append(mass)
  }

  /// The number of stored entries.
  public var nonZeroCount: Int { masses.count }

  /// The plan as a dense `n x m` matrix.
  public func dense() -> Matrix<Double> {
    var p = Matrix<Double>(rows: n, columns: m)
    for k in 0..<masses.count { p[rows[k], columns[k]] += masses[k] }
    return p
  }

  /// The row sums (the plan's first marginal).
  public func rowSums() -> [Double] {
    var s = [Double](repeating: 0, count: n)
    for k in 0..<masses.count { s[rows[k]] += masses[k] }
    return s
  }

  /// The column sums (the plan's second marginal).
  public func columnSums() -> [Double] {
    var s = [Double](repeating: 0, count: m)
    for k in 0..<masses.count { s[columns[k]] += masses[k] }
    return s
  }

  /// `P v` for `m` values.
  ///
  /// - Complexity: `O(non-zeros)`.
  public func apply(_ v: [Double]) -> [Double] {
    precondition(v.count == m, "the plan applies to \(m) values")
    var out = [Double](repeating: 0, count: n)
    for k in 0..<masses.count { out[rows[k]] += masses[k] * v[columns[k]] }
    return out
  }

  /// `<P, C>`.
  public func cost(_ c: Matrix<Double>) -> Double {
    var total = 0.0
    for k in 0..<masses.count { total += masses[k] * c[rows[k], columns[k]] }
    return total
  }
}

/// The outcome of an exact transport solver.
public struct TransportResult: Sendable {
  /// The solver that produced it (`exact`, `assignment`, `1d`).
  public var method: TransportMethod
  /// How the solver ended.
  public var status: SolverStatus
  /// The transport cost `<P, C>`.
  public var cost: Double
  /// The plan.
  public var plan: SparsePlan
  /// The source potential `f` (dual variable of the source marginal).
  public var sourcePotential: [Double]
  /// The target potential `g`; `f_i + g_j <= C_ij` at the optimum.
  public var targetPotential: [Double]
  /// Pivots (network simplex), augmentations (assignment) or merge steps (1-D).
  public var iterations: Int
  /// The checks of optimality, computed from the plan and the potentials.
  public var certificate: OptimalityCertificate
  /// The assignment `target = permutation[source]`, from the assignment solver.
  public var permutation: [Int]?

  /// The largest absolute error of the plan's marginals.
  public var marginalError: Double { certificate.marginalError }

  /// A result; a success whose cost or certificate is not finite becomes
  /// ``SolverStatus/numericalError`` (never `optimal` with a non-finite cost).
  public init(
    method: TransportMethod, status: SolverStatus, cost: Double, plan: SparsePlan, sourcePotential: [Double],
    targetPotential: [Double], iterations: Int, certificate: OptimalityCertificate, permutation: [Int]? = nil
  ) {
    self.method = method
    self.cost = cost
    self.plan = plan
    self.sourcePotential = sourcePotential
    self.targetPotential = targetPotential
    self.iterations = iterations
    self.certificate = certificate
    self.permutation = permutation
    let c = certificate
    let finite = cost.isFinite && c.dualityGap.isFinite && c.complementarySlackness.isFinite && c.marginalError.isFinite
      && (!c.dualFeasibilityChecked || c.minimumReducedCost.isFinite)
    self.status = status.isSuccess && !finite ? .numericalError : status
  }
}
