import OTKitCore

/// The cosine distance `c(x, y) = 1 - <x, y> / (|x| |y|)`, in `[0, 2]`: SciPy's and POT's
/// `cosine` metric. A zero vector has no direction; its cost to every point is 1 (SciPy
/// gives NaN there).
///
/// - Complexity: `O(n m d)` for a matrix, `O(m d)` for a row.
public struct Cosine: CostFunction {
  public init() {}

  public var description: String { "cosine" }

  public func cost(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    var (dot, xx, yy) = (0.0, 0.0, 0.0)
    for (a, b) in zip(x, y) {
      dot += a * b
      xx += a * a
      yy += b * b
    }
    let norms = (xx * yy).squareRoot()
    return norms > 0 ? 1 - dot / norms : 1
  }

  @_specialize(where T == Double)
  @_specialize(where T == Float)
  public func fillRow<T: MatrixScalar>(_ i: Int, of x: Matrix<T>, against yT: Matrix<T>, into row: UnsafeMutableBufferPointer<T>) {
    let (d, m) = (x.columns, yT.columns)
    guard let out = row.baseAddress else { return }
    out.update(repeating: 0, count: m)
    ScratchMemory<T>.withTemporary(count: m) { norms in
      norms.update(repeating: 0, count: m)
      var xx: T = 0
      x.withUnsafeBufferPointer { xp in
        yT.withUnsafeBufferPointer { yp in
          guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
          let xi = xb + i * d
          for k in 0..<d {
            let v = xi[k]
            xx += v * v
            let column = yb + k * m
            for j in 0..<m {
              out[j] += v * column[j]
              norms[j] += column[j] * column[j]
            }
          }
        }
      }
      for j in 0..<m {
        let product = (xx * norms[j]).squareRoot()
        out[j] = product > 0 ? 1 - out[j] / product : 1
      }
    }
  }
}
