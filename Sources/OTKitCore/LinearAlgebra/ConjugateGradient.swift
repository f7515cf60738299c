/// Conjugate gradients for symmetric positive (semi-)definite systems given as a product.
///
/// M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients for solving linear
/// systems", J. Res. Nat. Bur. Standards 49, 1952. With a diagonal, the Jacobi-
/// preconditioned form. For a semi-definite system, `apply` and `rhs` must stay in the
/// range (project them there), and the iterates stay there too.
///
/// - Complexity: one `apply` and `O(size)` work per iteration.
public enum ConjugateGradient {
  /// `x` with `A x ≈ b`, stopping when `|r| <= relativeTolerance |b|` or after
  /// `maxIterations`.
  @inlinable
  public static func solve<T: BinaryFloatingPoint>(
    rhs b: [T], diagonal: [T]? = nil, relativeTolerance: T, maxIterations: Int, apply: ([T]) -> [T]
  ) -> [T] {
    let size = b.count
    func precondition(_ r: [T]) -> [T] {
      guard let diagonal else { return r }
      return zip(r, diagonal).map { $1 > 0 ? $0 / $1 : 0 }
    }
    func dot(_ u: [T], _ v: [T]) -> T { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
    var x = [T](repeating: 0, count: size)
    var residual = b
    var z = precondition(residual)
    var p = z
    var rz = dot(residual, z)
    let stop = relativeTolerance * relativeTolerance * Swift.max(dot(b, b), T.leastNormalMagnitude)
    for _ in 0..<maxIterations {
      if dot(residual, residual) <= stop { break }
      let q = apply(p)
      let pq = dot(p, q)
      guard pq > 0 else { break }
      let alpha = rz / pq
      for t in 0..<size {
        x[t] += alpha * p[t]
        residual[t] -= alpha * q[t]
      }
      z = precondition(residual)
      let rzNew = dot(residual, z)
      let beta = rzNew / rz
      rz = rzNew
      for t in 0..<size { p[t] = z[t] + beta * p[t] }
    }
    return x
  }
}
