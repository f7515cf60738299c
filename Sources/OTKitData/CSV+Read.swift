import Dispatch
import Foundation
import OTKitCore

/// Reading and writing CSV files of numbers.
public enum CSV {}

extension CSV {
  /// Reads a CSV file of numbers, with an optional header and label column.
  ///
  /// Handles LF and CRLF line ends, blank lines, quoted fields (with `""` escapes and line
  /// breaks inside quotes) and blanks around numbers. Every value outside the label column
  /// must be a finite number: a missing value (an empty field, `NA`, `NaN`, ...) or text is
  /// an error naming the file, line, column and text, unless
  /// ``CSVReadOptions/dropInvalidRows`` asks to skip such rows. Large files without quotes
  /// are parsed in parallel.
  ///
  /// - Throws: ``DataError``.
  /// - Complexity: `O(file size)`.
  public static func read(_ path: String, options: CSVReadOptions = .init()) throws -> CSVTable {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
      throw DataError(.unreadable(Self.reason(error, path: path)), file: path)
    }
    return try data.withUnsafeBytes { raw in
      try parse(raw.bindMemory(to: UInt8.self), file: path, options: options)
    }
  }

  /// Parses CSV text (see ``read(_:options:)``); `file` names it in errors.
  public static func parse(
    _ text: String, file: String = "<text>", options: CSVReadOptions = .init()
  ) throws -> CSVTable {
    var text = text
    return try text.withUTF8 { try parse($0, file: file, options: options) }
  }

  static func reason(_ error: Error, path: String) -> String {
    if !FileManager.default.fileExists(atPath: path) { return "no such file" }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      return "it is a directory"
    }
    return "\(error.localizedDescription)"
  }

  /// Parses CSV bytes.
  public static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, file: String, options: CSVReadOptions = .init()
  ) throws -> CSVTable {
    guard let base = bytes.baseAddress, bytes.count > 0 else {
      throw DataError(.empty, file: file)
    }
    var reader = RecordReader(base: base, end: bytes.count, delimiter: options.delimiter, file: file)
    // Skip a UTF-8 byte-order mark.
    if bytes.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { reader.position = 3 }

    guard let first = try reader.nextRecord() else { throw DataError(.empty, file: file) }
    let firstTexts = reader.fields.map { reader.text(of: $0) }
    let hasHeader: Bool
    switch options.header {
    case .present: hasHeader = true
    case .absent: hasHeader = false
    case .auto:
      hasHeader = reader.fields.contains { field in
        if case .number = reader.number(in: field) { return false }
        return !reader.isBlank(field)
      }
    }
    let fieldCount = reader.fields.count
    let names = hasHeader ? firstTexts : (1...fieldCount).map { "column \($0)" }

    let labelIndex = try options.label.map { try resolve($0, names: names, hasHeader: hasHeader, file: file, line: first.line) }
    let featureNames = names.enumerated().filter { $0.offset != labelIndex }.map(\.element)
    let context = ChunkContext(
      fieldCount: fieldCount, labelIndex: labelIndex, names: names,
      dropInvalid: options.dropInvalidRows)

    if !hasHeader {
      // The first record is data: parse it as the start of the first chunk.
      reader.position = first.start
      reader.line = first.line
    }
    let chunks = try parseChunks(reader: reader, base: base, count: bytes.count, context: context)
    let rows = chunks.reduce(0) { $0 + $1.rows }
    guard rows > 0 else { throw DataError(.empty, file: file) }
    var values = [Double]()
    values.reserveCapacity(rows * featureNames.count)
    var labels: [String]? = labelIndex == nil ? nil : []
    var dropped: [Int] = []
    for chunk in chunks {
      values.append(contentsOf: chunk.values)
      labels?.append(contentsOf: chunk.labels)
      dropped.append(contentsOf: chunk.dropped)
    }
    return CSVTable(
      featureNames: featureNames,
      features: Matrix(rows: rows, columns: featureNames.count, elements: values),
      labelName: labelIndex.map { names[$0] }, labels: labels, hadHeader: hasHeader,
      droppedLines: dropped)
  }

  /// The column index of the label, by name (in a header) or by index (negative from the
  /// end).
  ///
  /// - Throws: ``DataError`` for an unknown name or an index out of range.
  static func resolve(_ label: CSVReadOptions.LabelColumn, names: [String], hasHeader: Bool, file: String, line: Int) throws -> Int {
    switch label {
    case .name(let name):
      guard hasHeader, let index = names.firstIndex(of: name) else {
        throw DataError(.unknownLabelColumn(name, available: hasHeader ? names : []), file: file, line: line)
      }
      return index
    case .index(let index):
      let resolved = index < 0 ? names.count + index : index
      guard resolved >= 0 && resolved < names.count else {
        throw DataError(.labelColumnOutOfRange(index, columns: names.count), file: file, line: line)
      }
      return resolved
    }
  }

  /// The data records from the reader's position to `count`: in one piece when the file
  /// has quotes or is small, else in pieces split at line ends and parsed in parallel, each
  /// numbering its lines from the newlines before it.
  static func parseChunks(reader: RecordReader, base: UnsafePointer<UInt8>, count: Int, context: ChunkContext) throws -> [Chunk] {
    let dataStart = reader.position
    let hasQuotes = memchr(base + dataStart, 0x22, count - dataStart) != nil
    let pieces = hasQuotes ? 1 : min(Parallel.threads, max(1, (count - dataStart) / (1 << 20)))
    guard pieces > 1 else { return [try parseChunk(reader: reader, end: count, context: context)] }
    var bounds = [dataStart]
    for k in 1..<pieces {
      var cut = dataStart + (count - dataStart) * k / pieces
      while cut < count && base[cut - 1] != 0x0A { cut += 1 }
      bounds.append(max(cut, bounds.last!))
    }
    bounds.append(count)
    var firstLines = [reader.line]
    for k in 1..<pieces {
      firstLines.append(firstLines[k - 1] + countNewlines(base, bounds[k - 1], bounds[k]))
    }
    var results = [Result<Chunk, Error>?](repeating: nil, count: pieces)
    let (start, cuts, lines) = (reader, bounds, firstLines)
    results.withUnsafeMutableBufferPointer { out in
      let out = UncheckedBox(out)
      DispatchQueue.concurrentPerform(iterations: pieces) { k in
        var piece = start
        piece.position = cuts[k]
        piece.line = lines[k]
        out.value[k] = Result { try parseChunk(reader: piece, end: cuts[k + 1], context: context) }
      }
    }
    return try results.map { try $0!.get() }
  }

  struct ChunkContext: Sendable {
    var fieldCount: Int
    var labelIndex: Int?
    var names: [String]
    var dropInvalid: Bool
  }

  struct Chunk: Sendable {
    var values: [Double] = []
    var labels: [String] = []
    var rows = 0
    var dropped: [Int] = []
  }

  static func parseChunk(reader: RecordReader, end: Int, context: ChunkContext) throws -> Chunk {
    var reader = reader
    reader.end = end
    var chunk = Chunk()
    let featureCount = context.fieldCount - (context.labelIndex == nil ? 0 : 1)
    chunk.values.reserveCapacity(max(0, (end - reader.position) / max(1, 4 * context.fieldCount)) * featureCount)
    while let record = try reader.nextRecord() {
      let fields = reader.fields
      guard fields.count == context.fieldCount else {
        throw DataError(
          .raggedRow(expected: context.fieldCount, found: fields.count),
          file: reader.file, line: record.line)
      }
      let mark = chunk.values.count
      var invalid: DataError? = nil
      for k in 0..<fields.count {
        let field = fields[k]
        if k == context.labelIndex {
          let label = reader.text(of: field).trimmingCharacters(in: .whitespaces)
          if label.isEmpty {
            invalid = DataError(.missingValue, file: reader.file, line: record.line, column: k + 1, columnName: context.names[k], text: "")
            break
          }
          continue
        }
        switch reader.number(in: field) {
        case .number(let value):
          chunk.values.append(value)
        case let problem:
          let kind: DataError.Kind =
            problem == .missing ? .missingValue : problem == .notFinite ? .notFinite : .notANumber
          invalid = DataError(
            kind, file: reader.file, line: record.line, column: k + 1,
            columnName: context.names[k], text: reader.text(of: field))
        }
        if invalid != nil { break }
      }
      if let invalid {
        guard context.dropInvalid else { throw invalid }
        chunk.values.removeSubrange(mark...)
        chunk.dropped.append(record.line)
        continue
      }
      if let labelIndex = context.labelIndex {
        chunk.labels.append(reader.text(of: fields[labelIndex]).trimmingCharacters(in: .whitespaces))
      }
      chunk.rows += 1
    }
    return chunk
  }

  static func countNewlines(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    var count = 0
    var p = start
    while p < end, let hit = memchr(base + p, 0x0A, end - p) {
      count += 1
      p = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
    }
    return count
  }
}

