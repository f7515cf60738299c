import OTKitCore

/// The softmax anchor: row normalization of the Gibbs kernel, the solution of one-sided
/// entropic OT `min_p <p, -S> - H(p)` on each row (the kernels are `Kernels.softmaxRows`
/// and its backward `Kernels.softmaxRowsBackward` in the core).
///
/// - Complexity: `O(n m)` forward and backward.
public struct SoftmaxAnchor: AnchorRule {
  @inlinable
  public init() {}

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> { Kernels.softmaxRows(scores) }

  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, record: AnchorRecord) {
    let w = Kernels.softmaxRows(scores)
    return (w, AnchorRecord(anchor: .softmax, weights: w))
  }

  public func backward(scores: Matrix<Double>, record: AnchorRecord, gradient: Matrix<Double>) -> Matrix<Double> {
    Kernels.softmaxRowsBackward(output: record.weights, gradient: gradient)
  }
}
