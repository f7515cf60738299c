import Foundation
import OTKitCore

/// Reading and writing the safetensors format, so that model parameters move to and from
/// PyTorch and the `safetensors` Python package.
///
/// A file is an 8-byte little-endian header length `N`, a UTF-8 JSON header of `N` bytes
/// mapping each tensor's name to its `dtype`, `shape` and `data_offsets` (begin and end,
/// relative to the end of the header) plus an optional `__metadata__` map of strings, and
/// then the tensors' bytes, little endian, C order. Reading validates everything: the
/// header length against the file size, the JSON, every dtype, shape and offset range, that
/// the byte count matches the shape, and that the tensors tile the data without gaps or
/// overlaps. A truncated or corrupt file is a ``DataError``, never a crash.
///
/// - Complexity: `O(file size)`.
public enum Safetensors {
  /// The element types OTKit reads and writes.
  public enum DType: String, Sendable, CaseIterable {
    case float64 = "F64"
    case float32 = "F32"
    case int64 = "I64"
    case int32 = "I32"

    var size: Int {
      switch self {
      case .float64, .int64: 8
      case .float32, .int32: 4
      }
    }
  }

  /// One tensor: its shape, its stored type, and its values as `Double`.
  public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: DType
    public var values: [Double]

    public init(shape: [Int], dtype: DType = .float64, values: [Double]) {
      precondition(shape.reduce(1, *) == values.count, "Shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
      self.shape = shape
      self.dtype = dtype
      self.values = values
    }

    /// A matrix as a 2-D tensor.
    public init(_ matrix: Matrix<Double>, dtype: DType = .float64) {
      self.init(shape: [matrix.rows, matrix.columns], dtype: dtype, values: matrix.elements)
    }

    /// The tensor as a matrix: 2-D as is, 1-D as one row, 0-D as `1 x 1`; `nil` for more
    /// dimensions.
    public var matrix: Matrix<Double>? {
      switch shape.count {
      case 0: Matrix(rows: 1, columns: 1, elements: values)
      case 1: Matrix(rows: 1, columns: shape[0], elements: values)
      case 2: Matrix(rows: shape[0], columns: shape[1], elements: values)
      default: nil
      }
    }
  }

  /// A file's tensors and metadata.
  public struct File: Sendable, Equatable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
      self.tensors = tensors
      self.metadata = metadata
    }
  }

  /// The bytes of a file; tensors are laid out in name order.
  public static func encode(_ file: File) -> Data {
    var header: [String: Any] = [:]
    if !file.metadata.isEmpty { header["__metadata__"] = file.metadata }
    var offset = 0
    let names = file.tensors.keys.sorted()
    for name in names {
      let t = file.tensors[name]!
      let bytes = t.values.count * t.dtype.size
      header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
      offset += bytes
    }
    var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
    while json.count % 8 != 0 { json.append(0x20) }
    var data = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for name in names {
      let t = file.tensors[name]!
      switch t.dtype {
      case .float64: for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
      case .float32: for v in t.values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
      case .int64: for v in t.values { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
      case .int32: for v in t.values { withUnsafeBytes(of: Int32(v).littleEndian) { data.append(contentsOf: $0) } }
      }
    }
    return data
  }

  /// Writes a file (atomically: `AtomicFile`).
  public static func write(_ file: File, to path: String) throws {
    do {
      try AtomicFile.write(encode(file), to: path)
    } catch let error as AtomicFileError {
      throw DataError(.unreadable(error.reason), file: path)
    }
  }

  /// Reads a file.
  public static func read(_ path: String) throws -> File {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError(.unreadable("no such file or not readable"), file: path)
    }
    return try parse(data, file: path)
  }

  /// Parses the bytes of a file; `file` names it in errors.
  public static func parse(_ data: Data, file: String = "<data>") throws -> File {
    func fail(_ reason: String) -> DataError { DataError(.invalid("is not a valid safetensors file: \(reason)"), file: file) }
    guard data.count >= 8 else { throw fail("\(data.count) bytes, shorter than the 8-byte header length") }
    let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(data.count - 8) else {
      throw fail("the header claims \(headerLength) bytes but the file has \(data.count - 8) after the length (truncated?)")
    }
    let dataStart = 8 + Int(headerLength)
    let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + dataStart))
    guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let header = object as? [String: Any] else {
      throw fail("the header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
        for (k, v) in map {
          guard let s = v as? String else { throw fail("metadata \"\(k)\" is not a string") }
          metadata[k] = s
        }
        continue
      }
      guard let info = value as? [String: Any] else { throw fail("the entry of \"\(name)\" is not an object") }
      guard let dtypeName = info["dtype"] as? String else { throw fail("\"\(name)\" has no dtype") }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw fail("\"\(name)\" has dtype \(dtypeName); OTKit reads \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      guard let shapeValues = info["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("\"\(name)\" has no valid shape")
      }
      guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2,
        offsets[0] >= 0, offsets[0] <= offsets[1]
      else { throw fail("\"\(name)\" has no valid data_offsets") }
      // Checked: the declared shape is compared with the bytes before anything is allocated.
      guard let count = NPY.checkedProduct(shape), case (let byteCount, false) = count.multipliedReportingOverflow(by: dtype.size) else {
        throw fail("\"\(name)\" has shape \(shape), more values than can be addressed")
      }
      guard offsets[1] - offsets[0] == byteCount else {
        throw fail("\"\(name)\" has shape \(shape) of \(dtypeName) but \(offsets[1] - offsets[0]) bytes")
      }
      guard offsets[1] <= data.count - dataStart else {
        throw fail("\"\(name)\" ends at byte \(offsets[1]) of a data section of \(data.count - dataStart) bytes (truncated?)")
      }
      entries.append((name, dtype, shape, offsets[0], offsets[1]))
    }
    // The tensors must tile the data section.
    var position = 0
    for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
      guard entry.begin == position else {
        throw fail(entry.begin < position ? "\"\(entry.name)\" overlaps another tensor" : "a gap before \"\(entry.name)\"")
      }
      position = entry.end
    }
    guard position == data.count - dataStart else {
      throw fail("\(data.count - dataStart - position) bytes after the last tensor")
    }
    var tensors: [String: Tensor] = [:]
    data.withUnsafeBytes { raw in
      for entry in entries {
        let base = raw.baseAddress! + dataStart + entry.begin
        let count = (entry.end - entry.begin) / entry.dtype.size
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
          let p = base + i * entry.dtype.size
          switch entry.dtype {
          case .float64: values[i] = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
          case .float32: values[i] = Double(Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))))
          case .int64: values[i] = Double(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
          case .int32: values[i] = Double(Int32(littleEndian: p.loadUnaligned(as: Int32.self)))
          }
        }
        tensors[entry.name] = Tensor(shape: entry.shape, dtype: entry.dtype, values: values)
      }
    }
    return File(tensors: tensors, metadata: metadata)
  }

  static func integers(_ values: [Any]) -> [Int]? {
    var result: [Int] = []
    for v in values {
      guard let n = v as? NSNumber else { return nil }
      let d = n.doubleValue
      guard d == d.rounded(), d >= 0, d < 9.0e15 else { return nil }
      result.append(Int(d))
    }
    return result
  }
}
