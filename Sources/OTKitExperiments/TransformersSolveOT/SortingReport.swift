import Foundation
import OTKitCore
import OTKitReport

/// The report of `otkit reproduce sorting`: a table per curve, the JSON rows, and an HTML
/// section with the error-versus-depth curves on log axes and the constructed example's
/// readouts beside the Sinkhorn plan.
public enum SortingReport {
  /// The depths shown in the table: the requested ones (powers of four up to the last,
  /// and the last, when none are given).
  public static func tableDepths(_ curve: SortingDepthStudy.Curve, requested: [Int]? = nil) -> [Int] {
    let recorded = curve.points.map(\.depth)
    if let requested { return requested.filter(recorded.contains) }
    var depths = recorded.filter { $0 == 1 || ($0 & ($0 - 1) == 0 && $0.trailingZeroBitCount % 2 == 0) }
    if let last = recorded.last, depths.last != last { depths.append(last) }
    return depths
  }

  static func format(_ value: Double?) -> String { value.map { NumberFormat.scientific($0, 2) } ?? "-" }

  /// One row per curve: the setting, the floor, the error at each table depth, layers to
  /// 1e-3, the slope, the Sinkhorn iterations, the final rank accuracy and sort error.
  public static func table(_ curves: [SortingDepthStudy.Curve], depths requested: [Int]? = nil) -> (header: [String], rows: [[String]]) {
    let depths = curves.first.map { tableDepths($0, requested: requested) } ?? []
    let header = ["n", "d", "λ", "γ/λ", "a", "sink", "floor |P̄-Π*|"] + depths.map { "err@\($0)" }
      + ["layers to 1e-3", "slope", "Sinkhorn its", "rank acc", "sort err", "seconds"]
    let rows = curves.map { c -> [String] in
      let s = c.setting
      let errors = depths.map { d in format(c.points.first { $0.depth == d }?.frobenius) }
      let last = c.points.last
      return [String(s.n), String(s.dimension), String(format: "%g", s.lambda), String(format: "%g", s.gammaRatio), s.sinkValue.rawValue, s.sinkMode.rawValue, format(c.floor)]
        + errors
        + [c.layersTo1e3.map(String.init) ?? "-", c.slope.map { String(format: "%.2f", $0) } ?? "-", c.sinkhornIterations.map(String.init) ?? "-",
           last.map { String(format: "%.2f", $0.rankAccuracy) } ?? "-", format(last?.sortError), String(format: "%.2f", c.seconds)]
    }
    return (header, rows)
  }

  /// The HTML section.
  public static func html(_ curves: [SortingDepthStudy.Curve], depths: [Int]? = nil, example: SortingExample?, into document: inout Report) {
    document.heading("Transformers that solve optimal transport (seed 001)")
    document.paragraph(
      "A transformer with fixed weights (two softmax heads, the same at every layer, no MLP, no normalization) on an engineered prompt (a sink token and dual registers) runs gradient descent with adaptive steps on the dual of entropic OT; its readout approaches the row-normalized entropic plan P̄_λ as depth grows, and sorts. H. Daneshmand, arXiv 2410.19931. The error is |M_ℓ − P̄_λ|_F with P̄_λ from OTKit's log-domain Sinkhorn; the dashed line of each colour is the entropic floor |P̄_λ − Π*|_F, which no depth removes; the stated bound O(√n e^{1/λ} / √ℓ) has slope −1/2.")
    let (header, rows) = table(curves, depths: depths)
    document.table(header: header, rows: rows, caption: "Error of the readout to P̄_λ (Frobenius) against depth")
    var groups: [String: [SortingDepthStudy.Curve]] = [:]
    for c in curves { groups["λ \(c.setting.lambda), γ \(c.setting.gammaRatio)λ, a \(c.setting.sinkValue.rawValue), \(c.setting.sinkMode.rawValue), d \(c.setting.dimension)", default: []].append(c) }
    var charts: [SVGChart] = []
    for key in groups.keys.sorted() {
      var chart = SVGChart(title: key, xLabel: "depth (layers)", yLabel: "|M − P̄_λ|_F")
      chart.logX = true
      chart.logY = true
      for (index, c) in groups[key]!.enumerated() {
        let color = SVGChart.palette[index % SVGChart.palette.count]
        chart.addLine(x: c.points.map { Double($0.depth) }, y: c.points.map { max($0.frobenius, 1e-16) }, color: color, label: "n \(c.setting.n)")
        if let first = c.points.first, let last = c.points.last, c.floor > 0 {
          chart.addLine(x: [Double(first.depth), Double(last.depth)], y: [c.floor, c.floor], color: color, width: 1, opacity: 0.6, dashed: true)
        }
      }
      charts.append(chart)
    }
    document.figures(charts, caption: "Error against depth on log axes; dashed: the entropic floor.")
    guard let example else { return }
    document.heading("The constructed transformer on six numbers (the author's Figures 3-4)", level: 3)
    document.paragraph(
      "x = \(example.x.map { String(format: "%.3f", $0) }.joined(separator: ", ")), y = 0, …, 5, λ = 0.1, γ = 0.05. Sorted readout after \(example.readouts.last?.depth ?? 0) layers: \(example.sortedReadout.map { String(format: "%.3f", $0) }.joined(separator: ", ")) (the author: 0.025, 0.165, 0.333, 0.500, 0.668, 0.808); |M − P̄_λ|_F = \(String(format: "%.2e", example.finalError)).")
    let maps = example.readouts.map { SVGHeatMap(title: "layer \($0.depth)", rows: $0.readout.rows, columns: $0.readout.columns, values: $0.readout.elements, maximum: 1) }
      + [SVGHeatMap(title: "Sinkhorn P̄_λ", rows: example.plan.rows, columns: example.plan.columns, values: example.plan.elements, maximum: 1)]
    document.heatMaps(maps, caption: "Readout attention (rows: targets y, columns: sources x) every few layers, and the row-normalized Sinkhorn plan.")
  }
}
