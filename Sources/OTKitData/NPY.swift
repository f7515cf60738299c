import Foundation
import OTKitCore

/// Reading and writing NumPy's `.npy` files, so arrays move to and from NumPy and PyTorch.
///
/// Format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
/// Read: versions 1.0, 2.0 and 3.0; dtypes `float64`, `float32`, `int64`, `int32`;
/// C order; little endian (or byte-order free). Fortran order, big endian and other dtypes
/// are rejected with a ``DataError`` that names them. Written: version 1.0, C order, little
/// endian, the header padded so that the data start at a multiple of 64 bytes.
public enum NPY {
  /// The element types OTKit reads and writes.
  public enum DType: String, Sendable, CaseIterable {
    case float64 = "<f8"
    case float32 = "<f4"
    case int64 = "<i8"
    case int32 = "<i4"

    var size: Int {
      switch self {
      case .float64, .int64: 8
      case .float32, .int32: 4
      }
    }
  }

  /// An array read from an NPY file: its shape, its dtype and its values as `Double`.
  public struct Array: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: DType
    /// The values in C (row-major) order, converted to `Double` (exact for float32, int32
    /// and int64 values up to 2^53 in magnitude).
    public var values: [Double]

    public init(shape: [Int], dtype: DType, values: [Double]) {
      self.shape = shape
      self.dtype = dtype
      self.values = values
    }
  }

  /// Reads an NPY file.
  ///
  /// - Throws: ``DataError``; `MemoryError` when its values (16 bytes each, in `Double` and a
  ///   matrix's copy) do not fit in the memory OTKit may use.
  public static func read(_ path: String) throws -> Array {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw DataError(.unreadable(CSV.reason(error, path: path)), file: path)
    }
    return try parse(data, file: path)
  }

  /// Reads a 2-D array (or a 1-D array as one column) as a matrix.
  ///
  /// - Throws: ``DataError``, also when the array has more than two dimensions.
  public static func readMatrix<T: MatrixScalar>(_ path: String, as _: T.Type = Double.self) throws -> Matrix<T> {
    let array = try read(path)
    switch array.shape.count {
    case 0: return Matrix(rows: 1, columns: 1, elements: array.values.map { T($0) })
    case 1: return Matrix(rows: array.shape[0], columns: 1, elements: array.values.map { T($0) })
    case 2:
      return Matrix(rows: array.shape[0], columns: array.shape[1], elements: array.values.map { T($0) })
    default:
      throw DataError(.shapeMismatch("a matrix needs 1 or 2 dimensions, the array has shape \(array.shape)"), file: path)
    }
  }

  /// Parses the bytes of an NPY file; `file` names it in errors.
  ///
  /// - Throws: ``DataError``, or `MemoryError` as ``read(_:)``.
  public static func parse(_ data: Data, file: String = "<data>") throws -> Array {
    func malformed(_ reason: String) -> DataError { DataError(.malformedNPY(reason), file: file) }
    let bytes = [UInt8](data)
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    guard bytes.count >= 10, Swift.Array(bytes[0..<6]) == magic else {
      throw malformed("it does not start with the NPY magic string")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw malformed("the file is truncated in its preamble") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw DataError(.unsupportedNPY("format version \(major).\(bytes[7])"), file: file)
    }
    guard headerStart + headerLength <= bytes.count else {
      throw malformed("the header is longer than the file")
    }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    let fields = try HeaderDictionary(header, file: file)
    guard let descr = fields.string("descr") else { throw malformed("the header has no 'descr'") }
    guard let fortran = fields.bool("fortran_order") else {
      throw malformed("the header has no 'fortran_order'")
    }
    guard let shape = fields.shape() else { throw malformed("the header has no valid 'shape'") }
    if fortran {
      throw DataError(.unsupportedNPY("Fortran order (save a C-ordered copy: np.ascontiguousarray)"), file: file)
    }
    let normalized = descr.replacingOccurrences(of: "|", with: "<").replacingOccurrences(of: "=", with: "<")
    guard let dtype = DType(rawValue: normalized) else {
      if descr.hasPrefix(">") {
        throw DataError(.unsupportedNPY("big-endian dtype '\(descr)' (convert with arr.astype(arr.dtype.newbyteorder('<')))"), file: file)
      }
      throw DataError(.unsupportedNPY("dtype '\(descr)'; OTKit reads float64, float32, int64 and int32"), file: file)
    }
    let dataStart = headerStart + headerLength
    let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    // Checked: a header may declare any shape; nothing is allocated before the file is
    // known to hold it.
    guard let count = checkedProduct(shape), case (let byteCount, false) = count.multipliedReportingOverflow(by: dtype.size) else {
      throw malformed("the shape \(shapeText) holds more values than can be addressed")
    }
    guard bytes.count - dataStart >= byteCount else {
      throw malformed("the data are truncated: the shape \(shapeText) of \(dtype.size)-byte values needs \(byteCount) bytes, the file has \(bytes.count - dataStart)")
    }
    // The values in Double and a matrix's copy of them: refused before they are allocated
    // when they do not fit (the file's bytes are already read).
    try MemoryBudget.check(
      MemoryBudget.bytes(2, count), for: "the \(count) values of \(file)",
      wayOut: "a smaller file (fewer points, or a sample of them)")
    var values = [Double](repeating: 0, count: count)
    bytes.withUnsafeBytes { raw in
      let base = raw.baseAddress! + dataStart
      switch dtype {
      case .float64:
        for i in 0..<count { values[i] = Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
      case .float32:
        for i in 0..<count { values[i] = Double(Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))) }
      case .int64:
        for i in 0..<count { values[i] = Double(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
      case .int32:
        for i in 0..<count { values[i] = Double(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
      }
    }
    return Array(shape: shape, dtype: dtype, values: values)
  }

  /// The product of `dimensions`, or nil when it overflows `Int`.
  static func checkedProduct(_ dimensions: [Int]) -> Int? {
    var product = 1
    for d in dimensions {
      let (p, overflow) = product.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      product = p
    }
    return product
  }

  /// The bytes of an NPY file holding `values` with the given shape and dtype.
  public static func encode(shape: [Int], dtype: DType, values: [Double]) -> Data {
    precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
    var data = header(shape: shape, dtype: dtype)
    var payload = [UInt8](repeating: 0, count: values.count * dtype.size)
    payload.withUnsafeMutableBytes { raw in
      for (i, v) in values.enumerated() {
        switch dtype {
        case .float64: raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
        case .float32: raw.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
        case .int64: raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: 8 * i, as: Int64.self)
        case .int32: raw.storeBytes(of: Int32(v).littleEndian, toByteOffset: 4 * i, as: Int32.self)
        }
      }
    }
    data.append(contentsOf: payload)
    return data
  }

  /// The magic string, version and padded header dictionary of a file (a multiple of 64
  /// bytes).
  static func header(shape: [Int], dtype: DType) -> Data {
    let shapeText: String
    switch shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(shape[0]),)"
    default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = UInt16(header.utf8.count)
    data.append(UInt8(length & 0xFF))
    data.append(UInt8(length >> 8))
    data.append(contentsOf: Swift.Array(header.utf8))
    return data
  }

  /// Writes an array.
  ///
  /// - Throws: ``DataError`` when the file cannot be written.
  public static func write(_ array: Array, to path: String) throws {
    let data = encode(shape: array.shape, dtype: array.dtype, values: array.values)
    do {
      try AtomicFile.write(data, to: path)
    } catch let error as AtomicFileError {
      throw DataError(.unreadable(error.reason), file: path)
    }
  }

  /// Writes a matrix as a 2-D array of its own scalar type (`float64` or `float32`).
  public static func write<T: MatrixScalar>(_ matrix: Matrix<T>, to path: String) throws {
    try write(heads: [matrix], to: path)
  }

  /// Writes a vector as a 1-D array.
  public static func write(vector: [Double], dtype: DType = .float64, to path: String) throws {
    try write(Array(shape: [vector.count], dtype: dtype, values: vector), to: path)
  }

  /// Writes integers (labels, permutations) as a 1-D `int64` array.
  public static func write(integers: [Int], to path: String) throws {
    try write(Array(shape: [integers.count], dtype: .int64, values: integers.map(Double.init)), to: path)
  }
}

