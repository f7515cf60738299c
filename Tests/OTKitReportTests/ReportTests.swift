import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import OTKitReport

@Suite("Reports")
struct ReportTests {
  @Test("A chart is well-formed SVG with every layer, escaped text and no NaN coordinates")
  func chart() throws {
    var chart = SVGChart(title: "A < B & C", xLabel: "x", yLabel: "y")
    chart.addPoints(x: [0, 1, .nan], y: [0, 1, 2], color: SVGChart.palette[0], label: "points")
    chart.addLine(x: [0, 1, 2], y: [1, 0.5, 0.25], color: SVGChart.palette[1], label: "line")
    chart.addArrows(from: [(0, 0)], to: [(1, 1)], color: SVGChart.palette[2])
    chart.addMarkers(x: [0.5], y: [0.5], color: "#000000", label: "mu")
    let svg = chart.render()
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(svg.hasSuffix("</svg>"))
    #expect(svg.contains("A &lt; B &amp; C"))
    #expect(!svg.contains("nan") && !svg.contains("inf"))
    #expect(svg.components(separatedBy: "<circle").count - 1 == 2)  // the NaN point is skipped
    #expect(svg.contains("<polyline") && svg.contains("marker-end=\"url(#otkit-arrow-009E73)\""))
    #expect(svg.contains("<marker id=\"otkit-arrow-009E73\""))
    let document = try XMLDocument(xmlString: svg)
    #expect(document.rootElement()?.name == "svg")
  }

  @Test("Ticks are round numbers inside the range", arguments: [(0.0, 1.0), (-3.7, 12.2), (1e-4, 5e-4), (100.0, 100_000.0)])
  func ticks(range: (Double, Double)) {
    let ticks = SVGChart.ticks(range.0, range.1)
    #expect(ticks.count >= 3 && ticks.count <= 12)
    #expect(ticks.allSatisfy { $0 >= range.0 - 1e-12 && $0 <= range.1 + 1e-12 })
    #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test("A log axis draws only positive values")
  func logAxis() {
    var chart = SVGChart(title: "log")
    chart.logY = true
    chart.addLine(x: [0, 1, 2], y: [1, 0, 1e-3], color: "#000000")
    let svg = chart.render()
    let line = svg.components(separatedBy: "<polyline points=\"")[1].components(separatedBy: "\"")[0]
    #expect(line.split(separator: " ").count == 2)
  }

  @Test("Log axes on both sides draw only positive pairs, with ticks at powers of ten")
  func logLogAxes() throws {
    var chart = SVGChart(title: "error against depth")
    chart.logX = true
    chart.logY = true
    chart.addLine(x: [0, 1, 10, 100, 1000], y: [1, 0.5, 0.1, 0, 1e-6], color: "#000000")
    let svg = chart.render()
    let line = svg.components(separatedBy: "<polyline points=\"")[1].components(separatedBy: "\"")[0]
    #expect(line.split(separator: " ").count == 3)  // x = 0 and y = 0 are left out
    #expect(svg.contains(">100<") || svg.contains(">1e+02<"))
    #expect(try XMLDocument(xmlString: svg).rootElement()?.name == "svg")
  }

  @Test("A heat map draws one shaded cell per entry, darkest at the maximum")
  func heatMap() throws {
    let map = SVGHeatMap(title: "plan <P>", rows: 2, columns: 3, values: [0, 0.5, 1, 0.25, .nan, -1], maximum: 1)
    let svg = map.render()
    #expect(svg.components(separatedBy: "<rect").count - 1 == 7)  // six cells and the frame
    #expect(svg.contains("rgb(8,48,107)") && svg.contains("rgb(255,255,255)"))
    #expect(svg.contains("plan &lt;P&gt;"))
    #expect(try XMLDocument(xmlString: svg).rootElement()?.name == "svg")
    var report = HTMLReport(title: "maps")
    report.heatMaps([map, map], caption: "two")
    #expect(report.render().components(separatedBy: "<svg ").count - 1 == 2)
  }

  @Test("A report is one self-contained HTML file")
  func report() throws {
    var report = HTMLReport(title: "Study <1>")
    report.heading("Tables")
    report.table(header: ["model", "accuracy"], rows: [["ot", "1.000"]], caption: "accuracy")
    var chart = SVGChart(title: "c")
    chart.addPoints(x: [1, 2], y: [3, 4], color: "#000000")
    report.figures([chart, chart], caption: "two charts")
    report.code("otkit reproduce")
    let html = report.render()
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<title>Study &lt;1&gt;</title>"))
    #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
    #expect(!html.contains("http://") || !html.contains("src=\"http"))
    #expect(!html.contains("<script"))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-report-\(UUID().uuidString).html").path
    try report.write(to: path)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == html)
    #expect(throws: ReportError.self) { try report.write(to: "/nonexistent-directory/r.html") }
  }
}
