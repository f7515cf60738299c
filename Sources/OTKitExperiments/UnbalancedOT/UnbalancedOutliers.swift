import OTKitCore
import OTKitTransport

/// Spec §6.4 (regularized-ot.md): unbalanced OT declines to transport outliers. The source
/// is a 2-D standard Gaussian; the target the same Gaussian with a fifth of its points moved
/// to a far cluster at distance 10 (uniform weights, equal totals). As the KL penalty `ρ`
/// shrinks from `∞` (balanced) to `0.1 mean(C)`, the mass sent to the outliers falls toward
/// 0 (L. Chizat, G. Peyré, B. Schmitzer, F.-X. Vialard, "Scaling algorithms for unbalanced
/// optimal transport problems", Math. Comp. 87, 2018).
public enum UnbalancedOutliers {
  public struct Settings: Sendable, Codable {
    public var points = 200
    public var outlierShare = 0.2
    public var distance = 10.0
    /// ε relative to the mean cost.
    public var epsilon = 0.02
    /// ρ relative to the mean cost (`.infinity`: balanced).
    public var rhos: [Double] = [.infinity, 10, 1, 0.1]
    public var seed: UInt64 = 0
    public init() {}
  }

  /// One ρ, one reference.
  public struct Row: Sendable, Codable {
    public var rho: Double
    public var reference: String
    public var outlierMass: Double
    public var transportedMass: Double
    public var iterations: Int
    public var status: String
    /// The largest plan difference between the kernel (scaling) and log domains.
    public var domainGap: Double
  }

  public struct Summary: Sendable, Codable {
    public var epsilon: Double
    public var meanCost: Double
    /// The mass of the outlier cluster in the target.
    public var outlierWeight: Double
    public var rows: [Row]
    /// The largest plan difference between the two references, per finite ρ.
    public var referenceGaps: [Double]
  }

  /// The problem: the source, the target with its outliers last, and the index of the first
  /// outlier.
  public static func problem(_ settings: Settings) throws -> (TransportProblem, firstOutlier: Int) {
    var rng = SeededGenerator(seed: settings.seed)
    let n = settings.points
    let x: Matrix<Double> = rng.normalMatrix(rows: n, columns: 2)
    var y: Matrix<Double> = rng.normalMatrix(rows: n, columns: 2)
    let outliers = Int((settings.outlierShare * Double(n)).rounded())
    for i in (n - outliers)..<n { y[i, 0] += settings.distance }
    return (try TransportProblem(source: x, target: y, unbalanced: true), n - outliers)
  }

  /// The sweep over ρ for both references.
  public static func run(_ settings: Settings) throws -> Summary {
    let (problem, first) = try problem(settings)
    let c = problem.cost
    let mean = c.elements.reduce(0, +) / Double(c.elements.count)
    let eps = settings.epsilon * mean
    var rows: [Row] = []
    var gaps: [Double] = []
    for rho in settings.rhos {
      var plans: [Matrix<Double>] = []
      for reference in EntropicReference.allCases {
        var solver = Sinkhorn(epsilon: .absolute(eps), tolerance: 1e-11, maxIterations: 100_000)
        if rho.isFinite {
          solver.sourcePenalty = .kl(rho: rho * mean)
          solver.targetPenalty = .kl(rho: rho * mean)
        }
        solver.reference = reference
        let result = solver.solve(problem)
        let plan = result.densePlan()
        solver.domain = .log
        let logPlan = solver.solve(problem).densePlan()
        let gap = zip(plan.elements, logPlan.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
        var outlierMass = 0.0
        for i in 0..<plan.rows { for j in first..<plan.columns { outlierMass += plan[i, j] } }
        rows.append(Row(
          rho: rho, reference: reference.rawValue, outlierMass: outlierMass, transportedMass: plan.elements.reduce(0, +),
          iterations: result.iterations, status: result.status.rawValue, domainGap: gap))
        plans.append(plan)
      }
      if rho.isFinite { gaps.append(zip(plans[0].elements, plans[1].elements).reduce(0) { max($0, abs($1.0 - $1.1)) }) }
    }
    let weights = problem.targetWeights
    return Summary(
      epsilon: eps, meanCost: mean, outlierWeight: weights[first...].reduce(0, +), rows: rows, referenceGaps: gaps)
  }
}
