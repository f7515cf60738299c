import OTKitCore

/// What `otkit transport --json` prints, as a library value: the solution's figures, the
/// problem's sizes and cost, and the solver time. Its keys are a public contract.
///
/// Exact results add `nonZeros` and the `certificate`; entropic results add `epsilon`,
/// `regularizedCost`, `dualObjective`, `precision`, `online`, the last 1000 entries of the
/// `errorHistory`, and the `tolerance` with its norm (`toleranceNorm`: the L1 marginal error
/// relative to the total mass). Non-finite numbers encode as `null`.
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
        tolerance: tolerance ?? .nan)
    }
  }

  enum Keys: String, CodingKey {
    case cost, method, status, iterations, marginalError, seconds, n, m, groundCost, nonZeros, certificate
    case epsilon, regularizedCost, dualObjective, precision, online, errorHistory, tolerance, toleranceNorm
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
