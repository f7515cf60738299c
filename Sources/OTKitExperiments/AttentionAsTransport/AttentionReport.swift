import Foundation
import OTKitCore
import OTKitReport

/// The report of `otkit reproduce attention`.
enum AttentionReport {
  /// One row per dataset and anchor (or temperature): the seeds' figures aggregated.
  struct Row {
    var accuracy: MeanDeviation
    var lossVariance: Double
    var secondsPerEpoch: Double
    var entropy: Double
    var advantageMaxError: Double
    var saturated: Double
    var gradientNorm: Double
    var contextRank: Double

    init(_ runs: [AttentionStudy.Run]) {
      accuracy = MeanDeviation(runs.map(\.accuracy))
      let losses = MeanDeviation(runs.map(\.loss))
      lossVariance = losses.deviation * losses.deviation
      secondsPerEpoch = runs.map(\.secondsPerEpoch).reduce(0, +) / Double(max(runs.count, 1))
      entropy = runs.map(\.entropy).reduce(0, +) / Double(max(runs.count, 1))
      advantageMaxError = runs.map(\.advantageMaxError).max() ?? .nan
      saturated = runs.map(\.saturatedRowShare).reduce(0, +) / Double(max(runs.count, 1))
      gradientNorm = runs.map(\.gradientNorm).reduce(0, +) / Double(max(runs.count, 1))
      contextRank = runs.map(\.contextEffectiveRank).reduce(0, +) / Double(max(runs.count, 1))
    }

    var cells: [String] {
      [accuracy.formatted(3), NumberFormat.scientific(lossVariance, 2), NumberFormat.fixed(secondsPerEpoch, 3), NumberFormat.fixed(entropy, 3),
       NumberFormat.scientific(advantageMaxError, 1), NumberFormat.fixed(saturated, 3), NumberFormat.scientific(gradientNorm, 2),
       NumberFormat.fixed(contextRank, 2)]
    }
  }

  static let runHeader = [
    "accuracy (mean ± sd)", "loss variance", "s / epoch", "entropy", "advantage error", "saturated", "gradient norm", "context eff. rank",
  ]

  static func report(_ result: AttentionReproduction.Result, settings: AttentionReproduction.Settings) -> Report {
    var report = Report(title: "Attention as transport: the anchors compared (seeds 002 and 003, QDSFormer)")
    let t = settings.transformer
    report.paragraph(
      "A transformer of \(t.blocks) post-norm block(s), \(t.heads) heads of key size \(t.keySize), feed-forward \(t.feedForward), "
        + "trained with RMSprop at \(t.learningRate) on batches of \(t.batchSize.map(String.init) ?? "all") for at most \(t.epochs) epochs, "
        + "\(settings.instances) instances per dataset (70% trained on, 30% tested), \(settings.seeds) seeds per anchor. "
        + "Loss variance: the variance of the best training loss across seeds (QDSFormer's stability). Entropy, advantage error "
        + "(seed 002's identity read off the tape; round-off for softmax heads) and saturated rows: the trained heads on \(settings.inspected) test instances. "
        + "Gradient norm (the mean size of a row of dL/dS) and the context vectors' effective rank: the last epoch's probe of 16 training instances.")
    for dataset in settings.datasets {
      let rows = settings.anchors.map { anchor in
        [anchor] + Row(result.runs.filter { $0.dataset == dataset && $0.anchor == anchor }).cells
      }
      report.table(header: ["anchor"] + runHeader, rows: rows, caption: "\(dataset)")
    }
    sweep(result, settings: settings, into: &report)
    preconditioning(result, settings: settings, into: &report)
    regimes(result, settings: settings, into: &report)
    doublyStochastic(result, into: &report)
    openQuestions(result.openQuestions, into: &report)
    return report
  }

  /// The temperature sweep: a table and entropy against accuracy.
  static func sweep(_ result: AttentionReproduction.Result, settings: AttentionReproduction.Settings, into report: inout Report) {
    guard !result.sweep.isEmpty else { return }
    let rows = settings.temperatures.map { temperature in Row(result.sweep.filter { $0.temperature == temperature }) }
    report.table(
      header: ["temperature (x sqrt(d_k))"] + runHeader, rows: zip(settings.temperatures, rows).map { [NumberFormat.general($0)] + $1.cells },
      caption: "The softmax's temperature sweep on \(result.sweep.first?.dataset ?? "")")
    var chart = SVGChart(title: "Attention entropy against test accuracy (softmax)", xLabel: "mean attention entropy (nats)", yLabel: "test accuracy")
    chart.addPoints(x: result.sweep.map(\.entropy), y: result.sweep.map(\.accuracy), color: SVGChart.palette[0], label: "one seed")
    chart.addLine(x: rows.map(\.entropy), y: rows.map(\.accuracy.mean), color: SVGChart.palette[1], label: "mean over seeds")
    report.figures([chart])
  }

