import OTKitCore

/// The softmax forward with its gradient on the scores replaced, for seed 002's third open
/// question: does the implicit Fisher preconditioning of the softmax's backward help?
///
/// The softmax's gradient on the scores is `F u` with `F = diag(p) - p p^T` the Fisher
/// information and `u = dL/dW` the utility. This rule returns the utility itself (`u`, as if
/// `dW/dS` were the identity): training without the preconditioning. It is not the
/// gradient of any loss of the weights (a training experiment, not an operator to use).
///
/// - Complexity: `O(n m)` forward and backward.
public struct SoftmaxUtilityAnchor: AnchorRule {
  @inlinable
  public init() {}

  public var isRowwise: Bool { true }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> { Kernels.softmaxRows(scores) }

  public static var name: String { "softmax-utility" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .softmaxUtility }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Void, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    gradient
  }
}

/// The softmax forward with the natural gradient on the scores: `F^+ (F u) = u - E_p[u]`
/// per row (the Fisher information's pseudo-inverse undoes its preconditioning, up to the
/// constant direction it cannot see): the advantage without the probability weighting, an
/// explicit natural-gradient step on the scores (seed 002's third open question).
///
/// - Complexity: `O(n m)` forward and backward.
public struct SoftmaxNaturalAnchor: AnchorRule {
  @inlinable
  public init() {}

  public var isRowwise: Bool { true }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> { Kernels.softmaxRows(scores) }

  public static var name: String { "softmax-natural" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .softmaxNatural }

  public func backward(
    scores: Matrix<Double>, weights p: Matrix<Double>, saved: Void, gradient u: Matrix<Double>
  ) -> Matrix<Double> {
    var out = u
    for i in 0..<p.rows {
      var baseline = 0.0
      for j in 0..<p.columns { baseline += p[i, j] * u[i, j] }
      for j in 0..<p.columns { out[i, j] -= baseline }
    }
    return out
  }
}
