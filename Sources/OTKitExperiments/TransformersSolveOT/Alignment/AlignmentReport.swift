import Foundation
import OTKitReport

/// The tables and the HTML section of the synthetic alignment study and of `otkit align`.
public enum AlignmentReport {
  static func f(_ v: Double?) -> String { v.map { NumberFormat.fixed($0, 3) } ?? "-" }

  /// One row per state: pairs, cosine with the identity and its band, OT accuracy and its
  /// band, correlation with the plan, distance to the plan.
  public static func layerTable(_ summaries: [LayerAlignment.Summary]) -> (header: [String], rows: [[String]]) {
    let header = ["state", "pairs", "cos(A, I)", "± band", "OT accuracy", "± band", "corr(A, P̄)", "|A - P̄|_F"]
    let rows = summaries.map { s in
      [s.state == 0 ? "embeddings" : "layer \(s.state)", String(s.sentences), f(s.cosineWithIdentity), f(s.cosineBand), f(s.otAccuracy), f(s.otAccuracyBand),
       f(s.correlation), f(s.distanceToPlan)]
    }
    return (header, rows)
  }

  /// The per-state curves.
  public static func chart(_ summaries: [LayerAlignment.Summary], title: String) -> SVGChart {
    var chart = SVGChart(title: title, xLabel: "state (0: embeddings)", yLabel: "value")
    let xs = summaries.map { Double($0.state) }
    chart.addLine(x: xs, y: summaries.map { $0.cosineWithIdentity ?? .nan }, color: SVGChart.palette[0], label: "cos(A, I)")
    chart.addLine(x: xs, y: summaries.map { $0.otAccuracy ?? .nan }, color: SVGChart.palette[1], label: "OT accuracy")
    chart.addLine(x: xs, y: summaries.map { $0.correlation ?? .nan }, color: SVGChart.palette[2], label: "corr(A, P̄)")
    return chart
  }

  /// The OT accuracy of the embeddings on a grid of noise (rows) and shift (columns).
  public static func gridTable(noises: [Double], shifts: [Double], accuracy: [[Double]]) -> (header: [String], rows: [[String]]) {
    let header = ["σ \\ α"] + shifts.map { String(format: "%g", $0) }
    let rows = noises.enumerated().map { i, sigma in [NumberFormat.general(sigma)] + accuracy[i].map { f($0) } }
    return (header, rows)
  }

  /// The per-layer means as CSV (`otkit align --output`): one row per state, empty cells
  /// for values that are not defined.
  public static func csv(_ summaries: [LayerAlignment.Summary]) -> String {
    func c(_ v: Double?) -> String { v.map { String($0) } ?? "" }
    return "state,pairs,cosine_identity,cosine_band,ot_accuracy,ot_accuracy_band,correlation,distance_to_plan\n"
      + summaries.map { s in
        "\(s.state),\(s.sentences),\(c(s.cosineWithIdentity)),\(c(s.cosineBand)),\(c(s.otAccuracy)),\(c(s.otAccuracyBand)),\(c(s.correlation)),\(c(s.distanceToPlan))\n"
      }.joined()
  }

  /// The report of `otkit align --report`: the table and the curves per layer.
  public static func report(_ summaries: [LayerAlignment.Summary], command: String) -> Report {
    var document = Report(title: "OTKit: layer-wise alignment of translated words")
    document.paragraph("Does the attention between the two sentences of a pair, layer after layer, follow the gold word pairs and the optimal transport plan between the words' hidden states? H. Daneshmand, arXiv 2410.19931 v3 (E1, E4-E6). A language model has one token per word piece, not the theory's one token per pair of points: these curves mirror the author's measurements, they do not test the theorem.")
    document.code(command)
    let (header, rows) = layerTable(summaries)
    document.table(header: header, rows: rows, caption: "Per layer, mean over sentence pairs (band: 1.282 standard errors)")
    document.figures([chart(summaries, title: "Alignment by layer")])
    return document
  }
}
