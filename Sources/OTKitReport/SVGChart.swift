import Foundation

/// A chart drawn as a self-contained SVG string: axes with ticks, then layers of points,
/// polylines, arrows and markers in data coordinates. No scripts, no external resources.
///
/// ```swift
/// var chart = SVGChart(title: "Training loss", xLabel: "epoch", yLabel: "loss")
/// chart.addLine(x: epochs, y: losses, color: SVGChart.palette[0], label: "train")
/// let svg = chart.render()
/// ```
public struct SVGChart: Sendable {
  /// Colours that stay distinct for colour-blind readers (Okabe and Ito).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var width: Double = 520
  public var height: Double = 400
  /// Keep one unit the same length on both axes (point clouds).
  public var equalAspect = false
  /// A logarithmic y axis (positive values only).
  public var logY = false
  /// A logarithmic x axis (positive values only).
  public var logX = false
  var items: [Item] = []
  var legend: [(label: String, color: String)] = []

  enum Item: Sendable {
    case points(x: [Double], y: [Double], color: String, radius: Double, opacity: Double)
    case line(x: [Double], y: [Double], color: String, width: Double, opacity: Double, dashed: Bool)
    case arrows(from: [(Double, Double)], to: [(Double, Double)], color: String, width: Double, opacity: Double)
    case markers(x: [Double], y: [Double], color: String, size: Double, label: String?)
  }

  public init(title: String, xLabel: String = "", yLabel: String = "") {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// A scatter layer.
  public mutating func addPoints(x: [Double], y: [Double], color: String, radius: Double = 2.5, opacity: Double = 0.7, label: String? = nil) {
    items.append(.points(x: x, y: y, color: color, radius: radius, opacity: opacity))
    if let label { legend.append((label, color)) }
  }

  /// A polyline.
  public mutating func addLine(x: [Double], y: [Double], color: String, width: Double = 1.8, opacity: Double = 1, dashed: Bool = false, label: String? = nil) {
    items.append(.line(x: x, y: y, color: color, width: width, opacity: opacity, dashed: dashed))
    if let label { legend.append((label, color)) }
  }

  /// Arrows from each start to its end.
  public mutating func addArrows(from: [(Double, Double)], to: [(Double, Double)], color: String, width: Double = 1, opacity: Double = 0.6, label: String? = nil) {
    items.append(.arrows(from: from, to: to, color: color, width: width, opacity: opacity))
    if let label { legend.append((label, color)) }
  }

  /// Large cross markers (class means), optionally labelled.
  public mutating func addMarkers(x: [Double], y: [Double], color: String, size: Double = 7, label: String? = nil) {
    items.append(.markers(x: x, y: y, color: color, size: size, label: label))
  }

  /// The plot area and the data ranges of a rendering, with the maps from data to pixels.
  struct Frame {
    let margin = (left: 62.0, right: 16.0, top: 30.0, bottom: 44.0)
    var plotW = 0.0, plotH = 0.0
    var x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0
    var logX = false, logY = false

    func px(_ x: Double) -> Double {
      let v = logX ? log10(max(x, 1e-300)) : x
      return margin.left + (v - x0) / (x1 - x0) * plotW
    }

    func py(_ y: Double) -> Double {
      let v = logY ? log10(max(y, 1e-300)) : y
      return margin.top + plotH - (v - y0) / (y1 - y0) * plotH
    }
  }

  /// The frame of the items: the finite (and, on log axes, positive) data's ranges,
  /// widened to equal scales with ``equalAspect``.
  func frame() -> Frame {
    var frame = Frame()
    (frame.logX, frame.logY) = (logX, logY)
    frame.plotW = width - frame.margin.left - frame.margin.right
    frame.plotH = height - frame.margin.top - frame.margin.bottom - (legend.isEmpty ? 0 : 18)
    var xs: [Double] = [], ys: [Double] = []
    for item in items {
      switch item {
      case .points(let x, let y, _, _, _), .line(let x, let y, _, _, _, _), .markers(let x, let y, _, _, _):
        xs += x
        ys += y
      case .arrows(let from, let to, _, _, _):
        xs += from.map(\.0) + to.map(\.0)
        ys += from.map(\.1) + to.map(\.1)
      }
    }
    let pairs = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite && (!logY || $0.1 > 0) && (!logX || $0.0 > 0) }
    (frame.x0, frame.x1) = Self.range(pairs.map { logX ? log10($0.0) : $0.0 })
    (frame.y0, frame.y1) = Self.range(pairs.map { logY ? log10($0.1) : $0.1 })
    if equalAspect {
      let scale = max((frame.x1 - frame.x0) / frame.plotW, (frame.y1 - frame.y0) / frame.plotH)
      let (cx, cy) = ((frame.x0 + frame.x1) / 2, (frame.y0 + frame.y1) / 2)
      (frame.x0, frame.x1) = (cx - scale * frame.plotW / 2, cx + scale * frame.plotW / 2)
      (frame.y0, frame.y1) = (cy - scale * frame.plotH / 2, cy + scale * frame.plotH / 2)
    }
    return frame
  }

