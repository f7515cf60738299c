import OTKitReport

extension SparseNewtonStudy.Settings: ReproductionSettings {
  public static var quick: Self {
    var s = Self()
    (s.assignmentSize, s.assignmentEpsilon, s.gridSide) = (60, 0.01, 8)
    return s
  }
}

/// `otkit reproduce sns`: the benchmark cases of Sinkhorn-Newton-Sparse (X. Tang et al.,
/// ICLR 2024): a random assignment at a small epsilon, W1 and W2 between discretized
/// densities; iterations, Newton steps and time against plain and accelerated Sinkhorn.
///
/// - Complexity: 15 solves; SNS's Newton steps are sparse linear solves of `n + m` unknowns.
public struct SparseNewtonReproduction: Reproduction {
  public static let experiment = Experiment.sns

  public let settings: SparseNewtonStudy.Settings

  public init(settings: SparseNewtonStudy.Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> [SparseNewtonStudy.Row] {
    try SparseNewtonStudy.run(settings, progress: progress)
  }

  public func report(_ rows: [SparseNewtonStudy.Row]) -> Report {
    var report = Report(title: "Sinkhorn-Newton-Sparse against Sinkhorn")
    report.paragraph("Tang et al., ICLR 2024: L1 marginal tolerance \(NumberFormat.general(settings.tolerance)) of the mass; random assignment: uniform costs in [0, 1], epsilon \(NumberFormat.general(settings.assignmentEpsilon)); W1 and W2: densities on a grid, epsilon \(NumberFormat.general(settings.densityEpsilon)) max(C).")
    let header = ["problem", "solver", "iterations", "Newton steps", "Hessian entries", "seconds", "cost", "marginal error", "status"]
    let table = rows.map { r in
      [r.problem, r.solver, String(r.iterations), String(r.newtonSteps), String(r.hessianNonZeros), NumberFormat.fixed(r.seconds, 3),
       NumberFormat.fixed(r.cost, 6), NumberFormat.scientific(r.marginalError, 1), r.status]
    }
    report.table(header: header, rows: table)
    return report
  }
}
