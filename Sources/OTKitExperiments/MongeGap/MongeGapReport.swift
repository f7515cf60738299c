import Foundation
import OTKitCore
import OTKitReport

/// The report of `otkit reproduce monge-gap`.
enum MongeGapReport {
  static func report(_ result: MongeGapReproduction.Result, settings: MongeGapReproduction.Settings) -> Report {
    var report = Report(title: "The Monge gap: transport maps fitted with and without it (Uscidda and Cuturi, ICML 2023)")
    report.paragraph(
      "(a) OTT-JAX's tutorial: a half moon to an S-curve, an MLP map \(settings.tutorialHidden) (GELU), Adam at \(settings.estimator.learningRate), "
        + "\(settings.tutorialSteps) steps on batches of \(settings.batch); fitting loss OT(T#mu, nu) - OT(T#mu, T#mu) / 2 at epsilon "
        + "\(settings.estimator.fittingEpsilon) x the target batch's mean cost, gap at \(settings.estimator.gapEpsilon) x the mean source-target cost; "
        + "validation on \(settings.validationBatches) fresh batches. OTT's printed values (5,000 steps): fitting 0.1896 without the gap, "
        + "0.2151 with the Euclidean gap at lambda 2 (gap 0.7066), 0.1948 with the squared Euclidean gap at lambda 0.1 (gap 0.6860).")
    let arms = Array(Set(result.tutorial.map(\.arm))).sorted { settings.arms.firstIndex(of: $0) ?? 0 < settings.arms.firstIndex(of: $1) ?? 0 }
    report.table(
      header: ["arm", "fitting loss", "entropic gap", "last step's fitting loss", "last step's gap", "exact gap (first batch)", "s", "unconverged solves"],
      rows: arms.map { arm in
        let runs = result.tutorial.filter { $0.arm == arm }
        return [arm, MeanDeviation(runs.map(\.fitting)).formatted(4), MeanDeviation(runs.map(\.gap)).formatted(4),
                MeanDeviation(runs.map(\.trainingFitting)).formatted(4), MeanDeviation(runs.map(\.trainingGap)).formatted(4),
                MeanDeviation(runs.map(\.exactGap)).formatted(4), NumberFormat.fixed(runs.map(\.seconds).reduce(0, +) / Double(max(runs.count, 1)), 1),
                String(runs.map(\.unconvergedSolves).reduce(0, +))]
      }, caption: "(a) Validation figures, mean ± sd over seeds")
    report.figures(result.tutorial.filter { $0.seed == settings.seed }.map(scatter))
    report.paragraph(
      "(b) Known maps: mu = N(0, I_d), nu = N(m, Sigma), T*(x) = m + Sigma^(1/2) x. mlp:LAMBDA is an MLP \(settings.benchmarkHidden) (GELU) "
        + "fitted for \(settings.benchmarkSteps) steps on batches of \(settings.benchmarkBatch) with the squared Euclidean gap at LAMBDA; icnn:LAMBDA the "
        + "gradient of an input-convex network of the same widths, fitted the same way; entropic the entropic map of a Sinkhorn solve between "
        + "\(settings.entropicSamples) samples per side (epsilon \(NumberFormat.general(settings.entropicEpsilon)) mean cost); optimal T* itself, "
        + "whose divergence is the floor of the held-out samples. L2-UVP = "
        + "100 E|T(x) - T*(x)|^2 / tr(Sigma), the exact gap on \(settings.heldOut) held-out points, and the Sinkhorn divergence (epsilon 0.05 mean cost) "
        + "to held-out target points.")
    var rows: [[String]] = []
    for d in settings.dimensions {
      for map in settings.maps {
        let runs = result.benchmark.filter { $0.dimension == d && $0.map == map }
        guard !runs.isEmpty else { continue }
        rows.append([String(d), map, MeanDeviation(runs.map(\.uvp)).formatted(2), MeanDeviation(runs.map(\.exactGap)).formatted(4),
                     MeanDeviation(runs.map(\.divergence)).formatted(4), NumberFormat.fixed(runs.map(\.seconds).reduce(0, +) / Double(runs.count), 1)])
      }
    }
    report.table(header: ["d", "map", "L2-UVP (%)", "exact gap", "divergence to nu", "s"], rows: rows, caption: "(b) Gaussian benchmark, mean ± sd over seeds")
    return report
  }

  /// Source points, their images and the displacements of one tutorial fit.
  static func scatter(_ run: MongeGapStudy.TutorialRun) -> SVGChart {
    var chart = SVGChart(title: "(a) \(run.arm): source (blue) and its image (orange)", xLabel: "x", yLabel: "y")
    let shown = Array(0..<min(run.source.count, 128))
    for i in shown {
      chart.addLine(x: [run.source[i][0], run.mapped[i][0]], y: [run.source[i][1], run.mapped[i][1]], color: "#cccccc", label: i == 0 ? "displacement" : "")
    }
    chart.addPoints(x: run.source.map { $0[0] }, y: run.source.map { $0[1] }, color: SVGChart.palette[0], label: "source")
    chart.addPoints(x: run.mapped.map { $0[0] }, y: run.mapped.map { $0[1] }, color: SVGChart.palette[1], label: "T(source)")
    return chart
  }
}
