/// A transport solver, by the name the command line and the JSON output use.
public enum TransportMethod: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  /// Choose from the problem (``OT/chooseMethod(for:epsilon:)``).
  case auto
  /// The network simplex (``NetworkSimplex``), any weights.
  case exact
  /// The assignment solver (``AssignmentSolver``): uniform weights, `n == m`.
  case assignment
  /// The 1-D monotone coupling (``OneDimensionalTransport``).
  case oneDimensional = "1d"
  /// Log-domain Sinkhorn (``Sinkhorn``).
  case sinkhorn
  /// Sinkhorn-Newton-Sparse (``SinkhornNewtonSparse``).
  case sns
  /// Quadratically regularized OT by L-BFGS on its dual (``SmoothTransport``).
  case quadratic
  /// Sparsity-constrained OT (at most `k` non-zeros per column) by L-BFGS on its dual
  /// (``SmoothTransport``).
  case sparse
  /// Entropic OT by L-BFGS on its dual (``SmoothTransport``, the negentropy regularizer):
  /// POT's `smooth_ot_dual` with `reg_type='kl'`; Sinkhorn is usually faster.
  case entropicLBFGS = "entropic-lbfgs"

  public var description: String { rawValue }

  /// Whether the method solves the entropic problem (needs an epsilon).
  public var isEntropic: Bool { self == .sinkhorn || self == .sns }

  /// Whether the method is one of ``SmoothTransport``'s (needs a `gamma`).
  public var isSmooth: Bool { self == .quadratic || self == .sparse || self == .entropicLBFGS }

  /// The solver type of the method (``auto`` builds the exact solver once the method is
  /// chosen); the one arm a new method adds besides its ``solverName``.
  public var solverType: any TransportSolver.Type {
    switch self {
    case .auto, .exact: NetworkSimplex.self
    case .assignment: AssignmentSolver.self
    case .oneDimensional: OneDimensionalTransport.self
    case .sinkhorn: Sinkhorn.self
    case .sns: SinkhornNewtonSparse.self
    case .quadratic, .sparse, .entropicLBFGS: SmoothTransport.self
    }
  }

  /// A name for people: "network simplex", "log-domain Sinkhorn", ...
  public var solverName: String {
    switch self {
    case .auto: "automatic choice"
    case .exact: "network simplex"
    case .assignment: "Jonker-Volgenant assignment"
    case .oneDimensional: "1-D monotone coupling"
    case .sinkhorn: "log-domain Sinkhorn"
    case .sns: "Sinkhorn-Newton-Sparse"
    case .quadratic: "quadratically regularized OT (L-BFGS)"
    case .sparse: "sparsity-constrained OT (L-BFGS)"
    case .entropicLBFGS: "entropic OT (L-BFGS)"
    }
  }
}
