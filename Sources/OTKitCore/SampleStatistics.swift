/// The statistics of a sample of measurements, with one convention for every table of the
/// project: values that are not finite are left out (``count`` says how many remain); no
/// value gives a mean of NaN; fewer than two values give a deviation and an error of 0 (no
/// spread observed: read ``count``).
///
/// - Complexity: O(n).
public struct SampleStatistics: Sendable, Codable, Equatable {
  /// The finite values.
  public var count: Int
  public var mean: Double
  /// The unbiased variance (`n - 1`).
  public var variance: Double

  public init(_ values: [Double]) {
    let finite = values.filter(\.isFinite)
    count = finite.count
    mean = finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    let m = mean
    variance = finite.count > 1 ? finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count - 1) : 0
  }

  /// The standard deviation.
  public var deviation: Double { variance.squareRoot() }

  /// The standard error of the mean, `sqrt(variance / n)`.
  public var standardError: Double { count > 0 ? (variance / Double(count)).squareRoot() : 0 }

  /// The half-width of the normal interval at `z` standard errors (1.96: 95%, 1.282: a
  /// two-sided 80% interval).
  public func halfWidth(z: Double) -> Double { z * standardError }

  /// The normal confidence interval at `z` standard errors.
  public func interval(z: Double = 1.96) -> ClosedRange<Double> {
    (mean - halfWidth(z: z))...(mean + halfWidth(z: z))
  }
}

extension Sequence where Element == Double {
  /// The largest element, at least 0, and NaN when any element is NaN: the largest error of
  /// a check, which must not hide a NaN the way `max` does.
  ///
  /// - Complexity: O(n).
  public func largestErrorPropagatingNaN() -> Double {
    reduce(0) { !($1 <= $0) ? $1 : $0 }
  }
}
