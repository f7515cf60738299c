import OTKitCore

/// The anchor that turns the Gibbs kernel `exp(S)` of a score matrix into attention weights
/// (Sander, Ablin, Blondel and Peyré, "Sinkformers", AISTATS 2022; Peters, Niculae and
/// Martins, "Sparse sequence-to-sequence models", ACL 2019): each is a transport problem.
///
/// Each case names one ``AnchorRule`` (``namedRule``), which holds the math; this enum is the
/// serializable choice (model files, the command line). "alpha = 2 is sparsemax" is decided
/// here, in ``canonical``, and nowhere else. Adding an anchor is its rule's file plus one
/// case here (with its arm in ``namedRule`` and ``weights(_:)``, and its type in ``rules``).
public enum AttentionAnchor: Sendable, Equatable, Codable {
  /// Row normalization: one-sided entropic OT.
  case softmax
  /// Row and column normalizations: two-sided entropic OT (a doubly stochastic plan for
  /// uniform masses).
  case sinkhorn(SinkhornAnchorSettings)
  /// The Euclidean projection onto the simplex: quadratically regularized, sparse.
  case sparsemax
  /// Tsallis-regularized, sparse; alpha = 1.5 by exact sorting, other `alpha > 1` by
  /// bisection (alpha = 2 is sparsemax).
  case entmax(alpha: Double)
  /// The elementwise square of the orthogonal factor of `S = Q R` (square scores only).
  case orthostochastic
  /// `|U|^2` of a simulated quantum circuit whose angles are the scores (QDSFormer; square
  /// scores of up to 64 tokens).
  case circuit
  /// The softmax with the utility `dL/dW` as its gradient on the scores (no Fisher
  /// preconditioning): a training experiment.
  case softmaxUtility
  /// The softmax with the natural gradient `u - E_p[u]` on the scores: a training experiment.
  case softmaxNatural

  /// The anchor that computes this one: entmax with alpha = 2 is sparsemax (the one place
  /// that says so); every other anchor is itself.
  @inlinable
  public var canonical: AttentionAnchor {
    if case .entmax(let alpha) = self, alpha == 2 { return .sparsemax }
    return self
  }

  /// The rule each case names, one arm per case (entmax with alpha = 2 names
  /// ``EntmaxAnchor``; it is computed by ``rule``). The name, parameters and shape checks of
  /// `AttentionAnchor+Name.swift` read it, so a new case needs no edit there.
  public var namedRule: any AnchorRule {
    switch self {
    case .softmax: SoftmaxAnchor()
    case .sinkhorn(let settings): SinkhornAnchor(settings: settings)
    case .sparsemax: SparsemaxAnchor()
    case .entmax(let alpha): EntmaxAnchor(alpha: alpha)
    case .orthostochastic: OrthostochasticAnchor()
    case .circuit: QuantumCircuitAnchor()
    case .softmaxUtility: SoftmaxUtilityAnchor()
    case .softmaxNatural: SoftmaxNaturalAnchor()
    }
  }

  /// The rule types by name, in the order the command line lists them; ``init(name:parameters:)``
  /// searches them.
  public static let rules: [any AnchorRule.Type] = [
    SoftmaxAnchor.self, SinkhornAnchor.self, SparsemaxAnchor.self, EntmaxAnchor.self, OrthostochasticAnchor.self,
    QuantumCircuitAnchor.self, SoftmaxUtilityAnchor.self, SoftmaxNaturalAnchor.self,
  ]

  /// The rule that computes this anchor (the named rule of ``canonical``).
  public var rule: any AnchorRule { canonical.namedRule }

  /// The weights of a score matrix (already divided by the temperature) and what the
  /// backward pass needs.
  ///
  /// - Complexity: `O(n m)` for the row anchors (plus sorting the candidates), `O(k n m)`
  ///   for `k` Sinkhorn iterations, `O(n^3)` for the orthostochastic anchor.
  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, record: AnchorRecord) {
    rule.recordedForward(scores, anchor: self)
  }

  /// The gradient with respect to the scores, given the gradient with respect to the
  /// weights.
  public func backward(scores: Matrix<Double>, record: AnchorRecord, gradient g: Matrix<Double>) -> Matrix<Double> {
    rule.recordedBackward(scores: scores, record: record, gradient: g)
  }

  /// The weights of scores in their own precision (the orthostochastic anchor and the
  /// entmax bisection compute in `Double`).
  ///
  /// The cases call their rules' concrete types (not ``rule``'s existential) so that the
  /// kernels are specialized for `T` in the caller.
  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> {
    switch canonical {
    case .softmax: SoftmaxAnchor().weights(scores)
    case .sinkhorn(let settings): SinkhornAnchor(settings: settings).weights(scores)
    case .sparsemax: SparsemaxAnchor().weights(scores)
    case .entmax(let alpha): EntmaxAnchor(alpha: alpha).weights(scores)
    case .orthostochastic: OrthostochasticAnchor().weights(scores)
    case .circuit: QuantumCircuitAnchor().weights(scores)
    case .softmaxUtility, .softmaxNatural: SoftmaxAnchor().weights(scores)
    }
  }
}
