/// An error in a user's data file, naming the file and, where it applies, the line, the
/// column and the offending text.
public struct DataError: Error, Equatable, CustomStringConvertible, Sendable {
  /// What went wrong.
  public enum Kind: Equatable, Sendable {
    /// The file does not exist or cannot be read.
    case unreadable(String)
    /// The file holds no data rows.
    case empty
    /// A row has a different number of fields than the first row.
    case raggedRow(expected: Int, found: Int)
    /// A field is not a number.
    case notANumber
    /// A field is empty or a missing-value marker (`NA`, `NaN`, `null`, ...).
    case missingValue
    /// A number is infinite or overflows `Double`.
    case notFinite
    /// A quoted field is not closed before the end of the file.
    case unterminatedQuote
    /// The label column named by the user is not in the header.
    case unknownLabelColumn(String, available: [String])
    /// The label column index is outside the row.
    case labelColumnOutOfRange(Int, columns: Int)
    /// An NPY file is malformed; the text says how.
    case malformedNPY(String)
    /// An NPY file uses a layout OTKit does not read; the text says which.
    case unsupportedNPY(String)
    /// Arrays that must agree in shape do not.
    case shapeMismatch(String)
    /// Any other problem with the data; the text says what.
    case invalid(String)
    /// The table has no label column where one is needed.
    case noLabelColumn
    /// Fewer classes than asked for (or fewer than two asked for).
    case classCount(requested: Int, available: [String])
    /// A token size that does not divide the feature columns.
    case tokenSize(Int, columns: Int)
  }

  /// The command-line options a message may point to. The library's own ``description``
  /// names none; the `otkit` tool passes its flags (``description(hints:)``).
  public struct OptionHints: Sendable {
    /// The option that skips invalid rows (`--drop-invalid`).
    public var dropInvalid: String?
    /// The option that names the label column (`--label`).
    public var label: String?
    /// The option that sets the number of classes (`--classes`).
    public var classes: String?
    /// The option that sets the token size (`--token-dim`).
    public var tokenDimension: String?

    public init(dropInvalid: String? = nil, label: String? = nil, classes: String? = nil, tokenDimension: String? = nil) {
      self.dropInvalid = dropInvalid
      self.label = label
      self.classes = classes
      self.tokenDimension = tokenDimension
    }
  }

  public var kind: Kind
  /// The file's path as the user gave it.
  public var file: String
  /// The 1-based line of a text file, when known.
  public var line: Int?
  /// The 1-based column (field) of a text file, when known.
  public var column: Int?
  /// The column's name from the header, when there is one.
  public var columnName: String?
  /// The offending text, when there is one.
  public var text: String?

  public init(
    _ kind: Kind, file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
    text: String? = nil
  ) {
    self.kind = kind
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
    self.text = text
  }

  public var description: String { description(hints: OptionHints()) }

  /// The message, pointing to the given options where they would fix the problem.
  public func description(hints: OptionHints) -> String {
    var place = file
    if let line { place += ", line \(line)" }
    if let column {
      place += ", column \(column)"
      if let columnName { place += " (\(columnName))" }
    }
    let quoted = text.map { "\"\($0.count > 60 ? String($0.prefix(57)) + "..." : $0)\"" } ?? ""
    let problem: String
    switch kind {
    case .unreadable(let reason): problem = "cannot be read: \(reason)"
    case .empty: problem = "holds no data rows"
    case .raggedRow(let expected, let found):
      problem = "has \(found) fields where the first row has \(expected)"
    case .notANumber: problem = "\(quoted) is not a number"
    case .missingValue:
      problem = (text?.isEmpty ?? true ? "the value is missing" : "\(quoted) marks a missing value")
        + (hints.dropInvalid.map { " (use \($0) to skip such rows)" } ?? "")
    case .notFinite: problem = "\(quoted) is not a finite number"
    case .unterminatedQuote: problem = "a quoted field is not closed"
    case .unknownLabelColumn(let name, let available):
      problem =
        available.isEmpty
        ? "has no header, so there is no column named \"\(name)\" (give the column's index instead)"
        : "has no column \"\(name)\"; columns: \(available.joined(separator: ", "))"
    case .labelColumnOutOfRange(let index, let columns):
      problem = "has no column \(index) (rows have \(columns) columns, numbered from 0)"
    case .malformedNPY(let reason): problem = "is not a valid NPY file: \(reason)"
    case .unsupportedNPY(let reason): problem = "uses an unsupported NPY layout: \(reason)"
    case .shapeMismatch(let reason): problem = "has the wrong shape: \(reason)"
    case .invalid(let reason): problem = reason
    case .noLabelColumn: problem = "has no label column" + (hints.label.map { " (choose one with \($0))" } ?? "")
    case .classCount(let requested, let available) where requested < 2:
      problem = "\(hints.classes ?? "the number of classes") must be at least 2, got \(requested)"
      _ = available
    case .classCount(let requested, let available):
      problem = "has \(available.count) classes (\(available.joined(separator: ", "))), fewer than "
        + (hints.classes.map { "\($0) \(requested)" } ?? "the \(requested) asked for")
    case .tokenSize(let size, let columns):
      problem = "has the wrong shape: \(hints.tokenDimension.map { "\($0) \(size)" } ?? "a token size of \(size)") does not divide the \(columns) feature columns"
    }
    return "\(place): \(problem)"
  }
}
