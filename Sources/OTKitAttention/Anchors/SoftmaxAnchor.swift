import OTKitCore

/// The softmax anchor: row normalization of the Gibbs kernel, the solution of one-sided
/// entropic OT `min_p <p, -S> - H(p)` on each row (the kernels are `Kernels.softmaxRows`
/// and its backward `Kernels.softmaxRowsBackward` in the core).
///
/// - Complexity: `O(n m)` forward and backward.
public struct SoftmaxAnchor: AnchorRule {
  @inlinable
  public init() {}

  public var isRowwise: Bool { true }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> { Kernels.softmaxRows(scores) }

  public static var name: String { "softmax" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .softmax }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Void, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    Kernels.softmaxRowsBackward(output: weights, gradient: gradient)
  }
}
