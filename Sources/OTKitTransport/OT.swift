import OTKitCore

/// The settings of a one-call solve; each applies to the methods named.
public struct SolveOptions: Sendable {
  /// The entropic regularization (`sinkhorn`, `sns`; with ``TransportMethod/auto`` it
  /// selects Sinkhorn, as POT's `ot.solve` does with `reg`).
  public var epsilon: Epsilon?
  /// The tolerance on the L1 marginal error relative to the total mass (entropic methods;
  /// see ``TransportSolution``).
  public var tolerance: Double
  /// The most pivots (network simplex) or iterations (entropic methods); `nil`: each
  /// solver's default.
  public var maxIterations: Int?
  /// Epsilon scaling (`sinkhorn`).
  public var epsilonScaling: EpsilonScaling?
  /// Iterate in `Float` (`sinkhorn`).
  public var useFloat: Bool
  /// Online costs (`sinkhorn`): `nil` decides from the size.
  public var online: Bool?
  /// The regularization strength `γ` of the smooth methods (`quadratic`, `sparse`,
  /// `entropic-lbfgs`).
  public var gamma: Double?
  /// The most non-zeros per column (`sparse`).
  public var maxNonZeros: Int?
  /// The dual the smooth methods maximize.
  public var formulation: SmoothTransport.Formulation
  /// The marginal penalties of unbalanced Sinkhorn (`sinkhorn`; both hard by default).
  public var sourcePenalty: MarginalPenalty = .hard
  public var targetPenalty: MarginalPenalty = .hard
  /// The entropy's reference when a marginal is penalized (`sinkhorn`).
  public var reference: EntropicReference = .product
  /// Sinkhorn's acceleration (`sinkhorn`; adaptive momentum with its safeguard by default).
  public var acceleration: SinkhornAcceleration = .adaptive

  public init(
    epsilon: Epsilon? = nil, tolerance: Double = 1e-9, maxIterations: Int? = nil,
    epsilonScaling: EpsilonScaling? = nil, useFloat: Bool = false, online: Bool? = nil,
    gamma: Double? = nil, maxNonZeros: Int? = nil, formulation: SmoothTransport.Formulation = .semiDual
  ) {
    self.epsilon = epsilon
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.epsilonScaling = epsilonScaling
    self.useFloat = useFloat
    self.online = online
    self.gamma = gamma
    self.maxNonZeros = maxNonZeros
    self.formulation = formulation
  }
}

/// A solve that cannot start: the settings do not fit the method or the problem.
public enum SolveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// An entropic method was asked for without an epsilon.
  case missingEpsilon(TransportMethod)
  /// A smooth method (`quadratic`, `sparse`, `entropic-lbfgs`) without a positive finite
  /// gamma, or `sparse` without a positive number of non-zeros.
  case missingSetting(String, method: TransportMethod)
  /// A setting that the method does not take (`useFloat` with `sns`, say).
  case unsupportedSetting(String, method: TransportMethod)
  /// A relative epsilon resolves to no positive finite value on this problem (the costs'
  /// statistic is 0: one point each, identical points, constant costs).
  case unresolvedEpsilon(Epsilon, resolved: Double)
  /// The costs exceed the largest `Float` (`useFloat`).
  case floatOverflow(largestCost: Double)
  /// A setting's value is out of its range (`tolerance` not positive, say).
  case invalidSetting(String, reason: String)

  public var description: String {
    switch self {
    case .missingEpsilon(let method): "the \(method.solverName) solver needs an epsilon"
    case .missingSetting(let setting, let method):
      "the \(method.solverName) solver needs \(setting == "gamma" ? "a positive finite gamma" : setting == "maxNonZeros" ? "a number of non-zeros per column of at least 1" : setting)"
    case .unsupportedSetting(let setting, let method): "\(setting) does not apply to the \(method.solverName) solver"
    case .unresolvedEpsilon(let epsilon, let resolved):
      "epsilon \(epsilon) is \(resolved) on this problem, not a positive finite number; give an absolute epsilon"
    case .floatOverflow(let largest):
      "costs up to \(largest) overflow Float (largest \(Float.greatestFiniteMagnitude)); solve in Double"
    case .invalidSetting(let setting, let reason): "\(setting) \(reason)"
    }
  }
}

