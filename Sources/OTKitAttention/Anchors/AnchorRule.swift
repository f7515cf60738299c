import OTKitCore

/// One anchor's math: how a score matrix (already divided by the temperature) becomes
/// attention weights, and the exact backward pass.
///
/// Every anchor is a transport problem on the Gibbs kernel `exp(S)` of the scores (the
/// cost is `-tau S`); see ``AttentionAnchor`` for the family. A new anchor is one file with
/// a type conforming to this protocol, plus one case of ``AttentionAnchor`` that names it.
public protocol AnchorRule: Sendable {
  /// The weights of `scores` in their own precision.
  func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T>
  /// The weights in `Double` and what ``backward(scores:record:gradient:)`` needs.
  func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, record: AnchorRecord)
  /// The gradient with respect to the scores, given the gradient with respect to the
  /// weights.
  func backward(scores: Matrix<Double>, record: AnchorRecord, gradient: Matrix<Double>) -> Matrix<Double>
}

/// What an anchor's backward pass needs from its forward pass.
public struct AnchorRecord: Sendable {
  /// The anchor that made the record.
  public var anchor: AttentionAnchor
  /// The weights of the forward pass.
  public var weights: Matrix<Double>
  /// The Sinkhorn anchor's normalizations (its potentials after every step).
  public var sinkhorn: SinkhornAnchorState<Double>?
  /// The orthostochastic anchor's QR factors of the scores.
  var q: Matrix<Double>?
  var r: Matrix<Double>?

  init(
    anchor: AttentionAnchor, weights: Matrix<Double>, sinkhorn: SinkhornAnchorState<Double>? = nil,
    q: Matrix<Double>? = nil, r: Matrix<Double>? = nil
  ) {
    self.anchor = anchor
    self.weights = weights
    self.sinkhorn = sinkhorn
    self.q = q
    self.r = r
  }
}
