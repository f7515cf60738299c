import Foundation
import OTKitCore
import OTKitReport
import OTKitTabular

extension StudyReport {
  /// The accuracy and fit-time table of summaries.
  public static func accuracyTable(_ summaries: [Study.Summary], into report: inout HTMLReport) {
    report.table(
      header: ["classes", "separation", "gauss_dist", "model", "runs", "accuracy (instances)", "accuracy (points)", "fit seconds"],
      rows: summaries.map { s in
        [String(s.classes), s.separation.map { String(format: "%g", $0) } ?? "-", s.gaussDist.map { String(format: "%.2f", $0) } ?? "-",
         s.model, String(s.runs), s.accuracy.formatted(3), s.pointAccuracy.formatted(3), s.seconds.formatted(2)]
      }, caption: "Test accuracy and fit time, mean ± standard deviation over runs.")
  }

  /// The report of the simulation study (`otkit reproduce synthetic --report`).
  public static func synthetic(_ summaries: [Study.Summary], examples: [Study.Example], settings: Study.SyntheticSettings, into report: inout Report) {
    report.paragraph("Simulated Gaussian classes in the plane (\(settings.instances) instances of \(settings.tokens) tokens, covariance \(settings.variance) I; 2 classes at (±s, 0), 3 classes at (±x, 0) and (0, x) with x = 6s / (2(1 + √2))). Every other instance trains. The transformer (1 \(settings.transformer.normPlacement.rawValue)-norm block, 10 heads of key size 16, per-token head, RMSprop 1e-2, full batch), the pretrained transformer (head trained on the dummy classes and frozen) and the OT classifier. \(settings.repetitions) repetitions with new data.")
    report.heading("Accuracy and time")
    accuracyTable(summaries, into: &report)
    report.heading("OT metrics of training")
    let names = ["transformerDistance", "wasserstein", "mongeGap", "optimality", "matching", "transformerCost", "efficiency", "normalizedEfficiency"]
    let withMetrics = summaries.filter { !$0.metrics.isEmpty }
    report.table(
      header: ["classes", "separation", "model", "TD", "W", "Monge gap", "optimality", "matching", "transformer cost", "efficiency", "normalized efficiency", "cost / W"],
      rows: withMetrics.map { s in
        [String(s.classes), s.separation.map { String(format: "%g", $0) } ?? "-", s.model]
          + names.map { n in s.metrics[n].map { $0.formatted(["optimality", "matching", "efficiency", "normalizedEfficiency"].contains(n) ? 3 : 1) } ?? "-" }
          + [String(format: "%.1f", (s.metrics["transformerCost"]?.mean ?? 0) / max(s.metrics["wasserstein"]?.mean ?? 1, 1e-12))]
      }, caption: "From the standardized input P_0 to the last encoder block's output at the best epoch, summed over classes; mean ± sd over runs.")
    for example in examples {
      report.heading("\(example.title): \(example.outcome.model)")
      report.paragraph("Test accuracy \(String(format: "%.3f", example.outcome.test.accuracy)) (instances), \(String(format: "%.3f", example.outcome.test.pointAccuracy)) (points); fit \(String(format: "%.2f", example.outcome.history.seconds)) s.")
      StudyReport.sections(example.outcome, train: example.train, into: &report)
    }
  }

  /// The report of the BEED study (`otkit reproduce beed --report`).
  public static func real(_ summaries: [Study.Summary], into report: inout Report) {
    report.paragraph("Bangalore EEG Epilepsy Dataset (BEED, UCI, CC BY 4.0): 16 features, the first k labels, 80/20 stratified split. One token per row.")
    accuracyTable(summaries, into: &report)
  }
}
