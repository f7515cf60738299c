extension Report {
  /// The report as plain text for a terminal: headings underlined, paragraphs, commands
  /// indented, tables with aligned columns (``TextTable``) and their captions; figures are
  /// left out (the HTML has them).
  ///
  /// - Complexity: linear in the size of the blocks.
  public func text() -> String {
    var parts: [String] = []
    for block in blocks {
      switch block {
      case .heading(let text, let level):
        parts.append(text + "\n" + String(repeating: level <= 2 ? "=" : "-", count: text.count))
      case .paragraph(let text): parts.append(text)
      case .code(let text): parts.append("    " + text)
      case .table(let header, let rows, let caption):
        parts.append(TextTable(header: header, rows: rows).render() + (caption.map { "\n(" + $0 + ")" } ?? ""))
      case .figures, .heatMaps: continue
      }
    }
    return parts.joined(separator: "\n\n")
  }
}
