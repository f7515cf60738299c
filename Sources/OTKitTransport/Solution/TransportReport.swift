import OTKitCore

/// What `otkit transport --json` prints, as a library value: the solution's figures, the
/// problem's sizes and cost, and the solver time. Its keys are a public contract.
///
/// Exact results add `nonZeros` and the `certificate`; entropic results add `epsilon`,
/// `regularizedCost`, `dualObjective`, `precision`, `online`, the last 1000 entries of the
/// `errorHistory`, and the `tolerance` with its norm (`toleranceNorm`: the L1 marginal error
/// relative to the total mass). Smooth regularized results (`quadratic`, `sparse`,
/// `entropic-lbfgs`) add `regularizer`, `gamma`, `maxNonZeros`, `formulation`, `objective`,
/// `regularizedCost`, `nonZeros`, `maxNonZerosPerColumn`, `rowMarginalError`,
/// `columnMarginalError`, `transportedMass`, `optimizerStatus`, `evaluations`, `precision`,
/// `tolerance` and `toleranceNorm`. Unbalanced Sinkhorn adds `sourcePenalty` and
/// `targetPenalty` (`hard`, `kl`, `tv`), `rhoSource` and `rhoTarget` (`null` for hard),
/// `reference`, `transportedMass`, `sourceDivergence`, `targetDivergence`,
/// `sourceMismatch` and `targetMismatch`. Sinkhorn adds `acceleration` (`mode`, `omega`,
/// `acceleratedIterations`, `fallbacks`). Non-finite numbers encode as `null`.
public struct TransportReport: Encodable, Sendable {
  public var cost: Double
  public var method: TransportMethod
  public var status: SolverStatus
  public var iterations: Int
  public var marginalError: Double
  /// The solver's time in seconds (reading files and building the cost matrix excluded).
  public var seconds: Double
  public var n: Int
  public var m: Int
  /// The ground cost's name, or `matrix` for a problem given by its cost matrix.
  public var groundCost: String
  public var exact: Exact?
  public var entropic: Entropic?
  public var regularized: Regularized?

  /// The figures of an exact solve.
  public struct Exact: Encodable, Sendable {
    public var nonZeros: Int
    public var certificate: OptimalityCertificate
  }

  /// The figures of an entropic solve.
  public struct Entropic: Encodable, Sendable {
    public var epsilon: Double
    public var regularizedCost: Double
    public var dualObjective: Double
    public var precision: String
    public var online: Bool
    public var errorHistory: [Double]
    public var tolerance: Double
    public var unbalanced: EntropicResult.Unbalanced?
    public var acceleration: SinkhornAccelerationReport?
  }

  /// The figures of a smooth regularized solve (``RegularizedResult``).
  public struct Regularized: Encodable, Sendable {
    public var regularizer: String
    public var gamma: Double
    public var maxNonZeros: Int?
    public var formulation: String
    public var objective: Double
    public var regularizedCost: Double
    public var nonZeros: Int
    public var maxNonZerosPerColumn: Int
    public var rowMarginalError: Double
    public var columnMarginalError: Double
    public var transportedMass: Double
    public var optimizerStatus: String
    public var evaluations: Int
    public var precision: String
    public var tolerance: Double
  }

  /// The report of a solution of `problem` that took `seconds`; `tolerance` is the entropic
  /// solver's (ignored for exact results).
  public init(_ solution: any TransportSolution, problem: TransportProblem, seconds: Double, tolerance: Double? = nil) {
    cost = solution.cost
    method = solution.method
    status = solution.status
    iterations = solution.iterations
    marginalError = solution.marginalError
    self.seconds = seconds
    n = problem.n
    m = problem.m
    groundCost = problem.groundCost?.description ?? "matrix"
    if let exact = solution as? TransportResult {
      self.exact = Exact(nonZeros: exact.plan.nonZeroCount, certificate: exact.certificate)
    }
    if let entropic = solution as? EntropicResult {
      self.entropic = Entropic(
        epsilon: entropic.epsilon, regularizedCost: entropic.regularizedCost, dualObjective: entropic.dualObjective,
        precision: entropic.precision, online: entropic.online, errorHistory: Array(entropic.errorHistory.suffix(1000)),
        tolerance: tolerance ?? .nan, unbalanced: entropic.unbalanced, acceleration: entropic.acceleration)
    }
    if let r = solution as? RegularizedResult {
      regularized = Regularized(
        regularizer: r.regularizer.name, gamma: r.regularizer.gamma, maxNonZeros: r.regularizer.maxNonZeros,
        formulation: r.formulation.rawValue, objective: r.objective, regularizedCost: r.regularizedCost, nonZeros: r.nonZeros,
        maxNonZerosPerColumn: r.maxNonZerosPerColumn, rowMarginalError: r.rowMarginalError,
        columnMarginalError: r.columnMarginalError, transportedMass: r.plan.masses.reduce(0, +),
        optimizerStatus: r.optimizerStatus.rawValue, evaluations: r.evaluations, precision: r.precision, tolerance: r.tolerance)
    }
  }

