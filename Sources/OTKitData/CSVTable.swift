import OTKitCore

/// A numeric table read from a CSV file: the feature columns as a matrix and, when a label
/// column was chosen, the labels as text.
public struct CSVTable: Sendable, Equatable {
  /// The names of the feature columns: from the header, or `column 1`, `column 2`, ...
  public var featureNames: [String]
  /// The feature values, one row per data row of the file.
  public var features: Matrix<Double>
  /// The label column's name (from the header, or `column k`), when one was chosen.
  public var labelName: String?
  /// The labels, one per row, as written in the file, when a label column was chosen.
  public var labels: [String]?
  /// Whether the file had a header row.
  public var hadHeader: Bool
  /// The 1-based line numbers of rows skipped because a value was missing or not a number
  /// (only with ``CSVReadOptions/dropInvalidRows``).
  public var droppedLines: [Int]

  public init(
    featureNames: [String], features: Matrix<Double>, labelName: String? = nil,
    labels: [String]? = nil, hadHeader: Bool = true, droppedLines: [Int] = []
  ) {
    self.featureNames = featureNames
    self.features = features
    self.labelName = labelName
    self.labels = labels
    self.hadHeader = hadHeader
    self.droppedLines = droppedLines
  }

  /// The number of data rows.
  public var rowCount: Int { features.rows }
}

/// How to read a CSV file.
public struct CSVReadOptions: Sendable, Equatable {
  /// Whether the first non-blank line is a header.
  public enum Header: Sendable, Equatable {
    /// A header when some field of the first line is not a number.
    case auto
    case present
    case absent
  }

  /// The column that holds the labels.
  public enum LabelColumn: Sendable, Equatable {
    /// By header name.
    case name(String)
    /// By 0-based index; negative counts from the end (`-1` is the last column).
    case index(Int)
  }

  public var header: Header
  public var label: LabelColumn?
  /// The field separator (a single ASCII character).
  public var delimiter: UInt8
  /// Skip rows with a missing or non-numeric value instead of failing.
  public var dropInvalidRows: Bool

  public init(
    header: Header = .auto, label: LabelColumn? = nil, delimiter: Character = ",",
    dropInvalidRows: Bool = false
  ) {
    precondition(delimiter.isASCII && delimiter != "\"" && !delimiter.isNewline, "delimiter must be an ASCII character other than a quote or newline")
    self.header = header
    self.label = label
    self.delimiter = delimiter.asciiValue!
    self.dropInvalidRows = dropInvalidRows
  }
}

extension CSVReadOptions.LabelColumn {
  /// Reads `"y"` as a name and `"3"` or `"-1"` as an index, as the CLI's `--label` does.
  public init(parsing text: String) {
    if let index = Int(text) { self = .index(index) } else { self = .name(text) }
  }
}
