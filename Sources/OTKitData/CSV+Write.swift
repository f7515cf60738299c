import Foundation
import OTKitCore

extension CSV {
  /// Formats a matrix as CSV text: an optional header, then one line per row, numbers in
  /// the shortest form that reads back to the same value, and an optional label column
  /// last. Names and labels that hold a delimiter, quote or line break are quoted.
  ///
  /// - Complexity: `O(rows * columns)`.
  public static func format<T: MatrixScalar>(
    _ matrix: Matrix<T>, header: [String]? = nil, labels: [String]? = nil,
    labelName: String = "label"
  ) -> String {
    if let header { precondition(header.count == matrix.columns, "\(header.count) names for \(matrix.columns) columns") }
    if let labels { precondition(labels.count == matrix.rows, "\(labels.count) labels for \(matrix.rows) rows") }
    var out = ""
    out.reserveCapacity(matrix.count * 12)
    if let header {
      out += (header + (labels == nil ? [] : [labelName])).map(quoted).joined(separator: ",")
      out += "\n"
    }
    matrix.withUnsafeBufferPointer { p in
      for i in 0..<matrix.rows {
        for j in 0..<matrix.columns {
          if j > 0 { out += "," }
          out += "\(p[i * matrix.columns + j])"
        }
        if let labels {
          if matrix.columns > 0 { out += "," }
          out += quoted(labels[i])
        }
        out += "\n"
      }
    }
    return out
  }

  /// Writes a matrix as a CSV file (see ``format(_:header:labels:labelName:)``).
  ///
  /// - Throws: ``DataError`` when the file cannot be written.
  public static func write<T: MatrixScalar>(
    _ matrix: Matrix<T>, to path: String, header: [String]? = nil, labels: [String]? = nil,
    labelName: String = "label"
  ) throws {
    let text = format(matrix, header: header, labels: labels, labelName: labelName)
    do {
      try AtomicFile.write(text, to: path)
    } catch let error as AtomicFileError {
      throw DataError(.unreadable(error.reason), file: path)
    }
  }

  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
