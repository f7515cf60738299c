import Foundation
import OTKitCore

extension Report {
  /// The HTML document.
  ///
  /// - Complexity: linear in the size of the blocks.
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
    \(blocks.map(Self.html).joined(separator: "\n"))
    </body></html>

    """
  }

  /// Writes the HTML document atomically (`AtomicFile`: a temporary file beside it, then
  /// a rename).
  public func write(to path: String) throws {
    do {
      try AtomicFile.write(render(), to: path)
    } catch let error as AtomicFileError {
      throw ReportError(path: path, reason: "cannot write the report: \(error.reason)")
    }
  }

  /// Writes each figure as `FOLDER/PREFIX-k.svg` (k from 1, atomically; the folder is
  /// made when missing) and returns the paths.
  ///
  /// - Throws: ``ReportError`` naming the folder.
  @discardableResult
  public func writeFigures(to folder: String, prefix: String) throws -> [String] {
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      return try svgFigures.enumerated().map { k, figure in
        let path = (folder as NSString).appendingPathComponent("\(prefix)-\(k + 1).svg")
        try AtomicFile.write(figure.svg, to: path)
        return path
      }
    } catch {
      throw ReportError(path: folder, reason: "cannot write the figures: \((error as? AtomicFileError)?.reason ?? error.localizedDescription)")
    }
  }

  static func html(_ block: Block) -> String {
    switch block {
    case .heading(let text, let level): return "<h\(level)>\(escapeXML(text))</h\(level)>"
    case .paragraph(let text): return "<p>\(escapeXML(text))</p>"
    case .code(let text): return "<pre><code>\(escapeXML(text))</code></pre>"
    case .table(let header, let rows, let caption):
      var s = "<table>"
      if let caption { s += "<caption>\(escapeXML(caption))</caption>" }
      s += "<thead><tr>" + header.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr></thead><tbody>"
      for row in rows { s += "<tr>" + row.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>" }
      return s + "</tbody></table>"
    case .figures(let charts, let caption): return figure(charts.map { $0.render() }, caption: caption)
    case .heatMaps(let maps, let caption): return figure(maps.map { $0.render() }, caption: caption)
    }
  }

  static func figure(_ svgs: [String], caption: String?) -> String {
    var s = "<figure><div class=\"row\">" + svgs.joined(separator: "\n") + "</div>"
    if let caption { s += "<figcaption>\(escapeXML(caption))</figcaption>" }
    return s + "</figure>"
  }
}