/// One call for every transport solver, as POT's `ot.solve`.
///
/// ```swift
/// let problem = try TransportProblem(source: x, target: y)
/// let exact = try OT.solve(problem)                                   // auto: 1-D, assignment or network simplex
/// let entropic = try OT.solve(problem, options: .init(epsilon: .relative(0.01, to: .max)))
/// print(exact.cost, entropic.cost, entropic.status)
/// ```
public enum OT {
  /// The method ``TransportMethod/auto`` picks: Sinkhorn when an epsilon is given; else the
  /// 1-D solver for one-dimensional points (any cost but the cosine), the assignment solver
  /// for uniform weights with `n == m`, and the network simplex otherwise.
  public static func chooseMethod(for problem: TransportProblem, epsilon: Epsilon? = nil) -> TransportMethod {
    if epsilon != nil { return .sinkhorn }
    if let cloud = problem.pointCloud, cloud.dimension == 1, cloud.groundCost.hasOneDimensionalSolver { return .oneDimensional }
    if problem.isUniformSquare { return .assignment }
    return .exact
  }

  /// The solver of a method (``TransportMethod/auto`` resolved first) with the options.
  ///
  /// - Throws: ``SolveError`` when the options do not fit the method;
  ///   ``TransportProblemError/unequalTotals(source:target:)`` for a problem with unequal
  ///   totals and no penalized marginal.
  public static func solver(
    for method: TransportMethod, problem: TransportProblem, options: SolveOptions = .init()
  ) throws -> any TransportSolver {
    let method = method == .auto ? chooseMethod(for: problem, epsilon: options.epsilon) : method
    try options.check(for: method)
    let penalized = !options.sourcePenalty.isHard || !options.targetPenalty.isHard
    if problem.hasUnequalTotals && !penalized {
      throw TransportProblemError.unequalTotals(source: problem.totalMass, target: problem.targetWeights.reduce(0, +))
    }
    return try method.solverType.configured(method, for: problem, options: options)
  }

  /// A relative epsilon resolved once, on the costs the solver will use (the same value,
  /// bit for bit, that the solver would compute, so that it does not pass over the costs a
  /// second time); an absolute one as it is.
  ///
  /// - Throws: ``SolveError/unresolvedEpsilon(_:resolved:)`` when it is not positive and
  ///   finite (the costs' statistic is 0: one point each, identical points).
  /// - Complexity: `O(n m d)` for a relative epsilon (one pass over the costs).
  static func resolved(_ epsilon: Epsilon, keepRelative: Bool, _ absolute: () -> Double) throws -> Epsilon {
    guard case .relative = epsilon else { return epsilon }
    let value = absolute()
    guard value > 0 && value.isFinite else { throw SolveError.unresolvedEpsilon(epsilon, resolved: value) }
    return keepRelative ? epsilon : .absolute(value)
  }

  /// Throws ``SolveError/floatOverflow(largestCost:)`` when costs exceed `Float`: the exact
  /// largest cost when the matrix of a point cloud is built, else the problem's
  /// ``TransportProblem/costBound`` (exact for a cost matrix).
  static func checkFloat(_ problem: TransportProblem) throws {
    let largest = problem.pointCloud != nil && problem.hasCostMatrix
      ? problem.cost.elements.reduce(0) { max($0, abs($1)) } : problem.costBound
    if largest > Double(Float.greatestFiniteMagnitude) { throw SolveError.floatOverflow(largestCost: largest) }
  }

  /// Solves `problem` with `method` (default: ``chooseMethod(for:epsilon:)``).
  ///
  /// The result's ``TransportSolution/status`` says how the solver ended; cast it to
  /// ``TransportResult`` (exact methods: sparse plan, certificate) or ``EntropicResult``
  /// (entropic methods: lazy plan, regularized cost, gradients) for the rest.
  ///
  /// - Throws: ``SolveError`` for options that do not fit the method;
  ///   ``TransportProblemError`` when the method cannot take the problem (the assignment
  ///   solver on non-uniform weights, the 1-D solver on points of dimension 2).
  /// - Complexity: the chosen solver's.
  public static func solve(
    _ problem: TransportProblem, method: TransportMethod = .auto, options: SolveOptions = .init()
  ) throws -> any TransportSolution {
    try solver(for: method, problem: problem, options: options).solution(of: problem)
  }

  /// Solves the problem between two point clouds (uniform weights unless given).
  ///
  /// - Throws: ``TransportProblemError`` for invalid data, ``SolveError`` as above.
  public static func solve(
    source: Matrix<Double>, target: Matrix<Double>, sourceWeights: [Double]? = nil, targetWeights: [Double]? = nil,
    cost: GroundCost = .squaredEuclidean, method: TransportMethod = .auto, options: SolveOptions = .init()
  ) throws -> any TransportSolution {
    let problem = try TransportProblem(
      source: source, target: target, sourceWeights: sourceWeights, targetWeights: targetWeights, cost: cost)
    return try solve(problem, method: method, options: options)
  }
}