  enum Keys: String, CodingKey {
    case cost, method, status, iterations, marginalError, seconds, n, m, groundCost, nonZeros, certificate
    case epsilon, regularizedCost, dualObjective, precision, online, errorHistory, tolerance, toleranceNorm
    case regularizer, gamma, maxNonZeros, formulation, objective, maxNonZerosPerColumn, rowMarginalError, columnMarginalError
    case transportedMass, optimizerStatus, evaluations
    case sourcePenalty, targetPenalty, rhoSource, rhoTarget, reference, sourceDivergence, targetDivergence
    case sourceMismatch, targetMismatch, acceleration
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encodeFinite(cost, forKey: .cost)
    try c.encode(method, forKey: .method)
    try c.encode(status, forKey: .status)
    try c.encode(iterations, forKey: .iterations)
    try c.encodeFinite(marginalError, forKey: .marginalError)
    try c.encodeFinite(seconds, forKey: .seconds)
    try c.encode(n, forKey: .n)
    try c.encode(m, forKey: .m)
    try c.encode(groundCost, forKey: .groundCost)
    if let exact {
      try c.encode(exact.nonZeros, forKey: .nonZeros)
      try c.encode(exact.certificate, forKey: .certificate)
    }
    if let entropic {
      try c.encodeFinite(entropic.epsilon, forKey: .epsilon)
      try c.encodeFinite(entropic.regularizedCost, forKey: .regularizedCost)
      try c.encodeFinite(entropic.dualObjective, forKey: .dualObjective)
      try c.encode(entropic.precision, forKey: .precision)
      try c.encode(entropic.online, forKey: .online)
      var history = c.nestedUnkeyedContainer(forKey: .errorHistory)
      for e in entropic.errorHistory { if e.isFinite { try history.encode(e) } else { try history.encodeNil() } }
      try c.encodeFinite(entropic.tolerance, forKey: .tolerance)
      try c.encode("l1-relative-to-mass", forKey: .toleranceNorm)
      if let a = entropic.acceleration { try c.encode(a, forKey: .acceleration) }
      if let u = entropic.unbalanced {
        try c.encode(u.sourcePenalty.name, forKey: .sourcePenalty)
        try c.encode(u.targetPenalty.name, forKey: .targetPenalty)
        try c.encodeFinite(u.sourcePenalty.rho, forKey: .rhoSource)
        try c.encodeFinite(u.targetPenalty.rho, forKey: .rhoTarget)
        try c.encode(u.reference.rawValue, forKey: .reference)
        try c.encodeFinite(u.transportedMass, forKey: .transportedMass)
        try c.encodeFinite(u.sourceDivergence, forKey: .sourceDivergence)
        try c.encodeFinite(u.targetDivergence, forKey: .targetDivergence)
        try c.encodeFinite(u.sourceMismatch, forKey: .sourceMismatch)
        try c.encodeFinite(u.targetMismatch, forKey: .targetMismatch)
      }
    }
    if let r = regularized {
      try c.encode(r.regularizer, forKey: .regularizer)
      try c.encodeFinite(r.gamma, forKey: .gamma)
      if let k = r.maxNonZeros { try c.encode(k, forKey: .maxNonZeros) } else { try c.encodeNil(forKey: .maxNonZeros) }
      try c.encode(r.formulation, forKey: .formulation)
      try c.encodeFinite(r.objective, forKey: .objective)
      try c.encodeFinite(r.regularizedCost, forKey: .regularizedCost)
      try c.encode(r.nonZeros, forKey: .nonZeros)
      try c.encode(r.maxNonZerosPerColumn, forKey: .maxNonZerosPerColumn)
      try c.encodeFinite(r.rowMarginalError, forKey: .rowMarginalError)
      try c.encodeFinite(r.columnMarginalError, forKey: .columnMarginalError)
      try c.encodeFinite(r.transportedMass, forKey: .transportedMass)
      try c.encode(r.optimizerStatus, forKey: .optimizerStatus)
      try c.encode(r.evaluations, forKey: .evaluations)
      try c.encode(r.precision, forKey: .precision)
      try c.encodeFinite(r.tolerance, forKey: .tolerance)
      try c.encode("l1-relative-to-mass", forKey: .toleranceNorm)
    }
  }
}

extension OptimalityCertificate: Encodable {
  enum Keys: String, CodingKey {
    case holds, minimumReducedCost, complementarySlackness, dualityGap, tolerance
  }

  /// The certificate as `otkit transport --json` prints it: `minimumReducedCost` is `null`
  /// when dual feasibility was not checked (too many pairs).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(holds, forKey: .holds)
    if dualFeasibilityChecked {
      try c.encodeFinite(minimumReducedCost, forKey: .minimumReducedCost)
    } else {
      try c.encodeNil(forKey: .minimumReducedCost)
    }
    try c.encodeFinite(complementarySlackness, forKey: .complementarySlackness)
    try c.encodeFinite(dualityGap, forKey: .dualityGap)
    try c.encodeFinite(tolerance, forKey: .tolerance)
  }
}
