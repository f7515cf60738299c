import Foundation

/// A self-contained HTML report: headings, paragraphs, tables and inline SVG figures, one
/// file with no scripts and no network access, readable offline and printable.
public struct HTMLReport: Sendable {
  public var title: String
  var body: [String] = []

  public init(title: String) {
    self.title = title
  }

  /// A section heading.
  public mutating func heading(_ text: String, level: Int = 2) {
    let l = min(max(level, 1), 4)
    body.append("<h\(l)>\(escapeXML(text))</h\(l)>")
  }

  /// A paragraph of plain text.
  public mutating func paragraph(_ text: String) {
    body.append("<p>\(escapeXML(text))</p>")
  }

  /// A preformatted block (commands).
  public mutating func code(_ text: String) {
    body.append("<pre><code>\(escapeXML(text))</code></pre>")
  }

  /// A table; numbers should already be formatted.
  public mutating func table(header: [String], rows: [[String]], caption: String? = nil) {
    var s = "<table>"
    if let caption { s += "<caption>\(escapeXML(caption))</caption>" }
    s += "<thead><tr>" + header.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr></thead><tbody>"
    for row in rows { s += "<tr>" + row.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>" }
    s += "</tbody></table>"
    body.append(s)
  }

  /// Figures side by side (they wrap on narrow screens).
  public mutating func figures(_ charts: [SVGChart], caption: String? = nil) {
    var s = "<figure><div class=\"row\">" + charts.map { $0.render() }.joined(separator: "\n") + "</div>"
    if let caption { s += "<figcaption>\(escapeXML(caption))</figcaption>" }
    s += "</figure>"
    body.append(s)
  }

  /// Heat maps side by side (they wrap on narrow screens).
  public mutating func heatMaps(_ maps: [SVGHeatMap], caption: String? = nil) {
    var s = "<figure><div class=\"row\">" + maps.map { $0.render() }.joined(separator: "\n") + "</div>"
    if let caption { s += "<figcaption>\(escapeXML(caption))</figcaption>" }
    s += "</figure>"
    body.append(s)
  }

  /// The HTML document.
  public func render() -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escapeXML(title))</title>
    <style>
    body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1120px; color: #222; padding: 0 16px; }
    h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; }
    table { border-collapse: collapse; margin: 10px 0; font-size: 13px; }
    th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
    th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
    caption { text-align: left; font-size: 12px; color: #555; padding-bottom: 4px; }
    figure { margin: 12px 0; } .row { display: flex; flex-wrap: wrap; gap: 8px; }
    figcaption { font-size: 12px; color: #555; max-width: 1060px; }
    pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
    .meta { color: #666; font-size: 12px; }
    </style></head><body>
    <h1>\(escapeXML(title))</h1>
    \(body.joined(separator: "\n"))
    </body></html>

    """
  }

  /// Writes the document.
  public func write(to path: String) throws {
    do {
      try render().write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw ReportError(path: path, reason: error.localizedDescription)
    }
  }
}

/// A report that cannot be written.
public struct ReportError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { "\(path): cannot write the report: \(reason)" }
}
