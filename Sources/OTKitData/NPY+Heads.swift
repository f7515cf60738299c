import Foundation
import OTKitCore

extension NPY {
  /// The heads of an array file: a 2-D array (`n x d`, one head) or a 3-D one (`heads x n
  /// x d`) in NPY, or a CSV table (one head); and whether the values are float32.
  ///
  /// - Throws: ``DataError`` naming the file when it cannot be read or has another rank.
  /// - Complexity: O(size of the file).
  public static func readHeads(_ path: String) throws -> (heads: [Matrix<Double>], float32: Bool) {
    if path.lowercased().hasSuffix(".csv") { return ([try CSV.read(path).features], false) }
    let array = try read(path)
    switch array.shape.count {
    case 2: return ([Matrix(rows: array.shape[0], columns: array.shape[1], elements: array.values)], array.dtype == .float32)
    case 3:
      let (h, n, d) = (array.shape[0], array.shape[1], array.shape[2])
      let size = n * d
      let heads = (0..<h).map { (k: Int) -> Matrix<Double> in
        let values: [Double] = Swift.Array(array.values[(k * size)..<((k + 1) * size)])
        return Matrix(rows: n, columns: d, elements: values)
      }
      return (heads, array.dtype == .float32)
    default:
      throw DataError(.shapeMismatch("attention inputs need 2 or 3 dimensions, the array has shape \(array.shape)"), file: path)
    }
  }

  /// Writes one matrix as a 2-D array, several (of one shape) as a 3-D one, in their own
  /// precision.
  ///
  /// - Throws: ``DataError`` when the file cannot be written.
  ///
  /// The file's bytes are encoded straight from the matrices (no copy in `Double` on the
  /// way), so writing takes one buffer of the file's size.
  public static func write<T: MatrixScalar>(heads matrices: [Matrix<T>], to path: String) throws {
    let shape = matrices.count == 1 ? [matrices[0].rows, matrices[0].columns] : [matrices.count, matrices[0].rows, matrices[0].columns]
    let data = encode(shape: shape, matrices: matrices)
    do {
      try AtomicFile.write(data, to: path)
    } catch let error as AtomicFileError {
      throw DataError(.unreadable(error.reason), file: path)
    }
  }

  /// The file of matrices of one shape in their own precision, encoded into one buffer.
  ///
  /// - Complexity: one pass over the elements.
  static func encode<T: MatrixScalar>(shape: [Int], matrices: [Matrix<T>]) -> Data {
    let dtype: DType = T.self == Float.self ? .float32 : .float64
    let header = header(shape: shape, dtype: dtype)
    let count = matrices.reduce(0) { $0 + $1.count }
    var data = Data(count: header.count + count * dtype.size)
    data.withUnsafeMutableBytes { raw in
      header.withUnsafeBytes { raw.copyMemory(from: $0) }
      var offset = header.count
      for matrix in matrices {
        for v in matrix.elements {
          if dtype == .float32 {
            raw.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: offset, as: UInt32.self)
          } else {
            raw.storeBytes(of: Double(v).bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
          }
          offset += dtype.size
        }
      }
    }
    return data
  }
}
