import Foundation
import OTKitCore

/// The quantum-circuit doubly stochastic anchor of QDSFormer, simulated classically: the
/// scores of `T` tokens, padded to `n = 2^q` (zeros), are the `n^2` angles of a circuit on
/// `q` qubits; its unitary `U` gives the weights `|U_ij|^2`, doubly stochastic for every
/// angle (a unitary's rows and columns are unit vectors), of which the `T x T` block is
/// kept (exactly doubly stochastic when `T` is a power of two; sub-stochastic otherwise, the
/// deficit shown by the marginal errors).
///
/// The circuit: `ceil(n^2 / 2q)` layers, each an `R_y` then an `R_z` rotation on every qubit
/// (`2q` angles, row-major over the padded scores) followed by a ring of CNOTs; `R_z` gives
/// the complex phases that reach unistochastic matrices beyond the orthostochastic (QR)
/// class. The backward pass runs the gates in reverse, undoing each (they are unitary), so
/// it stores only `U`.
///
/// J. Born et al., "Quantum doubly stochastic transformers", NeurIPS 2025 (arXiv
/// 2504.16275); N. Mariella et al., "Quantum theory and application of contextual optimal
/// transport", arXiv 2402.14991 (the QontOT circuit).
///
/// - Complexity: `O(n^4)` forward and backward (`n^2` gates on an `n x n` matrix); sequences
///   up to ``maximumTokens`` tokens.
public struct QuantumCircuitAnchor: AnchorRule {
  @inlinable
  public init() {}

  /// The longest sequence the simulation takes: 64 tokens (6 qubits).
  public static let maximumTokens = 64

  public static var name: String { "circuit" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .circuit }

  public var needsSquareScores: Bool { true }

  public var maximumKeys: Int? { Self.maximumTokens }

  /// `U`'s real and imaginary parts.
  public var savedPlanes: Int { 2 }

  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> {
    Matrix<T>(forward(Matrix<Double>(scores)).weights)
  }

  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, saved: CircuitState) {
    precondition(scores.rows == scores.columns, "The circuit anchor needs square scores")
    var state = CircuitState(tokens: scores.rows, angles: Self.angles(scores))
    state.run()
    let t = scores.rows, n = state.size
    let weights = Matrix<Double>(rows: t, columns: t) { i, j in
      let (re, im) = (state.real[i * n + j], state.imaginary[i * n + j])
      return re * re + im * im
    }
    return (weights, state)
  }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: CircuitState, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    let angleGradient = saved.angleGradient(weightGradient: gradient)
    let n = saved.size
    return Matrix(rows: scores.rows, columns: scores.columns) { i, j in angleGradient[i * n + j] }
  }

  /// The padded scores, row-major, as angles (zeros past the `n^2` entries).
  static func angles(_ scores: Matrix<Double>) -> [Double] {
    let n = CircuitState.paddedSize(scores.rows)
    var angles = [Double](repeating: 0, count: CircuitState.gateCount(n))
    for i in 0..<scores.rows { for j in 0..<scores.columns { angles[i * n + j] = scores[i, j] } }
    return angles
  }
}

/// The simulated circuit of ``QuantumCircuitAnchor``: its angles and its unitary.
public struct CircuitState: Sendable {
  /// The tokens `T` and the padded size `n = 2^q`.
  public var tokens: Int
  public var size: Int
  public var qubits: Int
  /// Two angles per qubit and layer: `R_y` then `R_z`.
  public var angles: [Double]
  /// `U`, row-major.
  public var real: [Double]
  public var imaginary: [Double]

  /// `2^q >= max(tokens, 2)`.
  static func paddedSize(_ tokens: Int) -> Int {
    var n = 2
    while n < tokens { n *= 2 }
    return n
  }

  /// The rotation gates: `2q` per layer, `ceil(n^2 / 2q)` layers.
  static func gateCount(_ n: Int) -> Int {
    let q = n.trailingZeroBitCount
    return (n * n + 2 * q - 1) / (2 * q) * 2 * q
  }

  init(tokens: Int, angles: [Double]) {
    self.tokens = tokens
    size = Self.paddedSize(tokens)
    qubits = size.trailingZeroBitCount
    self.angles = angles
    real = Matrix<Double>.identity(size).elements
    imaginary = [Double](repeating: 0, count: size * size)
  }

  /// Applies every gate to `U = I`.
  mutating func run() {
    let perLayer = 2 * qubits
    for layer in 0..<(angles.count / perLayer) {
      for w in 0..<qubits {
        Self.rotate(&real, &imaginary, size, qubit: w, gate: .y, angle: angles[layer * perLayer + 2 * w])
        Self.rotate(&real, &imaginary, size, qubit: w, gate: .z, angle: angles[layer * perLayer + 2 * w + 1])
      }
      Self.cnotRing(&real, &imaginary, size, qubits: qubits, reverse: false)
    }
  }
}
