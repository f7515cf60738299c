import Foundation

/// A report: headings, paragraphs, tables and figures, written once and rendered three
/// ways: as text for the terminal (``text()``), as one self-contained HTML file with inline
/// SVG figures (``render()``, ``write(to:)``), and, beside it, the JSON payload of the
/// result it was built from (see `OTKitExperiments`' reproductions).
///
/// The HTML has no scripts and needs no network; it is readable offline and printable.
/// The text leaves out the figures and keeps everything else in order.
public struct Report: Sendable {
  /// One piece of a report, in order.
  public enum Block: Sendable {
    case heading(String, level: Int)
    case paragraph(String)
    case code(String)
    case table(header: [String], rows: [[String]], caption: String?)
    case figures([SVGChart], caption: String?)
    case heatMaps([SVGHeatMap], caption: String?)
  }

  public var title: String
  /// The blocks, in order.
  public private(set) var blocks: [Block] = []

  public init(title: String) {
    self.title = title
  }

  /// A section heading (level 1 to 4).
  public mutating func heading(_ text: String, level: Int = 2) {
    blocks.append(.heading(text, level: min(max(level, 1), 4)))
  }

  /// A paragraph of plain text.
  public mutating func paragraph(_ text: String) {
    blocks.append(.paragraph(text))
  }

  /// A preformatted block (commands).
  public mutating func code(_ text: String) {
    blocks.append(.code(text))
  }

  /// A table; numbers should already be formatted (``NumberFormat``).
  public mutating func table(header: [String], rows: [[String]], caption: String? = nil) {
    blocks.append(.table(header: header, rows: rows, caption: caption))
  }

  /// Figures side by side (they wrap on narrow screens; the text leaves them out).
  public mutating func figures(_ charts: [SVGChart], caption: String? = nil) {
    blocks.append(.figures(charts, caption: caption))
  }

  /// Heat maps side by side (they wrap on narrow screens; the text leaves them out).
  public mutating func heatMaps(_ maps: [SVGHeatMap], caption: String? = nil) {
    blocks.append(.heatMaps(maps, caption: caption))
  }

  /// Appends another report's blocks (its title is dropped).
  public mutating func append(_ other: Report) {
    blocks += other.blocks
  }

  /// The SVG documents of the report's figures and heat maps, in order, each with its
  /// title: what `docs/papers/` embeds.
  public var svgFigures: [(title: String, svg: String)] {
    blocks.flatMap { block -> [(title: String, svg: String)] in
      switch block {
      case .figures(let charts, _): charts.map { ($0.title, $0.render()) }
      case .heatMaps(let maps, _): maps.map { ($0.title, $0.render()) }
      default: []
      }
    }
  }
}

/// The former name of ``Report``.
public typealias HTMLReport = Report

/// A report that cannot be written.
public struct ReportError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { "\(path): \(reason)" }
}