/// A mutable buffer shared by concurrent writers of disjoint elements.
struct UncheckedBox<Value>: @unchecked Sendable {
  var value: Value
  init(_ value: Value) { self.value = value }
}

/// Splits CSV bytes into records and fields (RFC 4180, with blank lines skipped).
struct RecordReader: @unchecked Sendable {
  struct Field {
    var start: Int
    var end: Int
    /// Whether the field was quoted and holds doubled quotes to undo.
    var hasEscapes: Bool
  }

  struct Record {
    var line: Int
    var start: Int
  }

  let base: UnsafePointer<UInt8>
  var end: Int
  let delimiter: UInt8
  let file: String
  var position = 0
  var line = 1
  /// The fields of the record last returned by ``nextRecord()``.
  private(set) var fields: [Field] = []

  init(base: UnsafePointer<UInt8>, end: Int, delimiter: UInt8, file: String) {
    self.base = base
    self.end = end
    self.delimiter = delimiter
    self.file = file
  }

  /// The next non-blank record, or `nil` at the end.
  mutating func nextRecord() throws -> Record? {
    while position < end {
      let start = position
      let recordLine = line
      fields.removeAll(keepingCapacity: true)
      var blank = true
      while true {
        // One field.
        var p = position
        // Blanks before an opening quote are allowed.
        var q = p
        while q < end && base[q] != delimiter && (base[q] == 0x20 || base[q] == 0x09) { q += 1 }
        if q < end && base[q] == 0x22 {
          p = q + 1
          let contentStart = p
          var escapes = false
          while true {
            guard p < end else {
              throw DataError(.unterminatedQuote, file: file, line: recordLine, column: fields.count + 1)
            }
            let byte = base[p]
            if byte == 0x22 {
              if p + 1 < end && base[p + 1] == 0x22 {
                escapes = true
                p += 2
                continue
              }
              break
            }
            if byte == 0x0A { line += 1 }
            p += 1
          }
          fields.append(Field(start: contentStart, end: p, hasEscapes: escapes))
          blank = false
          p += 1  // the closing quote
          // Blanks may follow the closing quote.
          while p < end && base[p] != delimiter && (base[p] == 0x20 || base[p] == 0x09) {
            p += 1
          }
        } else {
          let fieldStart = p
          while p < end {
            let byte = base[p]
            if byte == delimiter || byte == 0x0A || byte == 0x0D { break }
            p += 1
          }
          fields.append(Field(start: fieldStart, end: p, hasEscapes: false))
          if blank && !isBlank(fields[fields.count - 1]) { blank = false }
        }
        if p < end && base[p] == delimiter {
          position = p + 1
          blank = false
          continue
        }
        // End of the record: LF, CRLF, a lone CR, or the end of the data.
        if p < end && base[p] == 0x0D { p += 1 }
        if p < end && base[p] == 0x0A { p += 1 }
        if p < end || p == end { line += 1 }
        position = p
        break
      }
      if blank { continue }
      return Record(line: recordLine, start: start)
    }
    return nil
  }

  func isBlank(_ field: Field) -> Bool {
    var p = field.start
    while p < field.end {
      if base[p] != 0x20 && base[p] != 0x09 { return false }
      p += 1
    }
    return true
  }

  func text(of field: Field) -> String {
    let raw = String(decoding: UnsafeBufferPointer(start: base + field.start, count: field.end - field.start), as: UTF8.self)
    return field.hasEscapes ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
  }

  func number(in field: Field) -> NumberParser.Result {
    if field.hasEscapes {
      var text = text(of: field)
      return text.withUTF8 { NumberParser.parse($0.baseAddress!, 0, $0.count) }
    }
    return NumberParser.parse(base, field.start, field.end, terminated: field.end < end)
  }
}