  static func f(_ v: Double) -> String { String(format: "%.1f", v) }

  /// The SVG document.
  ///
  /// - Complexity: linear in the number of plotted values.
  public func render() -> String {
    let frame = frame()
    let f = Self.f
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
    // One arrowhead per arrow colour (context-stroke is not everywhere yet).
    var arrowColors: [String] = []
    for case .arrows(_, _, let color, _, _) in items where !arrowColors.contains(color) { arrowColors.append(color) }
    s += "<defs>"
    for color in arrowColors {
      s += "<marker id=\"\(Self.markerID(color))\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"\(color)\"/></marker>"
    }
    s += "</defs>\n"
    s += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>\n"
    s += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(escapeXML(title))</text>\n"
    s += axes(frame)
    s += "<g>\n" + items.map { itemSVG($0, frame) }.joined() + "</g>\n"
    // Legend below the plot.
    var lx = frame.margin.left
    let ly = height - 10
    for entry in legend {
      s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(entry.color)\"/>"
      s += "<text x=\"\(f(lx + 14))\" y=\"\(f(ly))\">\(escapeXML(entry.label))</text>"
      lx += 24 + Double(entry.label.count) * 6.2
    }
    return s + "\n</svg>"
  }

  /// The plot's frame, its ticks with their labels, and the axis labels.
  func axes(_ frame: Frame) -> String {
    let f = Self.f
    let (margin, plotW, plotH) = (frame.margin, frame.plotW, frame.plotH)
    let (x0, x1, y0, y1) = (frame.x0, frame.x1, frame.y0, frame.y1)
    var s = "<rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#999\"/>\n"
    for t in Self.ticks(x0, x1) {
      let x = margin.left + (t - x0) / (x1 - x0) * plotW
      s += "<line x1=\"\(f(x))\" y1=\"\(f(margin.top + plotH))\" x2=\"\(f(x))\" y2=\"\(f(margin.top + plotH + 4))\" stroke=\"#666\"/>"
      s += "<text x=\"\(f(x))\" y=\"\(f(margin.top + plotH + 15))\" text-anchor=\"middle\" fill=\"#333\">\(logX ? String(format: "%.3g", pow(10, t)) : Self.label(t))</text>\n"
    }
    for t in Self.ticks(y0, y1) {
      let y = margin.top + plotH - (t - y0) / (y1 - y0) * plotH
      s += "<line x1=\"\(f(margin.left - 4))\" y1=\"\(f(y))\" x2=\"\(f(margin.left + plotW))\" y2=\"\(f(y))\" stroke=\"#eee\"/>"
      s += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(y + 3.5))\" text-anchor=\"end\" fill=\"#333\">\(logY ? String(format: "%.3g", pow(10, t)) : Self.label(t))</text>\n"
    }
    s += "<text x=\"\(f(margin.left + plotW / 2))\" y=\"\(f(margin.top + plotH + 32))\" text-anchor=\"middle\">\(escapeXML(xLabel))</text>\n"
    s += "<text transform=\"translate(14 \(f(margin.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeXML(yLabel))</text>\n"
    return s
  }

  /// One item's SVG.
  func itemSVG(_ item: Item, _ frame: Frame) -> String {
    let (f, px, py) = (Self.f, frame.px, frame.py)
    var s = ""
    switch item {
    case .points(let x, let y, let color, let radius, let opacity):
      s += "<g fill=\"\(color)\" fill-opacity=\"\(opacity)\">"
      for (a, b) in zip(x, y) where a.isFinite && b.isFinite {
        s += "<circle cx=\"\(f(px(a)))\" cy=\"\(f(py(b)))\" r=\"\(radius)\"/>"
      }
      s += "</g>\n"
    case .line(let x, let y, let color, let width, let opacity, let dashed):
      let points = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite && (!logY || $0.1 > 0) && (!logX || $0.0 > 0) }
        .map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
      s += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" stroke-opacity=\"\(opacity)\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
    case .arrows(let from, let to, let color, let width, let opacity):
      s += "<g stroke=\"\(color)\" stroke-width=\"\(width)\" stroke-opacity=\"\(opacity)\" marker-end=\"url(#\(Self.markerID(color)))\">"
      for (a, b) in zip(from, to) where a.0.isFinite && a.1.isFinite && b.0.isFinite && b.1.isFinite {
        s += "<line x1=\"\(f(px(a.0)))\" y1=\"\(f(py(a.1)))\" x2=\"\(f(px(b.0)))\" y2=\"\(f(py(b.1)))\"/>"
      }
      s += "</g>\n"
    case .markers(let x, let y, let color, let size, let label):
      for (index, (a, b)) in zip(x, y).enumerated() {
        let (cx, cy) = (px(a), py(b))
        s += "<path d=\"M \(f(cx - size)) \(f(cy - size)) L \(f(cx + size)) \(f(cy + size)) M \(f(cx - size)) \(f(cy + size)) L \(f(cx + size)) \(f(cy - size))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
        if let label { s += "<text x=\"\(f(cx + size + 3))\" y=\"\(f(cy - size))\" font-weight=\"bold\">\(escapeXML(label))\(x.count > 1 ? " \(index)" : "")</text>" }
      }
      s += "\n"
    }
    return s
  }

  /// The id of a colour's arrowhead: the same in every chart of a page, with the same
  /// content, so charts inlined together do not clash.
  static func markerID(_ color: String) -> String {
    "otkit-arrow-" + String(color.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
  }

  /// A padded range of the finite values; a unit range around a constant.
  static func range(_ values: [Double]) -> (Double, Double) {
    guard let low = values.min(), let high = values.max() else { return (0, 1) }
    if high - low < 1e-12 * max(1, abs(high)) { return (low - 0.5, high + 0.5) }
    let pad = (high - low) * 0.04
    return (low - pad, high + pad)
  }

  /// About six round tick positions in `[a, b]`.
  static func ticks(_ a: Double, _ b: Double) -> [Double] {
    let raw = (b - a) / 6
    guard raw > 0, raw.isFinite else { return [] }
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var t = (a / step).rounded(.up) * step
    var out: [Double] = []
    while t <= b + step * 1e-9 && out.count < 50 {
      out.append(abs(t) < step * 1e-9 ? 0 : t)
      t += step
    }
    return out
  }

  static func label(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    if abs(v) >= 1e4 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
    return String(format: "%g", (v * 1e4).rounded() / 1e4)
  }
}

/// Escapes text for XML and HTML.
public func escapeXML(_ text: String) -> String {
  var out = ""
  for c in text {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    default: out.append(c)
    }
  }
  return out
}
