import OTKitReport

/// `otkit reproduce acceleration`: accelerated Sinkhorn (spec regularized-ot.md §6.5):
/// iterations to an L1 marginal error of 1e-3 with and without momentum, adaptive momentum
/// and Anderson mixing, and the safeguard across a sweep of constant over-relaxation.
///
/// - Complexity: `epsilons · 7 + omegas` Sinkhorn solves on `points x points` costs.
public struct AccelerationReproduction: Reproduction {
  public static let experiment = Experiment.acceleration

  public struct Settings: ReproductionSettings, Equatable {
    /// Epsilons relative to `std(C)`.
    public var epsilons = [0.05, 0.01, 0.002]
    public var points = 400
    /// The constant over-relaxations of the sweep (at the smallest epsilon).
    public var omegas = (0..<18).map { 1.1 + 0.05 * Double($0) }

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.epsilons, s.points, s.omegas) = ([0.05], 100, [1.5, 1.9])
      return s
    }
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> AccelerationStudy.Summary {
    try AccelerationStudy.run(epsilons: settings.epsilons, points: settings.points, sweep: settings.omegas)
  }

  public func report(_ s: AccelerationStudy.Summary) -> Report {
    var report = Report(title: "Accelerated Sinkhorn (spec §6.5)")
    report.paragraph("\(settings.points) points built like §6.1's, L1 marginal error 1e-3, epsilon relative to std(C).")
    let header = ["epsilon / std(C)", "acceleration", "iterations", "status", "final omega", "safeguard fallbacks"]
    let rows = s.rows.map { r in [NumberFormat.general(r.epsilon), r.acceleration, String(r.iterations), r.status, NumberFormat.fixed(r.omega, 3), String(r.fallbacks)] }
    report.table(header: header, rows: rows)
    let sweepRows = s.sweep.map { r in [r.acceleration, String(r.iterations), r.status, NumberFormat.fixed(r.omega, 3), String(r.fallbacks)] }
    report.table(
      header: ["acceleration", "iterations", "status", "final omega", "fallbacks"], rows: sweepRows,
      caption: "The safeguard across a sweep of constant over-relaxation at epsilon \(NumberFormat.general(s.sweep.first?.epsilon ?? .nan)) std(C)")
    var chart = SVGChart(title: "Iterations against constant omega", xLabel: "omega", yLabel: "iterations")
    chart.addLine(x: s.sweepOmegas, y: s.sweep.map { Double($0.iterations) }, color: SVGChart.palette[0], label: "momentum")
    report.figures([chart])
    return report
  }
}