  /// Question (c): the softmax's gradient on the scores against the utility alone and the
  /// natural gradient, on the last dataset: a table and the mean training-loss curves.
  static func preconditioning(_ result: AttentionReproduction.Result, settings: AttentionReproduction.Settings, into report: inout Report) {
    guard let dataset = settings.datasets.last, !result.preconditioning.isEmpty else { return }
    let arms = ["softmax"] + settings.preconditioning
    let groups = arms.map { arm in (result.runs + result.preconditioning).filter { $0.dataset == dataset && $0.anchor == arm } }
    let rows = zip(arms, groups).map { arm, runs in
      [arm, MeanDeviation(runs.map(\.accuracy)).formatted(3), MeanDeviation(runs.map(\.loss)).formatted(3),
       MeanDeviation(runs.compactMap(\.losses.last)).formatted(3), MeanDeviation(runs.map { Double($0.epochs) }).formatted(1)]
    }
    report.table(
      header: ["gradient on the scores", "accuracy", "best training loss", "last training loss", "epochs"], rows: rows,
      caption: "(c) Does the implicit Fisher preconditioning help? On \(dataset): the softmax's gradient p (u - E_p u), the utility u alone, the natural gradient u - E_p u")
    var chart = SVGChart(title: "(c) Training loss per epoch, mean over seeds (\(dataset))", xLabel: "epoch", yLabel: "training loss")
    for (index, (arm, runs)) in zip(arms, groups).enumerated() {
      let length = runs.map(\.losses.count).max() ?? 0
      let mean = (0..<length).map { e -> Double in
        let values = runs.compactMap { e < $0.losses.count ? $0.losses[e] : nil }
        return values.reduce(0, +) / Double(max(values.count, 1))
      }
      chart.addLine(x: (0..<length).map { Double($0 + 1) }, y: mean, color: SVGChart.palette[index % SVGChart.palette.count], label: arm)
    }
    report.figures([chart])
  }

  /// Geometric Attention's regimes on the last dataset against standard attention.
  static func regimes(_ result: AttentionReproduction.Result, settings: AttentionReproduction.Settings, into report: inout Report) {
    guard let dataset = settings.datasets.last, !result.regimes.isEmpty else { return }
    let chart = result.runs.filter { $0.dataset == dataset && $0.anchor == "softmax" }
    let rows = (["chart"] + settings.regimes).map { name -> [String] in
      let runs = name == "chart" ? chart : result.regimes.filter { $0.regime == name }
      let widths = runs.compactMap(\.learnedWidth)
      return [name] + Row(runs).cells + [widths.isEmpty ? "-" : MeanDeviation(widths).formatted(2)]
    }
    report.table(
      header: ["regime"] + runHeader + ["learned width"], rows: rows,
      caption: "Geometric Attention's regimes on \(dataset), softmax anchor: chart (standard), interaction (unary fields quotiented out), field (a learned column field per head), power:Q (Tsallis link), window:R (fixed carrier), adaptive:W (a learned window per head from width W), deep (two blocks) and staged (two blocks: window:1, then full)")
  }

  /// The doubly stochastic anchors on a grid of random inputs.
  static func doublyStochastic(_ result: AttentionReproduction.Result, into report: inout Report) {
    let rows = result.doublyStochastic.map { m in
      [m.anchor, String(m.tokens), NumberFormat.scientific(m.marginalError, 2), NumberFormat.fixed(m.diversity, 3),
       NumberFormat.fixed(m.fixedPointDistance, 3), NumberFormat.fixed(m.spearman, 3), NumberFormat.scientific(m.seconds, 2)]
    }
    report.table(
      header: ["anchor", "tokens", "marginal error", "diversity", "distance from the Sinkhorn fixed point", "Spearman(scores, weights)", "s forward + backward"],
      rows: rows,
      caption: "Doubly stochastic matrices of 24 standard normal score matrices: marginal error ||N1 - 1|| + ||N^T 1 - 1||, mean pairwise Frobenius distance (diversity), Frobenius distance from the Sinkhorn plan of the same scores")
  }

  /// Seed 002's open questions (a) and (b).
  static func openQuestions(_ q: OpenQuestionMeasurements, into report: inout Report) {
    report.table(
      header: ["alpha", "|J - escort Fisher|", "|J - Hessian of Tsallis conjugate|", "|J - Fisher of p|"],
      rows: q.tsallis.map {
        [NumberFormat.general($0.alpha), NumberFormat.scientific($0.escortFisherError, 2), NumberFormat.scientific($0.conjugateHessianError, 2),
         NumberFormat.scientific($0.categoricalFisherError, 2)]
      },
      caption: "(a) The entmax Jacobian J (tape) is the Hessian of the Tsallis conjugate potential (second differences, step 1e-4) and the escort Fisher information scaled by sum p^(2-alpha); the categorical Fisher identity fails")
    report.table(
      header: ["two-sided form at convergence", "row baseline alone", "one-sided form at one step"],
      rows: [[NumberFormat.scientific(q.twoSided.convergedError, 2), NumberFormat.scientific(q.twoSided.rowBaselineOnlyError, 2),
              NumberFormat.scientific(q.twoSided.oneStepError, 2)]],
      caption: "(b) Sinkhorn attention's gradient as P (U - alpha 1^T - 1 beta^T) against its unrolled backward: largest differences")
  }
}
