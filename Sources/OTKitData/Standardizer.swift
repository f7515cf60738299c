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
  /// Overflow-safe: a column whose sums or squares overflow `Double` (values near 1e300)
  /// is fitted again on values divided by its largest magnitude, so that any finite data
  /// give a finite mean and a positive finite scale.
  ///
  /// - Complexity: `O(rows * columns)`.
  public init(fitting data: Matrix<Double>) {
    var means = data.columnMeans().map { $0.isNaN ? 0 : $0 }
    let centered = data - Matrix(row: means)
    let squares = (centered * centered).columnSums()
    let n = Double(Swift.max(data.rows, 1))
    var scales = squares.map { s in (s / n).squareRoot() }
    for j in 0..<data.columns where !(means[j].isFinite && scales[j].isFinite) {
      (means[j], scales[j]) = Self.scaledMoments(data, column: j)
    }
    self.init(means: means, scales: scales.map { $0 > 0 && $0.isFinite ? $0 : 1 })
  }

  /// The mean and standard deviation of a column computed on its values divided by the
  /// largest magnitude (then scaled back), for columns whose plain sums overflow.
  static func scaledMoments(_ data: Matrix<Double>, column j: Int) -> (mean: Double, deviation: Double) {
    var largest = 0.0
    for i in 0..<data.rows where data[i, j].isFinite { largest = Swift.max(largest, abs(data[i, j])) }
    guard largest > 0, data.rows > 0 else { return (0, 1) }
    let n = Double(data.rows)
    var mean = 0.0
    for i in 0..<data.rows { mean += data[i, j] / largest / n }
    var variance = 0.0
    for i in 0..<data.rows {
      let d = data[i, j] / largest - mean
      variance += d * d / n
    }
    return (mean * largest, variance.squareRoot() * largest)
  }

  /// Standardizes `data` with the fitted statistics (an entry whose difference from the
  /// mean overflows is computed as `x / scale - mean / scale`).
  ///
  /// - Throws: ``DataError/Kind/shapeMismatch(_:)`` when the column count differs from the
  ///   fitted data's.
  public func transform(_ data: Matrix<Double>) throws -> Matrix<Double> {
    guard data.columns == means.count else {
      throw DataError(.shapeMismatch("\(data.columns) columns, the standardizer was fitted on \(means.count)"), file: "<data>")
    }
    var z = (data - Matrix(row: means)) / Matrix(row: scales)
    if !z.isFinite {
      for i in 0..<z.rows {
        for j in 0..<z.columns where !z[i, j].isFinite && data[i, j].isFinite {
          z[i, j] = data[i, j] / scales[j] - means[j] / scales[j]
        }
      }
    }
    return z
  }

  /// Maps standardized values back to the original units.
  public func inverseTransform(_ data: Matrix<Double>) throws -> Matrix<Double> {
    guard data.columns == means.count else {
      throw DataError(.shapeMismatch("\(data.columns) columns, the standardizer was fitted on \(means.count)"), file: "<data>")
    }
    return data * Matrix(row: scales) + Matrix(row: means)
  }
}
