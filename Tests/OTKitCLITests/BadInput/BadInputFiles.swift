import Foundation

/// The bytes of bad (and good) input files for the bad-input matrix.
enum BadFiles {
  /// An NPY file whose header is `header` verbatim (version `major`), followed by `data`.
  static func npy(header: String, data: [UInt8] = [], major: UInt8 = 1) -> [UInt8] {
    var text = Array(header.utf8)
    let preamble = major == 1 ? 10 : 12
    while (preamble + text.count + 1) % 64 != 0 { text.append(0x20) }
    text.append(0x0A)
    var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0]
    if major == 1 {
      bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
    } else {
      bytes += [UInt8(text.count & 0xFF), UInt8((text.count >> 8) & 0xFF), UInt8((text.count >> 16) & 0xFF), UInt8(text.count >> 24)]
    }
    return bytes + text + data
  }

  /// A well-formed float64 NPY file (the shape is written as given, even when it does not
  /// match the values).
  static func npy(shape: [Int], values: [Double], descr: String = "<f8", fortran: Bool = false, major: UInt8 = 1) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var data: [UInt8] = []
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
    return npy(header: "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }", data: data, major: major)
  }

  /// Pseudo-random bytes (a fixed seed): binary garbage with NULs and invalid UTF-8.
  static func garbage(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
  }

  /// A CSV text of `rows` labeled rows of two well-separated classes in columns `a, b`.
  static func labeled(rows: Int, labelName: String = "label", labels: [String] = ["x", "y"]) -> String {
    var lines = ["a,b,\(labelName)"]
    var state: UInt64 = 7
    for i in 0..<rows {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      let noise = Double(state >> 11) / Double(1 << 53)
      let c = i % labels.count
      lines.append("\(Double(c) * 3 + noise),\(noise * 0.5),\(labels[c])")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// One way a CSV file can be bad, applied to a good file of a slot.
struct CSVDefect: Sendable {
  var name: String
  /// The fragment the message must hold (besides the file's name).
  var fragment: String?
  /// The bad bytes made from the good text's lines.
  var make: @Sendable ([String]) -> [UInt8]

  /// A row like the last good one with its first field replaced.
  static func replacingFirstField(_ lines: [String], with value: String) -> [UInt8] {
    var fields = lines.last!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    fields[0] = value
    return Array((lines + [fields.joined(separator: ",")]).joined(separator: "\n").utf8) + [0x0A]
  }

  static let all: [CSVDefect] = [
    CSVDefect(name: "empty file", fragment: "holds no data rows") { _ in [] },
    CSVDefect(name: "header only", fragment: "holds no data rows") { Array(($0[0] + "\n").utf8) },
    CSVDefect(name: "ragged row", fragment: "fields where the first row has") { lines in
      Array((lines + [lines.last! + ",9"]).joined(separator: "\n").utf8)
    },
    CSVDefect(name: "not a number", fragment: "\"abc\" is not a number") { replacingFirstField($0, with: "abc") },
    CSVDefect(name: "NA marker", fragment: "marks a missing value") { replacingFirstField($0, with: "NA") },
    CSVDefect(name: "empty field", fragment: "the value is missing") { replacingFirstField($0, with: "") },
    CSVDefect(name: "infinity", fragment: "is not a finite number") { replacingFirstField($0, with: "inf") },
    CSVDefect(name: "overflowing number", fragment: "is not a finite number") { replacingFirstField($0, with: "1e400") },
    CSVDefect(name: "hexadecimal", fragment: "\"0x10\" is not a number") { replacingFirstField($0, with: "0x10") },
    CSVDefect(name: "unterminated quote", fragment: "a quoted field is not closed") { replacingFirstField($0, with: "\"3") },
    CSVDefect(name: "binary garbage", fragment: nil) { _ in BadFiles.garbage(count: 300, seed: 3) },
    CSVDefect(name: "10 MB number", fragment: "is not a finite number") { replacingFirstField($0, with: String(repeating: "9", count: 10_000_000)) },
    CSVDefect(name: "number with two points", fragment: "\"1.2.3\" is not a number") { replacingFirstField($0, with: "1.2.3") },
  ]
}

/// One way an NPY file can be bad.
struct NPYDefect: Sendable {
  var name: String
  var fragment: String
  /// The bad bytes for a slot whose good array has the given shape.
  var make: @Sendable ([Int]) -> [UInt8]

  init(name: String, fragment: String, bytes: [UInt8]) {
    self.name = name
    self.fragment = fragment
    make = { _ in bytes }
  }

  init(name: String, fragment: String, make: @escaping @Sendable ([Int]) -> [UInt8]) {
    self.name = name
    self.fragment = fragment
    self.make = make
  }

  /// A good array of `shape` with one value replaced.
  static func poisoned(_ shape: [Int], _ value: Double) -> [UInt8] {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Double($0 % 7) * 0.25 + 0.5 }
    values[count / 2] = value
    return BadFiles.npy(shape: shape, values: values)
  }

  static let all: [NPYDefect] = [
    NPYDefect(name: "no magic", fragment: "does not start with the NPY magic string", bytes: Array("x,y\n0,0\n".utf8)),
    NPYDefect(name: "truncated preamble", fragment: "does not start with the NPY magic string", bytes: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1]),
    NPYDefect(
      name: "header longer than the file", fragment: "the header is longer than the file",
      bytes: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x7F] + Array("{'descr': '<f8'}".utf8)),
    NPYDefect(name: "header not a dictionary", fragment: "the header is not a dictionary", bytes: BadFiles.npy(header: "descr <f8")),
    NPYDefect(name: "no descr", fragment: "has no 'descr'", bytes: BadFiles.npy(header: "{'fortran_order': False, 'shape': (2, 2), }")),
    NPYDefect(name: "complex dtype", fragment: "dtype '<c16'", bytes: BadFiles.npy(shape: [2, 2], values: [0, 0, 0, 0, 0, 0, 0, 0], descr: "<c16")),
    NPYDefect(name: "big endian", fragment: "big-endian", bytes: BadFiles.npy(shape: [2, 2], values: [0, 0, 0, 0], descr: ">f8")),
    NPYDefect(name: "Fortran order", fragment: "Fortran order", bytes: BadFiles.npy(shape: [2, 2], values: [0, 0, 0, 0], fortran: true)),
    NPYDefect(name: "format version 9", fragment: "format version 9", bytes: BadFiles.npy(shape: [2, 2], values: [0, 0, 0, 0], major: 9)),
    NPYDefect(name: "huge shape", fragment: "(4294967296, 4294967296)", bytes: BadFiles.npy(shape: [4_294_967_296, 4_294_967_296], values: [1, 2])),
    NPYDefect(name: "overflowing shape", fragment: "(9223372036854775807, 4)", bytes: BadFiles.npy(shape: [Int.max, 4], values: [1, 2])),
    NPYDefect(name: "truncated data", fragment: "the data are truncated", bytes: BadFiles.npy(shape: [3, 2], values: [1, 2, 3, 4, 5])),
    NPYDefect(name: "negative shape", fragment: "no valid 'shape'", bytes: BadFiles.npy(shape: [-1, 2], values: [1, 2])),
    NPYDefect(name: "NaN value", fragment: "not a finite number") { poisoned($0, .nan) },
    NPYDefect(name: "infinite value", fragment: "not a finite number") { poisoned($0, -.infinity) },
  ]
}
