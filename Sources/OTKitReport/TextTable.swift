import Foundation

/// A plain-text table with aligned columns, for terminals.
public struct TextTable: Sendable {
  public var header: [String]
  public var rows: [[String]]

  public init(header: [String], rows: [[String]]) {
    self.header = header
    self.rows = rows
  }

  /// The header, a rule of dashes and the rows, each column padded to its widest cell.
  ///
  /// - Complexity: O(cells).
  public func render() -> String {
    let widths = header.indices.map { j in ([header[j]] + rows.map { j < $0.count ? $0[j] : "" }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { j, c in j < widths.count ? c.padding(toLength: widths[j], withPad: " ", startingAt: 0) : c }.joined(separator: "  ")
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
  }
}
