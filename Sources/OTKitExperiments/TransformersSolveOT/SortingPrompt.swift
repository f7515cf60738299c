import OTKitCore

/// The engineered prompt of a transformer that solves entropic OT: `n + 1` tokens, token
/// `i < n` carrying the source point `x_i` and the target point `y_i` with squared norms,
/// four constant features, the dual registers `u_i, v_i` and an output register; the last
/// token is the sink, whose value feature is `-a` and whose registers `r_u, r_v` start at 0.
///
/// H. Daneshmand, "Provable optimal transport with transformers: the essence of depth and
/// prompt engineering", arXiv 2410.19931 (published as "In-context learning for discrete
/// optimal transport: can transformers sort?", AISTATS 2026); layout of the author's code,
/// extended to `d > 1` as in `shared/specs/transformers-solve-ot.md` §3.
///
/// Features (0-based, width `3d + 8`): `|x|²`, `x` (`d`), `|y|²`, `y` (`d`), four ones (the
/// last is the value channel), `u`, `v`, the output (`d`). For `d = 1` this is the
/// 11-feature table of the spec.
public struct SortingPrompt: Sendable, Equatable {
  /// The coordinates of a point.
  public let dimension: Int

  public init(dimension: Int) {
    precondition(dimension >= 1, "a prompt needs points of at least one coordinate")
    self.dimension = dimension
  }

  /// The token width `3d + 8`.
  public var width: Int { 3 * dimension + 8 }
  /// `|x|²`.
  public var sourceSquare: Int { 0 }
  /// The first coordinate of `x`.
  public var source: Int { 1 }
  /// `|y|²`.
  public var targetSquare: Int { dimension + 1 }
  /// The first coordinate of `y`.
  public var target: Int { dimension + 2 }
  /// The four constant features; the last is the value channel (`1` for points, `-a` for
  /// the sink).
  public var ones: Int { 2 * dimension + 2 }
  public var value: Int { 2 * dimension + 5 }
  /// The dual registers.
  public var u: Int { 2 * dimension + 6 }
  public var v: Int { 2 * dimension + 7 }
  /// The first coordinate of the output register.
  public var output: Int { 2 * dimension + 8 }

  /// The prompt of `x` and `y` (`n x d` each), with initial dual registers and sink value
  /// `a` (`1/n` in the author's code, `1` for unit marginals).
  ///
  /// - Complexity: `O(n d)`.
  public func tokens(x: Matrix<Double>, y: Matrix<Double>, sinkValue a: Double, u: [Double]? = nil, v: [Double]? = nil) -> Matrix<Double> {
    precondition(x.columns == dimension && y.columns == dimension && x.rows == y.rows, "x and y must both be n x \(dimension)")
    let n = x.rows
    var z = Matrix<Double>(rows: n + 1, columns: width)
    for i in 0..<n {
      var xx = 0.0, yy = 0.0
      for k in 0..<dimension {
        z[i, source + k] = x[i, k]
        z[i, target + k] = y[i, k]
        xx += x[i, k] * x[i, k]
        yy += y[i, k] * y[i, k]
      }
      z[i, sourceSquare] = xx
      z[i, targetSquare] = yy
      for k in 0..<4 { z[i, ones + k] = 1 }
      z[i, self.u] = u?[i] ?? 0
      z[i, self.v] = v?[i] ?? 0
    }
    z[n, value] = -a
    return z
  }
}
