import Foundation
import OTKitCore

/// A matrix in the files the command line reads and writes, told apart by the extension:
/// `.npy` (NumPy; any float or integer dtype is read as `Double`) or CSV (a header optional
/// when reading, numeric columns only).
public enum MatrixFile {
  /// Whether `path` names a NumPy file.
  public static func isNumPy(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }

  /// The points of a file: a 2-D `.npy` array, or the numeric columns of a CSV.
  ///
  /// - Throws: ``DataError`` naming the file (and the row or column) for what cannot be read.
  /// - Complexity: one pass over the file.
  public static func read(_ path: String) throws -> Matrix<Double> {
    isNumPy(path) ? try NPY.readMatrix(path) : try CSV.read(path).features
  }

  /// Weights: one per line (CSV) or a 1-D (or single-column) `.npy` array.
  ///
  /// - Throws: ``DataError`` naming the file, also for more than one column.
  public static func readWeights(_ path: String) throws -> [Double] {
    let m = try read(path)
    guard m.columns == 1 || m.rows == 1 else {
      throw DataError(.shapeMismatch("weights must be one column, found \(m.rows) x \(m.columns)"), file: path)
    }
    return m.elements
  }

  /// Writes `matrix` as `.npy` or as a CSV with an optional header (atomically).
  ///
  /// - Throws: ``DataError`` naming the file when it cannot be written.
  public static func write(_ matrix: Matrix<Double>, to path: String, header: [String]? = nil) throws {
    if isNumPy(path) {
      try NPY.write(matrix, to: path)
    } else {
      try CSV.write(matrix, to: path, header: header)
    }
  }
}
