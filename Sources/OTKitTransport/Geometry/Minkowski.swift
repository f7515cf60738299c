import OTKitCore
import RealModule

/// `c(x, y) = |x - y|_p^q = (sum_k |x_k - y_k|^p)^(q / p)` for `p >= 1`, `q > 0`: `p = 1`
/// is the Manhattan (city-block) distance, `q = 1` SciPy's `minkowski` metric, `p = q = 2`
/// the squared Euclidean cost.
///
/// - Complexity: `O(n m d)` for a matrix, `O(m d)` for a row (one `pow` per coordinate
///   unless `p` is 1 or 2).
public struct Minkowski: CostFunction {
  public var p: Double
  public var q: Double

  public init(p: Double, q: Double = 1) {
    self.p = p
    self.q = q
  }

  public var description: String { "minkowski(p: \(p), q: \(q))" }

  public func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    let s = zip(x, y).reduce(0) { $0 + Double.pow(abs($1.0 - $1.1), p) }
    return Double.pow(s, q / p)
  }

  @_specialize(where T == Double)
  @_specialize(where T == Float)
  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    let (pp, exponent) = (T(p), T(q / p))
    let finish: ((T) -> T)? = exponent == 1 ? nil : { T.pow($0, exponent) }
    switch p {
    case 1: accumulateCoordinates(i, of: x, against: yT, into: row, term: { $0.magnitude }, finish: finish)
    case 2: accumulateCoordinates(i, of: x, against: yT, into: row, term: { $0 * $0 }, finish: finish)
    default: accumulateCoordinates(i, of: x, against: yT, into: row, term: { T.pow($0.magnitude, pp) }, finish: finish)
    }
  }
}
