import Foundation

extension HeadInspection {
  /// One row per head for a table: block, head, entropy, zeros, distance from doubly
  /// stochastic, plan distance, effective temperature, saturation, both identity errors,
  /// advantage spread, unary fraction, the interaction's effective rank and residual, the
  /// context vectors' effective rank (`-` where not computed).
  public static let tableHeader = [
    "block", "head", "entropy", "zeros", "column error", "plan distance", "eff. temperature", "saturated", "advantage error",
    "Fisher/Hessian error", "advantage spread", "unary fraction", "interaction eff. rank", "residual at d", "context eff. rank",
  ]

  /// The row of ``tableHeader``.
  public var tableRow: [String] {
    func number(_ x: Double?, _ format: String) -> String { x.map { $0.isFinite ? String(format: format, $0) : "-" } ?? "-" }
    return [
      String(block), String(head), number(entropy, "%.4f"), number(zeroFraction, "%.4f"), number(columnMarginalError, "%.3g"),
      number(planDistance, "%.4f"), number(effectiveTemperature, "%.3g"), number(saturatedRowShare, "%.3f"),
      number(advantageMaxError, "%.2e"), number(fisherHessianMaxError, "%.2e"), number(advantageSpread, "%.4g"),
      number(unaryFraction, "%.4f"), number(interactionEffectiveRank, "%.3f"), number(interactionResidual, "%.2e"),
      number(contextEffectiveRank, "%.3f"),
    ]
  }

  /// The lines `otkit inspect` prints: what was run and the table.
  public static func lines(_ heads: [HeadInspection], model: String, data: String) -> [String] {
    [
      "inspection: \(model) on \(data), \(heads.first?.instances ?? 0) instance(s) of \(heads.first?.tokens ?? 0) tokens",
      TextTable(header: tableHeader, rows: heads.map(\.tableRow)).render(),
    ]
  }

  /// The inspection as a report: what was run, the table, and the first instance's weights
  /// of every head as heat maps.
  public static func report(_ heads: [HeadInspection], model: String, data: String) -> Report {
    var report = Report(title: "OTKit: inspection of \(model)")
    report.paragraph(
      "The transformer saved in \(model), run on \(data) (\(heads.first?.instances ?? 0) instances of \(heads.first?.tokens ?? 0) tokens). "
        + "Per head: seed 002's transport reading, its identities read off the autograd tape (the advantage form and the Jacobian against "
        + "Fisher / tau and the Hessian of tau LSE(s / tau); round-off for softmax heads), the failure signatures (saturated rows, "
        + "the context vectors' effective rank) and Geometric Attention's gauge (unary fraction, the interaction's effective rank "
        + "and its residual at rank d_k, round-off for a dot-product chart).")
    report.table(header: tableHeader, rows: heads.map(\.tableRow), caption: "Means over the instances; the identity errors and residuals are the largest.")
    let maps = heads.map { h in
      SVGHeatMap(title: "block \(h.block), head \(h.head) (\(h.anchor))", rows: h.firstWeights.rows, columns: h.firstWeights.columns, values: h.firstWeights.elements)
    }
    report.heatMaps(maps, caption: "The attention weights of the first instance (rows: queries, columns: keys).")
    return report
  }
}
