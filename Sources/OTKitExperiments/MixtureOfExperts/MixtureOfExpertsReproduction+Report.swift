import Foundation
import OTKitReport

extension MixtureOfExpertsReproduction {
  public func report(_ result: Result) -> Report {
    let s = settings
    var report = Report(title: "Selective Sinkhorn Routing against the standard mixture-of-experts routers")
    report.paragraph(
      "A classifier h = Linear(x) to \(s.width), logits = Linear(h + MoE(h)), the layer \(s.experts) experts (MLP \(s.width)-\(s.width)-\(s.width), GELU), "
        + "top-\(s.topK), capacity factor \(NumberFormat.general(s.capacityFactor)) in training; \(s.steps) steps of Adam at "
        + "\(NumberFormat.general(s.learningRate)) on batches of \(s.batch) rows (tokens) of one stratified "
        + "\(Int(100 - s.testFraction * 100))/\(Int(s.testFraction * 100)) split (seed \(s.seed)), \(s.seeds) seeds per router. "
        + "Routers: softmax top-k; +aux adds Switch's balance loss (0.01 unless given), +z the router z-loss; ssr:P takes the experts and "
        + "the gates from the balanced entropic plan (xi 0.05, at most 100 Sinkhorn iterations, softmax compatibility, detached unless "
        + "given) on a random fraction P of the training steps; s-base picks the plan's top-k with the router's gates; base assigns "
        + "each token one expert by an exact balanced assignment (sigmoid gate); sparse-ot routes by sparsity-constrained transport "
        + "(gamma 0.1, at most k experts per token). At inference every router but base (greedy top-1) and sparse-ot is softmax "
        + "top-k, without capacity. Loads are counted on the test set in batches of \(s.batch).")
    for dataset in s.datasets {
      let rows = result.summaries.filter { $0.dataset == dataset }
      guard !rows.isEmpty else { continue }
      report.heading(dataset)
      report.table(
        header: ["router", "accuracy", "95% interval", "against softmax+aux", "wins / losses", "sign test p", "load CV", "max / mean",
                 "dead experts", "training max / mean", "dropped", "ms / step"],
        rows: rows.map(tableRow), caption: "Mean ± sd over \(s.seeds) seeds; loads on the test set unless marked training")
      report.figures([loadChart(rows, dataset: dataset)], caption: "The largest expert's share of the processed tokens times the number of experts (1: balanced), per span of training, mean over seeds")
      let largest = rows.flatMap { $0.loadHistory.flatMap { $0 } }.max() ?? 1
      report.heatMaps(
        rows.map { r in
          SVGHeatMap(title: r.arm, rows: r.loadHistory.count, columns: s.experts, values: r.loadHistory.flatMap { $0 }, maximum: largest)
        }, caption: "\(dataset): each expert's share of the processed tokens (columns) over \(s.windows) spans of training (rows, top first), mean over seeds")
    }
    return report
  }

  func tableRow(_ r: MixtureOfExpertsStudy.Summary) -> [String] {
    let versus: [String] = r.againstAuxiliary.map { c -> [String] in
      [c.difference.formatted(4), "\(c.wins) / \(c.losses)", NumberFormat.fixed(c.signTestP, 3)]
    } ?? ["-", "-", "-"]
    let loads: [String] = [r.loadCV.formatted(3), r.maxOverMeanLoad.formatted(3), r.deadExperts.formatted(2)]
    let training: [String] = [r.trainingMaxOverMean.formatted(3), r.droppedShare.formatted(3)]
    let time = NumberFormat.estimate(r.secondsPerStep.mean * 1000, r.secondsPerStep.deviation * 1000, 2)
    return [r.arm, r.accuracy.formatted(4), "± " + NumberFormat.fixed(r.interval, 4)] + versus + loads + training + [time]
  }

  func loadChart(_ rows: [MixtureOfExpertsStudy.Summary], dataset: String) -> SVGChart {
    var chart = SVGChart(title: "\(dataset): load imbalance over training", xLabel: "step", yLabel: "max / mean load")
    let span = Double(settings.steps) / Double(max(settings.windows, 1))
    for (k, r) in rows.enumerated() {
      let x = r.loadHistory.indices.map { (Double($0) + 0.5) * span }
      let y = r.loadHistory.map { ($0.max() ?? 0) * Double($0.count) }
      chart.addLine(x: x, y: y, color: SVGChart.palette[k % SVGChart.palette.count], dashed: k >= SVGChart.palette.count, label: r.arm)
    }
    return chart
  }
}