/// The Python dictionary literal of an NPY header, read just far enough for its three keys.
struct HeaderDictionary {
  private var entries: [String: String] = [:]

  init(_ text: String, file: String) throws {
    var body = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    guard body.first == "{", body.last == "}" else {
      throw DataError(.malformedNPY("the header is not a dictionary: \(body.prefix(80))"), file: file)
    }
    body = body.dropFirst().dropLast()
    // Split at commas outside parentheses.
    var depth = 0
    var current = ""
    var parts: [String] = []
    for ch in body {
      if ch == "(" { depth += 1 }
      if ch == ")" { depth -= 1 }
      if ch == "," && depth == 0 {
        parts.append(current)
        current = ""
      } else {
        current.append(ch)
      }
    }
    parts.append(current)
    for part in parts {
      let trimmed = part.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      guard let colon = trimmed.firstIndex(of: ":") else {
        throw DataError(.malformedNPY("the header entry '\(trimmed)' has no ':'"), file: file)
      }
      let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
      let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      entries[key] = value
    }
  }

  func string(_ key: String) -> String? {
    guard let raw = entries[key], raw.count >= 2, raw.first == "'" || raw.first == "\"" else { return nil }
    return String(raw.dropFirst().dropLast())
  }

  func bool(_ key: String) -> Bool? {
    switch entries[key] {
    case "True"?: true
    case "False"?: false
    default: nil
    }
  }

  func shape() -> [Int]? {
    guard let raw = entries["shape"], raw.first == "(", raw.last == ")" else { return nil }
    let inner = raw.dropFirst().dropLast()
    var dims: [Int] = []
    for piece in inner.split(separator: ",") {
      let text = piece.trimmingCharacters(in: .whitespaces)
      if text.isEmpty { continue }
      guard let value = Int(text.hasSuffix("L") ? String(text.dropLast()) : text), value >= 0 else { return nil }
      dims.append(value)
    }
    return dims
  }
}
