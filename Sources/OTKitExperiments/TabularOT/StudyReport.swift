import Foundation
import OTKitCore
import OTKitTabular
import OTKitAttention
import OTKitAutograd
import OTKitNeural
import OTKitReport

/// The HTML reports of `otkit train --report` and the sections that `otkit reproduce
/// --report` shares with it.
public enum StudyReport {
  /// The report of one training run: data, accuracy, training curves, and with a trace the
  /// transport arrows, the paths and the OT metrics; for the OT classifier its remapping.
  public static func training(_ outcome: TrainingOutcome, train: SequenceData, command: String, dataName: String) throws -> HTMLReport {
    var report = HTMLReport(title: "OTKit: \(outcome.model) on \(dataName)")
    report.paragraph("\(outcome.description). \(train.instances) training instances of \(train.tokens) token(s) in R^\(train.dimension), classes \(train.classLabels.joined(separator: ", ")).")
    report.code(command)
    report.heading("Accuracy")
    report.table(
      header: ["set", "instance accuracy", "point accuracy"] + train.classLabels.map { "recall \($0)" },
      rows: [
        ["test", StudyFigures.format(outcome.test.accuracy, 4), StudyFigures.format(outcome.test.pointAccuracy, 4)] + outcome.test.recall.map { StudyFigures.format($0, 4) },
        ["train", StudyFigures.format(outcome.train.accuracy, 4), StudyFigures.format(outcome.train.pointAccuracy, 4)] + outcome.train.recall.map { StudyFigures.format($0, 4) },
      ])
    report.paragraph("Fit time \(StudyFigures.format(outcome.history.seconds, 2)) s, \(outcome.history.epochs) epochs, best epoch \(outcome.history.bestEpoch + 1)\(outcome.history.stoppedEarly ? " (early stop)" : "").")
    sections(outcome, train: train, into: &report)
    if let structure = (outcome.classifier as? TabularTransformer)?.gradientStructure, !structure.isEmpty {
      gradientStructure(structure, into: &report)
    }
    return report
  }

  /// `--log-gradient-structure`: per head and epoch the advantage spread and what the
  /// baseline saves in variance, and the largest advantage-form error.
  static func gradientStructure(_ structure: [HeadGradientStructure], into report: inout HTMLReport) {
    report.heading("Gradient structure (seed 002)", level: 3)
    let error = structure.map(\.structure.advantageMaxError).largestErrorPropagatingNaN()
    report.paragraph(
      "After every epoch, on a fixed probe of training instances: the tape's gradient on each head's scores against the advantage form "
        + "p (u - E_p u) (largest difference over all epochs and heads: \(String(format: "%.2e", error))), the advantage spread, and the "
        + "variance of the one-sample score-function estimate of that gradient without a baseline over its variance with the baseline E_p u.")
    var spread = SVGChart(title: "Advantage spread per head", xLabel: "epoch", yLabel: "mean sqrt(E_p[(u - E_p u)^2])")
    var ratio = SVGChart(title: "Variance without / with the baseline", xLabel: "epoch", yLabel: "variance ratio")
    let heads = Array(Set(structure.map { [$0.block, $0.head] })).sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    for (index, key) in heads.enumerated() {
      let rows = structure.filter { [$0.block, $0.head] == key }
      let color = SVGChart.palette[index % SVGChart.palette.count]
      let epochs = rows.map { Double($0.epoch) }
      spread.addLine(x: epochs, y: rows.map(\.structure.advantageSpread), color: color, label: "block \(key[0]), head \(key[1])")
      ratio.addLine(
        x: epochs, y: rows.map { $0.structure.varianceNaive / max($0.structure.varianceBaselined, 1e-300) }, color: color,
        label: "block \(key[0]), head \(key[1])")
    }
    report.figures([spread, ratio])
  }

  /// The figures and metric table of one outcome.
  public static func sections(_ outcome: TrainingOutcome, train: SequenceData, into report: inout HTMLReport) {
    report.heading("\(outcome.model): training curves", level: 3)
    report.figures(StudyFigures.curves(outcome.history, title: outcome.model))
    if let recorder = outcome.recorder {
      let projection = PlaneProjection(fitting: recorder.start, coordinateNames: train.coordinateNames)
      report.heading("\(outcome.model): how self-attention moves the training points", level: 3)
      let data = StudyFigures.scatter(recorder.start, labels: recorder.labels, classLabels: train.classLabels, projection: projection, title: "Standardized training points (P_0)")
      var end = StudyFigures.scatter(recorder.best, labels: recorder.labels, classLabels: train.classLabels, projection: PlaneProjection(fitting: recorder.best, coordinateNames: train.coordinateNames), title: "Output of the last encoder block (P_best)")
      end.equalAspect = true
      report.figures([data, end])
      report.figures(
        StudyFigures.trajectory(recorder, classLabels: train.classLabels, projection: projection),
        caption: "Left: each recorded point's straight move from the start to the best epoch. Right: its actual path through every epoch. Both in the plane of the start points\(train.dimension > 2 ? " (principal axes)" : "").")
    }
    if let metrics = outcome.metrics {
      let table = StudyFigures.metricsTable(metrics, classLabels: train.classLabels)
      report.table(
        header: table.header, rows: table.rows,
        caption: "OT metrics of training from P_0 to the best epoch (\(metrics.epoch + 1)). Optimality = W / TD; matching = share of points whose optimal partner is their own image; efficiency = TD / transformer cost (the study's, shrinks like 1/sqrt(N)); normalized efficiency = sum |D_i - S_i| / transformer cost (1 for straight paths).")
    }
    if let ot = outcome.otClassifier, let chart = try? StudyFigures.remapping(ot, data: train) {
      report.heading("OT classifier: the learned remapping", level: 3)
      let pairs = ot.trainingPairs
      var figures = [chart]
      if let pairs {
        var targets = SVGChart(title: "Training pairs: dummy targets of the assignment", xLabel: "", yLabel: "")
        targets.equalAspect = true
        let projection = PlaneProjection(fitting: pairs.targets)
        let plane = projection(pairs.targets)
        let stride = max(1, plane.count / 2000)
        let rows = Array(Swift.stride(from: 0, to: plane.count, by: stride))
        targets.addPoints(x: rows.map { plane[$0].0 }, y: rows.map { plane[$0].1 }, color: SVGChart.palette[2], radius: 1.6, opacity: 0.5, label: "dummy targets")
        figures.append(targets)
      }
      report.figures(figures, caption: "Left: standardized points and their images under the learned map T_theta, with the dummy class means. Right: the dummy points the exact assignment gave the real points as targets.")
    }
  }
}
