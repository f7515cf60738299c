import OTKitCore
import OTKitData
import OTKitTransport

/// Spec §6.2 (regularized-ot.md): top-k routing of tokens to experts with balanced loads by
/// sparsity-constrained OT, against softmax top-k (T. Liu, J. Puigcerver, M. Blondel,
/// "Sparsity-constrained optimal transport", ICLR 2023; V-MoE's
/// `sparsity_constrained_ot` routers).
///
/// Tokens are z-scored images; a fixed random router `W` (`d x E`, entries `N(0, 1/d)`)
/// gives the logits, the similarity is the softmax over experts and the cost its negative,
/// with `γ = 1`. Every token carries mass 1 and every expert `S/E`. Three routers:
/// softmax top-k (each token its k most probable experts); tokens choose experts (at most k
/// experts per token: the semi-dual on experts x tokens, so the cap is per column); experts
/// choose tokens (at most `capacity = ceil(capacityFactor S / E)` tokens per expert). The
/// OT routers run L-BFGS to convergence and, as V-MoE does, 20 Adam steps at `1e-2`.
public enum TopKRouting {
  public struct Settings: Sendable, Codable {
    public var tokens = 512
    public var experts = 8
    public var selected = 2
    public var capacityFactor = 1.25
    public var gamma = 1.0
    public var adamSteps = 20
    public var adamRate = 1e-2
    public var seed: UInt64 = 0
    public init() {}

    /// `ceil(capacityFactor · tokens / experts)`.
    public var capacity: Int { Int((capacityFactor * Double(tokens) / Double(experts)).rounded(.up)) }
  }

  /// The loads of one router.
  public struct Routing: Sendable, Codable {
    public var router: String
    public var optimizer: String
    /// The most tokens one expert receives over the mean.
    public var maxOverMeanLoad: Double
    /// The most mass one expert receives over the mean (`S/E` for the OT routers at the
    /// optimum).
    public var maxOverMeanMass: Double
    public var maxExpertsPerToken: Int
    public var meanExpertsPerToken: Double
    public var maxTokensPerExpert: Int
    /// The share of tokens routed to no expert.
    public var tokensWithoutExpert: Double
    /// `|T 1 - a|_1` and `|Tᵀ 1 - b|_1` relative to the total mass (0 for softmax top-k).
    public var rowMarginalError: Double
    public var columnMarginalError: Double
    public var status: String
  }

  /// The first `settings.tokens` rows of `features`, z-scored per column with the
  /// population deviation (``Standardizer``; constant columns become 0).
  public static func tokens(_ features: Matrix<Double>, _ settings: Settings) -> Matrix<Double> {
    let x = features.rows(0..<min(settings.tokens, features.rows))
    // The fitted standardizer accepts the data it was fitted on.
    return (try? Standardizer(fitting: x).transform(x)) ?? x
  }

  /// The softmax over experts of the router's logits (`tokens x experts`).
  public static func similarity(_ tokens: Matrix<Double>, _ settings: Settings) -> Matrix<Double> {
    var rng = SeededGenerator(seed: settings.seed)
    let w: Matrix<Double> = rng.normalMatrix(
      rows: tokens.columns, columns: settings.experts, mean: 0, standardDeviation: 1 / Double(tokens.columns).squareRoot())
    return Kernels.softmaxRows(tokens.multiplied(by: w))
  }

  /// Every router's loads.
  ///
  /// - Throws: ``TransportProblemError`` (never for valid settings).
  public static func run(tokens: Matrix<Double>, settings: Settings) throws -> [Routing] {
    let p = similarity(tokens, settings)
    let (s, e) = (p.rows, p.columns)
    let k = min(settings.selected, e)
    // Softmax top-k: assignment[t][e].
    var top = Matrix<Double>(rows: s, columns: e)
    for t in 0..<s {
      let order = (0..<e).sorted { p[t, $0] > p[t, $1] || (p[t, $0] == p[t, $1] && $0 < $1) }
      for r in 0..<k { top[t, order[r]] = p[t, order[r]] }
    }
    var results = [summary("softmax top-\(k)", "-", tokensByExperts: top, rowError: 0, columnError: 0, status: "-")]
    let perExpert = Double(s) / Double(e)
    // Tokens choose experts: experts x tokens, at most k per token (column).
    var costTE = Matrix<Double>(rows: e, columns: s)
    for t in 0..<s { for x in 0..<e { costTE[x, t] = -p[t, x] } }
    let tokensChoose = try TransportProblem(
      cost: costTE, sourceWeights: [Double](repeating: perExpert, count: e), targetWeights: [Double](repeating: 1, count: s))
    // Experts choose tokens: tokens x experts, at most `capacity` per expert (column).
    let capacity = min(settings.capacity, s)
    let expertsChoose = try TransportProblem(
      cost: p.map { -$0 }, sourceWeights: [Double](repeating: 1, count: s), targetWeights: [Double](repeating: perExpert, count: e))
    for optimizer in [SmoothTransport.Optimizer.lbfgs, .adam(learningRate: settings.adamRate, steps: settings.adamSteps)] {
      let name = optimizer == .lbfgs ? "L-BFGS" : "Adam \(settings.adamSteps) x \(settings.adamRate)"
      var solver = SmoothTransport(regularizer: .sparse(gamma: settings.gamma, maxNonZeros: k), tolerance: 1e-9)
      solver.optimizer = optimizer
      let a = solver.solve(tokensChoose)
      let planA = a.densePlan()
      var byToken = Matrix<Double>(rows: s, columns: e)
      for t in 0..<s { for x in 0..<e { byToken[t, x] = planA[x, t] } }
      results.append(summary(
        "tokens choose \(k) experts (SC-OT)", name, tokensByExperts: byToken, rowError: a.columnMarginalError / Double(s),
        columnError: a.rowMarginalError / Double(s), status: a.status.rawValue))
      solver.regularizer = .sparse(gamma: settings.gamma, maxNonZeros: capacity)
      let b = solver.solve(expertsChoose)
      results.append(summary(
        "experts choose \(capacity) tokens (SC-OT)", name, tokensByExperts: b.densePlan(),
        rowError: b.rowMarginalError / Double(s), columnError: b.columnMarginalError / Double(s), status: b.status.rawValue))
    }
    return results
  }

  /// The loads of a `tokens x experts` routing (non-zero: routed).
  static func summary(
    _ router: String, _ optimizer: String, tokensByExperts r: Matrix<Double>, rowError: Double, columnError: Double, status: String
  ) -> Routing {
    let (s, e) = (r.rows, r.columns)
    var counts = [Int](repeating: 0, count: e), mass = [Double](repeating: 0, count: e)
    var perToken = [Int](repeating: 0, count: s)
    for t in 0..<s {
      for x in 0..<e where r[t, x] > 0 {
        counts[x] += 1
        mass[x] += r[t, x]
        perToken[t] += 1
      }
    }
    let meanCount = Double(counts.reduce(0, +)) / Double(e), meanMass = mass.reduce(0, +) / Double(e)
    return Routing(
      router: router, optimizer: optimizer, maxOverMeanLoad: Double(counts.max() ?? 0) / max(meanCount, 1e-300),
      maxOverMeanMass: (mass.max() ?? 0) / max(meanMass, 1e-300), maxExpertsPerToken: perToken.max() ?? 0,
      meanExpertsPerToken: Double(perToken.reduce(0, +)) / Double(s), maxTokensPerExpert: counts.max() ?? 0,
      tokensWithoutExpert: Double(perToken.filter { $0 == 0 }.count) / Double(s), rowMarginalError: rowError,
      columnMarginalError: columnError, status: status)
  }
}
