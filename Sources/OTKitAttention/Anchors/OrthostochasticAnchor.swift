import OTKitCore

/// The orthostochastic anchor of attention: the elementwise square of the orthogonal factor
/// `Q` of the QR decomposition of a square score matrix (`Matrix.qrDecomposition()` of the core). The
/// rows and the columns of an orthogonal matrix are unit vectors, so `Q ⊙ Q` is doubly
/// stochastic to round-off.
///
/// - Complexity: `O(n^3)` forward and backward.
public struct OrthostochasticAnchor: AnchorRule {
  @inlinable
  public init() {}

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> {
    let q = Matrix<Double>(scores).qrDecomposition().q
    return Matrix<T>(q * q)
  }

  /// The QR factors of the scores, which the backward pass reads.
  public struct Factors: Sendable {
    public var q: Matrix<Double>
    public var r: Matrix<Double>
  }

  public static var name: String { "orthostochastic" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .orthostochastic }

  public var needsSquareScores: Bool { true }

  /// `Q` and `R`.
  public var savedPlanes: Int { 2 }

  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, saved: Factors) {
    let (q, r) = scores.qrDecomposition()
    return (q * q, Factors(q: q, r: r))
  }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Factors, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    Self.backward(q: saved.q, r: saved.r, gradient: gradient)
  }

  /// The backward pass of `W = Q ⊙ Q` through `S = Q R`: with `Qbar = 2 Q ⊙ Wbar`,
  /// `M = -Qbar^T Q` and `copyltu(M)` its lower triangle mirrored,
  /// `Sbar = (Qbar + Q copyltu(M)) R^{-T}` (the QR adjoint with `Rbar = 0`; M. Seeger,
  /// A. Hetzel, Z. Dai, E. Meissner and N. D. Lawrence, "Auto-differentiating linear
  /// algebra", 2017).
  ///
  /// - Complexity: `O(n^3)`.
  public static func backward(q: Matrix<Double>, r: Matrix<Double>, gradient: Matrix<Double>) -> Matrix<Double> {
    let n = q.rows
    let qbar = 2 * q * gradient
    let m = -1 * Matrix.product(qbar, q, transposeA: true)
    let sym = Matrix<Double>(rows: n, columns: n) { i, j in i >= j ? m[i, j] : m[j, i] }
    let b = qbar + Matrix.product(q, sym)
    // X R^T = B, R upper triangular: row by row, x R^T = b  <=>  R x^T = b^T (back substitution).
    var x = Matrix<Double>(rows: n, columns: n)
    for row in 0..<n {
      for k in stride(from: n - 1, through: 0, by: -1) {
        var value = b[row, k]
        for j in (k + 1)..<n { value -= r[k, j] * x[row, j] }
        x[row, k] = r[k, k] != 0 ? value / r[k, k] : 0
      }
    }
    return x
  }
}
