import OTKitReport
import OTKitTransport

extension UnbalancedOutliers.Settings: ReproductionSettings {
  public static var quick: Self {
    var s = Self()
    s.points = 60
    return s
  }
}

/// `otkit reproduce unbalanced`: unbalanced OT declines outliers (spec regularized-ot.md
/// §6.4): the mass sent to a far outlier cluster as the KL marginal penalty shrinks, for
/// both entropic references, in the kernel and log domains.
///
/// - Complexity: `2 · rhos · 2` Sinkhorn solves on `points x points` costs.
public struct UnbalancedReproduction: Reproduction {
  public static let experiment = Experiment.unbalanced

  public let settings: UnbalancedOutliers.Settings

  public init(settings: UnbalancedOutliers.Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> UnbalancedOutliers.Summary {
    try UnbalancedOutliers.run(settings)
  }

  public func report(_ s: UnbalancedOutliers.Summary) -> Report {
    var report = Report(title: "Unbalanced OT declines outliers (spec §6.4)")
    report.paragraph("\(settings.points) points N(0, I) against the same with \(Int(settings.outlierShare * 100))% moved \(NumberFormat.general(settings.distance)) away (outlier mass \(NumberFormat.fixed(s.outlierWeight, 3))); KL penalties rho x mean(C) on both sides, epsilon \(NumberFormat.fixed(s.epsilon, 4)) (\(NumberFormat.general(settings.epsilon)) mean(C)).")
    let header = ["rho / mean(C)", "reference", "mass to outliers", "transported mass", "iterations", "status", "scaling vs log domain"]
    let rows = s.rows.map { r in
      [r.rho.isFinite ? NumberFormat.general(r.rho) : "inf (balanced)", r.reference, NumberFormat.fixed(r.outlierMass, 4), NumberFormat.fixed(r.transportedMass, 4),
       String(r.iterations), r.status, NumberFormat.scientific(r.domainGap, 1)]
    }
    report.table(header: header, rows: rows)
    report.paragraph("The reference changes the plan: largest difference between R = a b^T and R = 1 at each finite rho: " + s.referenceGaps.map { NumberFormat.scientific($0, 2) }.joined(separator: ", ") + ".")
    var chart = SVGChart(title: "Mass sent to the outlier cluster", xLabel: "rho / mean(C)", yLabel: "mass")
    chart.logX = true
    for (k, reference) in EntropicReference.allCases.enumerated() {
      let finite = s.rows.filter { $0.reference == reference.rawValue && $0.rho.isFinite }
      chart.addLine(x: finite.map(\.rho), y: finite.map(\.outlierMass), color: SVGChart.palette[k], label: "reference \(reference.rawValue)")
    }
    report.figures([chart])
    return report
  }
}
