import Foundation
import Testing
@testable import OTKitData
import OTKitCore

@Suite("NPY")
struct NPYTests {
  @Test("Round-trips every dtype and shape", arguments: NPY.DType.allCases, [[], [0], [5], [3, 4], [2, 0], [2, 3, 2]])
  func roundTrip(dtype: NPY.DType, shape: [Int]) throws {
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Double($0) * (dtype == .int64 || dtype == .int32 ? 3 : 0.75) - 2 }
    let data = NPY.encode(shape: shape, dtype: dtype, values: values)
    #expect(data.count % 64 == (count * (dtype == .float64 || dtype == .int64 ? 8 : 4)) % 64)
    let back = try NPY.parse(data)
    #expect(back == NPY.Array(shape: shape, dtype: dtype, values: values))
  }

  @Test("Matrices keep their scalar type and values")
  func matrices() throws {
    var rng = SeededGenerator(seed: 1)
    let m: Matrix<Double> = rng.normalMatrix(rows: 7, columns: 3)
    let path = temporaryPath("m.npy")
    try NPY.write(m, to: path)
    #expect(try NPY.readMatrix(path) == m)
    let f: Matrix<Float> = rng.normalMatrix(rows: 2, columns: 5)
    try NPY.write(f, to: path)
    #expect(try NPY.read(path).dtype == .float32)
    #expect(try NPY.readMatrix(path, as: Float.self) == f)
    try NPY.write(integers: [3, -1, 7], to: path)
    #expect(try NPY.read(path) == NPY.Array(shape: [3], dtype: .int64, values: [3, -1, 7]))
    #expect(try NPY.readMatrix(path) == Matrix(column: [3, -1, 7]))
  }

  /// A version 1.0 file with the given header dictionary and payload.
  static func file(_ header: String, payload: [UInt8] = [], major: UInt8 = 1) -> Data {
    var h = header
    h += String(repeating: " ", count: (64 - (10 + h.utf8.count + 1) % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0])
    let n = h.utf8.count
    data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
    data.append(contentsOf: Array(h.utf8))
    data.append(contentsOf: payload)
    return data
  }

  static let malformed: [(Data, String)] = [
    (Data([1, 2, 3]), "t.npy: is not a valid NPY file: it does not start with the NPY magic string"),
    (file("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1), }", payload: Array(repeating: 0, count: 8)),
     "t.npy: uses an unsupported NPY layout: Fortran order (save a C-ordered copy: np.ascontiguousarray)"),
    (file("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", payload: Array(repeating: 0, count: 8)),
     "t.npy: uses an unsupported NPY layout: big-endian dtype '>f8' (convert with arr.astype(arr.dtype.newbyteorder('<')))"),
    (file("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", payload: Array(repeating: 0, count: 16)),
     "t.npy: uses an unsupported NPY layout: dtype '<c16'; OTKit reads float64, float32, int64 and int32"),
    (file("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", payload: Array(repeating: 0, count: 24)),
     "t.npy: is not a valid NPY file: the data are truncated: the shape (4,) of 8-byte values needs 32 bytes, the file has 24"),
    (file("{'descr': '<f8', 'shape': (4,), }"), "t.npy: is not a valid NPY file: the header has no 'fortran_order'"),
    (file("{'descr': '<f8', 'fortran_order': False, 'shape': 4, }"), "t.npy: is not a valid NPY file: the header has no valid 'shape'"),
    (file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", major: 9), "t.npy: uses an unsupported NPY layout: format version 9.0"),
    (file("[1, 2]"), "t.npy: is not a valid NPY file: the header is not a dictionary: [1, 2]"),
  ]

  @Test("Malformed and unsupported files give a precise error", arguments: malformed)
  func errors(data: Data, message: String) {
    do {
      _ = try NPY.parse(data, file: "t.npy")
      Issue.record("no error")
    } catch let error as DataError {
      #expect(error.description == message)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("A truncated preamble is an error, not a crash")
  func truncatedPreamble() {
    var data = NPYTests.file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }")
    data = data.prefix(20)
    #expect(throws: DataError.self) { try NPY.parse(data, file: "t.npy") }
  }

  @Test("Version 2.0 headers are read")
  func version2() throws {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0])
    let n = header.utf8.count
    data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), 0, 0])
    data.append(contentsOf: Array(header.utf8))
    for v in [Float(1.5), -2] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    #expect(try NPY.parse(data) == NPY.Array(shape: [2], dtype: .float32, values: [1.5, -2]))
  }
}

@Suite("Standardization")
struct StandardizerTests {
  @Test("Fitted on training data, applied to other data")
  func fitTransform() throws {
    let train = Matrix<Double>([[1, 10, 5], [3, 20, 5], [5, 30, 5]])
    let s = Standardizer(fitting: train)
    #expect(s.means == [3, 20, 5])
    #expect(abs(s.scales[0] - (8.0 / 3).squareRoot()) < 1e-15)
    #expect(s.scales[2] == 1)  // a constant column
    let z = try s.transform(train)
    #expect(z.columnMeans().allSatisfy { abs($0) < 1e-15 })
    #expect(abs(z.column(0).reduce(0) { $0 + $1 * $1 } / 3 - 1) < 1e-12)
    #expect(z.column(2) == [0, 0, 0])
    let test = Matrix<Double>([[3, 40, 6]])
    let zt = try s.transform(test)
    #expect(zt[0, 0] == 0 && zt[0, 2] == 1)
    #expect(try s.inverseTransform(zt).isApproximatelyEqual(to: test))
    #expect(throws: DataError.self) { try s.transform(Matrix(rows: 1, columns: 2)) }
  }
}
