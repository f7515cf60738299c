import OTKitCore

/// How the Sinkhorn anchor is computed and differentiated.
public struct SinkhornAnchorSettings: Sendable, Equatable, Codable {
  /// How the backward pass differentiates the normalizations.
  public enum Differentiation: String, Sendable, Codable, CaseIterable {
    /// Through every normalization (exact for the weights computed).
    case unrolled
    /// At the fixed point (exact at convergence; memory independent of the steps).
    case implicit
  }

  /// The most normalizations, rows first: 1 is the softmax, 2 adds one column
  /// normalization, and so on.
  public var iterations: Int
  /// Stop when both marginal errors are at most this (`nil`: run every iteration).
  public var tolerance: Double?
  public var differentiation: Differentiation
  /// Target row sums (default 1 each) and column sums (default `n / m` each).
  public var rowMass: [Double]?
  public var columnMass: [Double]?

  public init(
    iterations: Int = 10, tolerance: Double? = nil, differentiation: Differentiation = .unrolled,
    rowMass: [Double]? = nil, columnMass: [Double]? = nil
  ) {
    precondition(iterations >= 1, "The Sinkhorn anchor needs at least one iteration")
    self.iterations = iterations
    self.tolerance = tolerance
    self.differentiation = differentiation
    self.rowMass = rowMass
    self.columnMass = columnMass
  }
}

/// The anchor that turns the Gibbs kernel `exp(S)` of a score matrix into attention weights
/// (`../shared/specs/attention-as-transport.md`, section 1): each is a transport problem.
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

  /// The command-line name.
  public var name: String {
    switch self {
    case .softmax: "softmax"
    case .sinkhorn: "sinkhorn"
    case .sparsemax: "sparsemax"
    case .entmax: "entmax"
    case .orthostochastic: "orthostochastic"
    }
  }

  /// The weights of a score matrix (already divided by the temperature) and what the
  /// backward pass needs.
  ///
  /// - Complexity: `O(n m)` for the row anchors (plus sorting the candidates), `O(k n m)`
  ///   for `k` Sinkhorn iterations, `O(n^3)` for the orthostochastic anchor.
  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, record: AnchorRecord) {
    switch self {
    case .softmax:
      let w = Kernels.softmaxRows(scores)
      return (w, AnchorRecord(anchor: self, weights: w))
    case .sparsemax:
      let w = Kernels.sparsemaxRows(scores)
      return (w, AnchorRecord(anchor: self, weights: w))
    case .entmax(let alpha):
      let w = alpha == 1.5 ? Kernels.entmax15Rows(scores) : (alpha == 2 ? Kernels.sparsemaxRows(scores) : Kernels.entmaxBisectRows(scores, alpha: alpha))
      return (w, AnchorRecord(anchor: self, weights: w))
    case .sinkhorn(let settings):
      let state = Kernels.sinkhornAnchor(
        scores, rowMass: settings.rowMass, columnMass: settings.columnMass, steps: settings.iterations, tolerance: settings.tolerance)
      return (state.weights, AnchorRecord(anchor: self, weights: state.weights, sinkhorn: state))
    case .orthostochastic:
      let (q, r) = Kernels.qrDecomposition(scores)
      let w = q * q
      return (w, AnchorRecord(anchor: self, weights: w, q: q, r: r))
    }
  }

  /// The gradient with respect to the scores, given the gradient with respect to the
  /// weights.
  public func backward(scores: Matrix<Double>, record: AnchorRecord, gradient g: Matrix<Double>) -> Matrix<Double> {
    switch self {
    case .softmax:
      return Kernels.softmaxRowsBackward(output: record.weights, gradient: g)
    case .sparsemax:
      return Kernels.entmaxRowsBackward(output: record.weights, gradient: g, alpha: 2)
    case .entmax(let alpha):
      return Kernels.entmaxRowsBackward(output: record.weights, gradient: g, alpha: alpha)
    case .sinkhorn(let settings):
      let state = record.sinkhorn!
      switch settings.differentiation {
      case .unrolled:
        return Kernels.sinkhornAnchorBackwardUnrolled(scores, state: state, gradient: g)
      case .implicit:
        return Kernels.sinkhornAnchorBackwardImplicit(weights: state.weights, rowMass: state.rowMass, columnMass: state.columnMass, gradient: g)
      }
    case .orthostochastic:
      return Kernels.orthostochasticBackward(q: record.q!, r: record.r!, gradient: g)
    }
  }
}

/// What an anchor's backward pass needs from its forward pass.
public struct AnchorRecord: Sendable {
  public var anchor: AttentionAnchor
  public var weights: Matrix<Double>
  public var sinkhorn: SinkhornAnchorState<Double>?
  var q: Matrix<Double>?
  var r: Matrix<Double>?

  init(anchor: AttentionAnchor, weights: Matrix<Double>, sinkhorn: SinkhornAnchorState<Double>? = nil, q: Matrix<Double>? = nil, r: Matrix<Double>? = nil) {
    self.anchor = anchor
    self.weights = weights
    self.sinkhorn = sinkhorn
    self.q = q
    self.r = r
  }
}

extension Tensor {
  /// The attention weights of a score tensor under `anchor`, differentiable.
  public func anchored(_ anchor: AttentionAnchor) -> Tensor {
    if anchor == .softmax { return softmax() }
    let (weights, record) = anchor.forward(value)
    return graph.record(.anchor(record), inputs: [self], value: weights)
  }
}
