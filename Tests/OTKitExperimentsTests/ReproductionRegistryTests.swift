import Foundation
import OTKitExperiments
import OTKitReport
import OTKitTestSupport
import Testing

@Suite("The registry of reproductions")
struct ReproductionRegistryTests {
  /// The quick options of a reproduction: the shared data files where it reads one.
  static func options(_ experiment: Experiment) -> [(name: String, value: String)]? {
    switch experiment {
    case .beed: TestConditions.beedPath.map { [("data", $0)] }
    case .routing: TestConditions.digitsPath.map { [("data", $0)] }
    default: []
    }
  }

  @Test("every registered reproduction runs its quick settings and gives text, HTML and one JSON envelope", arguments: Experiment.allCases)
  func quick(_ experiment: Experiment) throws {
    guard let options = Self.options(experiment) else { return }  // the shared data is absent (noted once)
    let output = try experiment.prepare(options: options, quick: true).run()
    let text = output.report.text()
    #expect(text.contains("--  "), "a table in the text of \(experiment.rawValue)")
    let html = output.report.render()
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<table>") && html.hasSuffix("</html>\n"))
    let line = output.envelope.serialized()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["experiment"] as? String == experiment.rawValue)
    #expect((object["paper"] as? [String: Any])?["title"] as? String == experiment.paper.title)
    #expect(object["seconds"] is Double || object["seconds"] is Int)
    #expect(object["result"] != nil && !(object["result"] is NSNull))
    #expect(object["settings"] as? [String: Any] != nil)
  }

  @Test("names, papers and options: every case is reachable by its name and its options are its settings'")
  func registry() throws {
    for experiment in Experiment.allCases {
      #expect(Experiment(name: experiment.rawValue) == experiment)
      #expect(!experiment.summary.isEmpty && !experiment.paper.title.isEmpty)
      #expect(Set(experiment.options.map(\.name)).count == experiment.options.count, "options named once")
    }
    #expect(Experiment(name: "mnist") == nil)
    #expect(Set(Experiment.taking("data")) == [.beed, .routing])
  }

  @Test("options: a value is checked with the option named, an option of another reproduction says where it applies")
  func options() throws {
    #expect(throws: ReproductionError.invalid(option: "epochs", message: "--epochs must be an integer from 1 to 1000000 (got 0)")) {
      try Experiment.synthetic.prepare(options: [("epochs", "0")])
    }
    do {
      _ = try Experiment.synthetic.prepare(options: [("lengths", "8")])
      Issue.record("--lengths was taken by synthetic")
    } catch let error as ReproductionError {
      #expect(error.description.contains("--lengths applies to the sorting experiment"))
    }
    do {
      _ = try Experiment.sorting.prepare(options: [("full-grid", "true"), ("lengths", "8")])
      Issue.record("--full-grid and --lengths together")
    } catch let error as ReproductionError {
      #expect(error.description.contains("--full-grid"))
    }
    let prepared = try Experiment.sorting.prepare(options: [("lengths", "4,8"), ("gamma-ratio", "0.25")])
    guard case .object(let settings) = prepared.settings else { Issue.record("settings are not an object"); return }
    #expect(settings["lengths"] == .array([.number(4), .number(8)]) && settings["gammaRatio"] == .array([.number(0.25)]))
  }

  @Test("a report renders the same blocks as text (no figures) and as HTML (with them)")
  func reportRenderings() {
    var report = Report(title: "T")
    report.heading("Section")
    report.paragraph("Words & more")
    report.table(header: ["a", "bb"], rows: [["1", "2"]], caption: "cap")
    var chart = SVGChart(title: "C")
    chart.addLine(x: [0, 1], y: [0, 1], color: "#000")
    report.figures([chart])
    #expect(report.text() == "Section\n=======\n\nWords & more\n\na  bb\n-  --\n1  2 \n(cap)")
    let html = report.render()
    #expect(html.contains("<h2>Section</h2>") && html.contains("<p>Words &amp; more</p>") && html.contains("<caption>cap</caption>") && html.contains("<svg"))
    #expect(report.svgFigures.count == 1)
  }

  @Test("one number format: fixed, scientific, general, and one convention for values that are not finite")
  func numberFormat() {
    #expect(NumberFormat.fixed(0.12345, 3) == "0.123")
    #expect(NumberFormat.scientific(12345, 2) == "1.23e+04")
    #expect(NumberFormat.general(0.5) == "0.5")
    #expect(NumberFormat.fixed(.nan, 3) == "-" && NumberFormat.scientific(.infinity, 1) == "inf" && NumberFormat.general(-.infinity) == "-inf")
  }
}
