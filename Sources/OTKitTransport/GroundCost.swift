import OTKitCore
import RealModule

/// The cost of moving a unit of mass from `x` to `y`.
public enum GroundCost: Sendable, CustomStringConvertible {
  /// `|x - y|_2^2`, the default (the `W_2` cost).
  case squaredEuclidean
  /// `|x - y|_2`.
  case euclidean
  /// `|x - y|_p^q` for `p >= 1`, `q > 0` (`p = 1, q = 1`: Manhattan).
  case minkowski(p: Double, q: Double)
  /// A user-supplied cost of two points (rows of the source and target), which must return
  /// finite values.
  case custom(name: String, @Sendable (ArraySlice<Double>, ArraySlice<Double>) -> Double)

  public var description: String {
    switch self {
    case .squaredEuclidean: "sqeuclidean"
    case .euclidean: "euclidean"
    case .minkowski(let p, let q): "minkowski(p: \(p), q: \(q))"
    case .custom(let name, _): name
    }
  }

  /// The `n x m` cost matrix between the rows of `x` and `y`.
  ///
  /// Squared Euclidean costs use the norm expansion with one matrix product (see
  /// `Matrix.squaredDistances`); for dimension at most 4, where that saves nothing, and for
  /// the other costs the differences are computed directly, rows in parallel.
  ///
  /// - Complexity: `O(n m d)`.
  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    precondition(x.columns == y.columns, "point dimensions \(x.columns) and \(y.columns) differ")
    let (n, m, d) = (x.rows, y.rows, x.columns)
    switch self {
    case .squaredEuclidean where d > 4:
      return Matrix.squaredDistances(x, y)
    case .custom(_, let f):
      return Matrix(rows: n, columns: m) { i, j in
        f(x.elements[i * d..<(i + 1) * d], y.elements[j * d..<(j + 1) * d])
      }
    default:
      var out = [Double](repeating: 0, count: n * m)
      let kind = self
      out.withUnsafeMutableBufferPointer { o in
        x.withUnsafeBufferPointer { xp in
          y.withUnsafeBufferPointer { yp in
            let (ob, xb, yb) = (o.baseAddress!, xp.baseAddress, yp.baseAddress)
            Parallel.forEachRange(count: n, cost: m * max(d, 1)) { range in
              for i in range {
                for j in 0..<m {
                  ob[i * m + j] = kind.pairCost(xb.map { $0 + i * d }, yb.map { $0 + j * d }, d)
                }
              }
            }
          }
        }
      }
      return Matrix(rows: n, columns: m, elements: out)
    }
  }

  @inline(__always)
  func pairCost(_ x: UnsafePointer<Double>?, _ y: UnsafePointer<Double>?, _ d: Int) -> Double {
    guard let x, let y else { return 0 }
    switch self {
    case .squaredEuclidean, .euclidean:
      var s = 0.0
      for k in 0..<d {
        let t = x[k] - y[k]
        s += t * t
      }
      if case .euclidean = self { return s.squareRoot() }
      return s
    case .minkowski(let p, let q):
      var s = 0.0
      if p == 1 {
        for k in 0..<d { s += abs(x[k] - y[k]) }
        return q == 1 ? s : Double.pow(s, q)
      }
      for k in 0..<d { s += Double.pow(abs(x[k] - y[k]), p) }
      return Double.pow(s, q / p)
    case .custom(_, let f):
      return f(ArraySlice(UnsafeBufferPointer(start: x, count: d)), ArraySlice(UnsafeBufferPointer(start: y, count: d)))
    }
  }
}
