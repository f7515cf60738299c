import OTKitCore
import OTKitTransport

/// Spec §6.5 (regularized-ot.md): Sinkhorn's iterations with and without acceleration on
/// 400 points built like §6.1's, to an L1 marginal error of `1e-3`, at three epsilons
/// relative to `std(C)`, and the safeguard across a sweep of the over-relaxation.
public enum AccelerationStudy {
  public struct Row: Sendable, Codable {
    public var epsilon: Double
    public var acceleration: String
    public var iterations: Int
    public var status: String
    public var omega: Double
    public var fallbacks: Int
  }

  public struct Summary: Sendable, Codable {
    public var rows: [Row]
    /// ω, iterations, status and fallbacks at the smallest epsilon.
    public var sweep: [Row]
    /// The constant ω of each row of ``sweep``.
    public var sweepOmegas: [Double]
  }

  /// The accelerations compared.
  public static let accelerations: [SinkhornAcceleration] = [
    .none, .momentum(omega: 1.5), .momentum(omega: 1.8), .momentum(omega: 1.9), .adaptive,
    .anderson(memory: 2, ridge: 1e-2), .anderson(memory: 5, ridge: 1e-2),
  ]

  public static func run(
    epsilons: [Double] = [0.05, 0.01, 0.002], points: Int = 400, sweep omegas: [Double] = (0..<18).map { 1.1 + 0.05 * Double($0) }
  ) throws -> Summary {
    let problem = try SparseTransportStudy.instance(points)
    func solve(_ eps: Double, _ acceleration: SinkhornAcceleration) -> Row {
      var solver = Sinkhorn(epsilon: .relative(eps, to: .std), tolerance: 1e-3, maxIterations: 10_000)
      solver.acceleration = acceleration
      let r = solver.solve(problem)
      return Row(
        epsilon: eps, acceleration: acceleration.description, iterations: r.iterations, status: r.status.rawValue,
        omega: r.acceleration?.omega ?? 1, fallbacks: r.acceleration?.fallbacks ?? 0)
    }
    let rows = epsilons.flatMap { eps in accelerations.map { solve(eps, $0) } }
    let smallest = epsilons.min() ?? 0.002
    return Summary(rows: rows, sweep: omegas.map { solve(smallest, .momentum(omega: $0)) }, sweepOmegas: omegas)
  }
}
