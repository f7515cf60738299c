import OTKitCore

/// Standardization fitted on training data and applied to other data:
/// `z_ij = (x_ij - mean_j) / scale_j`, with the population standard deviation as scale
/// (as scikit-learn's `StandardScaler`), and scale 1 for a constant column so that it maps
/// to zero instead of NaN.
public struct Standardizer: Sendable, Equatable, Codable {
  /// The mean of each column of the training data.
  public var means: [Double]
  /// The standard deviation of each column (1 where it is zero).
  public var scales: [Double]

  public init(means: [Double], scales: [Double]) {
    precondition(means.count == scales.count, "\(means.count) means for \(scales.count) scales")
    self.means = means
    self.scales = scales
  }

  /// Fits the column means and standard deviations of `data` (two passes, stable).
  ///
  /// - Complexity: `O(rows * columns)`.
  public init(fitting data: Matrix<Double>) {
    let means = data.columnMeans().map { $0.isNaN ? 0 : $0 }
    let centered = data - Matrix(row: means)
    let squares = (centered * centered).columnSums()
    let n = Double(Swift.max(data.rows, 1))
    self.init(means: means, scales: squares.map { s in
      let sd = (s / n).squareRoot()
      return sd > 0 && sd.isFinite ? sd : 1
    })
  }

  /// Standardizes `data` with the fitted statistics.
  ///
  /// - Throws: ``DataError/Kind/shapeMismatch(_:)`` when the column count differs from the
  ///   fitted data's.
  public func transform(_ data: Matrix<Double>) throws -> Matrix<Double> {
    guard data.columns == means.count else {
      throw DataError(.shapeMismatch("\(data.columns) columns, the standardizer was fitted on \(means.count)"), file: "<data>")
    }
    return (data - Matrix(row: means)) / Matrix(row: scales)
  }

  /// Maps standardized values back to the original units.
  public func inverseTransform(_ data: Matrix<Double>) throws -> Matrix<Double> {
    guard data.columns == means.count else {
      throw DataError(.shapeMismatch("\(data.columns) columns, the standardizer was fitted on \(means.count)"), file: "<data>")
    }
    return data * Matrix(row: scales) + Matrix(row: means)
  }
}
