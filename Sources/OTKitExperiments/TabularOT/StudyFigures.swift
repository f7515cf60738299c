import Foundation
import OTKitCore
import OTKitTabular
import OTKitAttention
import OTKitAutograd
import OTKitNeural
import OTKitReport

/// A linear map of `R^d` to the plane for drawing: the identity's first two coordinates
/// when `d <= 2`, else the two leading principal axes of the points it was fitted on.
public struct PlaneProjection: Sendable {
  public var center: [Double]
  /// Two orthonormal axes in `R^d`.
  public var axes: [[Double]]
  public var axisNames: (String, String)

  /// Fits the projection on the rows of `points`.
  ///
  /// - Complexity: `O(n d^2 + d^3)`.
  public init(fitting points: Matrix<Double>, coordinateNames: [String] = []) {
    let d = points.columns
    if d <= 2 {
      center = Array(repeating: 0, count: d)
      axes = (0..<2).map { a in (0..<d).map { $0 == a ? 1 : 0 } }
      axisNames = (coordinateNames.first ?? "x1", d > 1 ? (coordinateNames.dropFirst().first ?? "x2") : "")
      return
    }
    let means = points.columnMeans()
    var covariance = Matrix<Double>(rows: d, columns: d)
    for i in 0..<points.rows {
      for a in 0..<d {
        let u = points[i, a] - means[a]
        for b in a..<d { covariance[a, b] += u * (points[i, b] - means[b]) }
      }
    }
    for a in 0..<d { for b in 0..<a { covariance[a, b] = covariance[b, a] } }
    center = means
    if let (_, vectors) = try? covariance.symmetricEigen() {
      axes = [(0..<d).map { vectors[$0, d - 1] }, (0..<d).map { vectors[$0, d - 2] }]
    } else {
      axes = (0..<2).map { a in (0..<d).map { $0 == a ? 1 : 0 } }
    }
    axisNames = ("principal axis 1", "principal axis 2")
  }

  /// The plane coordinates of each row.
  public func callAsFunction(_ points: Matrix<Double>) -> [(Double, Double)] {
    (0..<points.rows).map { i in
      var p = (0.0, 0.0)
      for j in 0..<min(points.columns, center.count) {
        let v = points[i, j] - center[j]
        p.0 += v * axes[0][j]
        p.1 += v * axes[1][j]
      }
      return p
    }
  }

  public func callAsFunction(_ point: [Double]) -> (Double, Double) { self(Matrix(row: point))[0] }
}

/// The figures and tables of the study's reports (`otkit train --report`,
/// `otkit reproduce --report`).
public enum StudyFigures {
  /// The points coloured by class.
  public static func scatter(
    _ points: Matrix<Double>, labels: [Int], classLabels: [String], projection: PlaneProjection, title: String, limit: Int = 4000
  ) -> SVGChart {
    var chart = SVGChart(title: title, xLabel: projection.axisNames.0, yLabel: projection.axisNames.1)
    chart.equalAspect = true
    let stride = max(1, points.rows / limit)
    let rows = Array(Swift.stride(from: 0, to: points.rows, by: stride))
    let plane = projection(points.rows(at: rows))
    for c in classLabels.indices {
      let mine = rows.indices.filter { labels[rows[$0]] == c }
      chart.addPoints(
        x: mine.map { plane[$0].0 }, y: mine.map { plane[$0].1 }, color: SVGChart.palette[c % SVGChart.palette.count],
        radius: 2.2, opacity: 0.6, label: "class \(classLabels[c])")
    }
    return chart
  }

  /// Start-to-end arrows of the recorded points, and every recorded point's path across
  /// the epochs up to the best one.
  public static func trajectory(_ recorder: TrajectoryRecorder, classLabels: [String], projection: PlaneProjection) -> [SVGChart] {
    let labels = recorder.sampled.map { recorder.labels[$0] }
    let last = max(recorder.bestEpoch + 1, 0)
    let start = projection(recorder.sampledPositions[0])
    let end = projection(recorder.sampledPositions[last])
    var arrows = SVGChart(title: "Start (P_0) to end (P_best, epoch \(last)): transport arrows", xLabel: projection.axisNames.0, yLabel: projection.axisNames.1)
    arrows.equalAspect = true
    var paths = SVGChart(title: "Every point's path across \(last) epochs", xLabel: projection.axisNames.0, yLabel: projection.axisNames.1)
    paths.equalAspect = true
    let planes = recorder.sampledPositions[0...last].map { projection($0) }
    for c in classLabels.indices {
      let color = SVGChart.palette[c % SVGChart.palette.count]
      let mine = labels.indices.filter { labels[$0] == c }
      arrows.addPoints(x: mine.map { start[$0].0 }, y: mine.map { start[$0].1 }, color: color, radius: 1.8, opacity: 0.35, label: "class \(classLabels[c])")
      arrows.addArrows(from: mine.map { start[$0] }, to: mine.map { end[$0] }, color: color, width: 0.8, opacity: 0.5)
      for i in mine.prefix(150) {
        paths.addLine(x: planes.map { $0[i].0 }, y: planes.map { $0[i].1 }, color: color, width: 0.7, opacity: 0.45)
      }
      paths.addPoints(x: mine.prefix(150).map { end[$0].0 }, y: mine.prefix(150).map { end[$0].1 }, color: color, radius: 1.8, opacity: 0.9, label: "class \(classLabels[c])")
    }
    return [arrows, paths]
  }

