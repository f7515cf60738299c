import OTKitCore

/// One anchor's math: how a score matrix (already divided by the temperature) becomes
/// attention weights, and the exact backward pass.
///
/// Every anchor is a transport problem on the Gibbs kernel `exp(S)` of the scores (the
/// cost is `-tau S`); see ``AttentionAnchor`` for the family. A new anchor is one file with
/// a type conforming to this protocol, plus one case of ``AttentionAnchor`` that names it.
/// What the backward pass needs beyond the weights is the rule's own ``Saved`` type, so a
/// stateful anchor (Sinkhorn's potentials, the QR factors) edits no shared type.
public protocol AnchorRule: Sendable {
  /// What ``backward(scores:weights:saved:gradient:)`` needs from the forward pass beyond
  /// the weights (`Void` for the row anchors).
  associatedtype Saved: Sendable = Void

  /// The anchor's name, as the command line and the reports spell it.
  static var name: String { get }
  /// The anchor this rule computes, built from the parameters given by name (each rule
  /// reads only its own).
  static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor
  /// The anchor's parameters for people: ` (alpha 1.5)`, or nothing (the default).
  var parameterDescription: String { get }
  /// Whether the anchor needs as many keys as queries (default `false`).
  var needsSquareScores: Bool { get }
  /// The `n x m` matrices that `Saved` keeps per head beside the weights (default 0), for
  /// the memory estimate of training (the orthostochastic anchor keeps its QR factors: 2).
  var savedPlanes: Int { get }
  /// Whether each row of weights depends on its own row of scores alone (the softmax,
  /// sparsemax and entmax; default `false`): the Jacobian is then one `m x m` block per row.
  var isRowwise: Bool { get }
  /// The most keys (and queries) the anchor takes, `nil` for no limit (the simulated
  /// circuit: 64).
  var maximumKeys: Int? { get }

  /// The weights of `scores` in their own precision.
  func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T>
  /// The weights in `Double` and what the backward pass needs.
  func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, saved: Saved)
  /// The gradient with respect to the scores, given the gradient with respect to the
  /// weights.
  func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Saved, gradient: Matrix<Double>
  ) -> Matrix<Double>
}

extension AnchorRule {
  public var parameterDescription: String { "" }
  public var needsSquareScores: Bool { false }
  public var savedPlanes: Int { 0 }
  public var isRowwise: Bool { false }
  public var maximumKeys: Int? { nil }
}

extension AnchorRule where Saved == Void {
  /// The weights; a row anchor's backward needs nothing else.
  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, saved: Void) {
    (weights(scores), ())
  }
}

extension AnchorRule {
  /// The forward pass with its record, the rule's saved state type-erased.
  func recordedForward(_ scores: Matrix<Double>, anchor: AttentionAnchor) -> (weights: Matrix<Double>, record: AnchorRecord) {
    let (weights, saved) = forward(scores)
    return (weights, AnchorRecord(anchor: anchor, weights: weights, saved: saved))
  }

  /// The backward pass from a record that this rule's forward pass wrote.
  func recordedBackward(scores: Matrix<Double>, record: AnchorRecord, gradient: Matrix<Double>) -> Matrix<Double> {
    guard let saved = record.saved as? Saved else {
      preconditionFailure("An anchor record of \(record.anchor.name) reached the backward pass of \(Self.name)")
    }
    return backward(scores: scores, weights: record.weights, saved: saved, gradient: gradient)
  }
}

/// What an anchor's backward pass needs from its forward pass: the weights and the rule's
/// own saved state (``AnchorRule/Saved``).
public struct AnchorRecord: Sendable {
  /// The anchor that made the record.
  public var anchor: AttentionAnchor
  /// The weights of the forward pass.
  public var weights: Matrix<Double>
  /// The rule's saved state, of its ``AnchorRule/Saved`` type.
  public var saved: any Sendable

  init(anchor: AttentionAnchor, weights: Matrix<Double>, saved: any Sendable) {
    self.anchor = anchor
    self.weights = weights
    self.saved = saved
  }
}