  /// The OT classifier's remapping: arrows from standardized points to their images
  /// `T_theta(x)`, and the dummy class means.
  public static func remapping(_ model: OTClassifier, data: SequenceData, limit: Int = 500) throws -> SVGChart? {
    guard let standardizer = model.standardizer, let dummies = model.dummies else { return nil }
    let x = try data.standardized(standardizer)
    let stride = max(1, x.points.rows / limit)
    let rows = Array(Swift.stride(from: 0, to: x.points.rows, by: stride))
    let sample = x.points.rows(at: rows)
    let images = try model.mapped(standardized: sample)
    let projection = PlaneProjection(fitting: sample.appendingRows(images).appendingRows(Matrix(dummies.means)), coordinateNames: data.coordinateNames)
    let (from, to) = (projection(sample), projection(images))
    let labels = SequenceData.pointRows(of: Array(0..<x.instances), tokens: x.tokens).map { x.labels[$0 / x.tokens] }
    var chart = SVGChart(title: "OT classifier: x to T_theta(x), dummy means", xLabel: projection.axisNames.0, yLabel: projection.axisNames.1)
    chart.equalAspect = true
    for c in data.classLabels.indices {
      let color = SVGChart.palette[c % SVGChart.palette.count]
      let mine = rows.indices.filter { labels[rows[$0]] == c }
      chart.addPoints(x: mine.map { from[$0].0 }, y: mine.map { from[$0].1 }, color: color, radius: 1.8, opacity: 0.4, label: "class \(data.classLabels[c])")
      chart.addArrows(from: mine.map { from[$0] }, to: mine.map { to[$0] }, color: color, width: 0.7, opacity: 0.35)
    }
    let means = dummies.means.map { projection($0) }
    chart.addMarkers(x: means.map(\.0), y: means.map(\.1), color: "#000000", label: "mu")
    return chart
  }

  /// Loss and accuracy per epoch, the best epoch marked.
  public static func curves(_ history: TrainingHistory, title: String) -> [SVGChart] {
    let epochs = history.records.map { Double($0.epoch + 1) }
    var loss = SVGChart(title: "\(title): loss", xLabel: "epoch", yLabel: "loss")
    loss.logY = true
    loss.addLine(x: epochs, y: history.records.map(\.trainingLoss), color: SVGChart.palette[0], label: "training")
    let validation = history.records.compactMap(\.validationLoss)
    if validation.count == epochs.count {
      loss.addLine(x: epochs, y: validation, color: SVGChart.palette[1], label: "validation")
    }
    var charts = [loss]
    let accuracy = history.records.compactMap(\.trainingAccuracy)
    if accuracy.count == epochs.count {
      var chart = SVGChart(title: "\(title): accuracy", xLabel: "epoch", yLabel: "accuracy")
      chart.addLine(x: epochs, y: accuracy, color: SVGChart.palette[0], label: "training (points)")
      let validAccuracy = history.records.compactMap(\.validationAccuracy)
      if validAccuracy.count == epochs.count {
        chart.addLine(x: epochs, y: validAccuracy, color: SVGChart.palette[1], label: "validation")
      }
      charts.append(chart)
    }
    for index in charts.indices {
      let best = Double(history.bestEpoch + 1)
      charts[index].addLine(x: [best, best], y: charts[index].title.hasSuffix("loss") ? [history.records.map(\.trainingLoss).min() ?? 1, history.records.map(\.trainingLoss).max() ?? 1] : [0, 1], color: "#888888", width: 1, dashed: true, label: "best epoch")
    }
    return charts
  }

  /// The OT metrics of training as table rows: one per class and the total.
  public static func metricsTable(_ metrics: TrainingTransportMetrics, classLabels: [String]) -> (header: [String], rows: [[String]]) {
    let header = ["class", "points", "TD", "W", "Monge gap", "optimality", "matching", "transformer cost", "efficiency", "normalized efficiency"]
    func row(_ name: String, _ m: TransportMetrics) -> [String] {
      [name, String(m.points)] + [m.transformerDistance, m.wasserstein, m.mongeGap].map { format($0, 2) }
        + [format(m.optimality, 4), format(m.matching, 4), format(m.transformerCost, 1), format(m.efficiency, 4), format(m.normalizedEfficiency, 4)]
    }
    return (header, metrics.perClass.enumerated().map { row(classLabels[$0.offset], $0.element) } + [row("total", metrics.total)])
  }

  /// `v` with `digits` decimals (``NumberFormat/fixed(_:_:)``).
  public static func format(_ v: Double, _ digits: Int) -> String { NumberFormat.fixed(v, digits) }
}
