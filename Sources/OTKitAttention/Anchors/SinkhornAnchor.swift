import OTKitCore
import RealModule

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

/// The Sinkhorn anchor: alternate row and column normalizations of the Gibbs kernel of the
/// scores (two-sided entropic OT), differentiated by unrolling or at the fixed point.
///
/// - Complexity: `O(k n m)` for `k` normalizations, forward and backward (unrolled).
public struct SinkhornAnchor: AnchorRule {
  public var settings: SinkhornAnchorSettings

  @inlinable
  public init(settings: SinkhornAnchorSettings = .init()) { self.settings = settings }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> {
    Self.normalize(
      scores, rowMass: settings.rowMass?.map { T($0) }, columnMass: settings.columnMass?.map { T($0) },
      steps: settings.iterations, tolerance: settings.tolerance.map { T($0) }
    ).weights
  }

  public static var name: String { "sinkhorn" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor {
    .sinkhorn(SinkhornAnchorSettings(iterations: parameters.iterations, tolerance: parameters.tolerance))
  }

  public var parameterDescription: String {
    " (\(settings.iterations) iterations\(settings.tolerance.map { ", tolerance \($0)" } ?? ""))"
  }

  /// The weights and the normalizations (the potentials after every step).
  public func forward(_ scores: Matrix<Double>) -> (weights: Matrix<Double>, saved: SinkhornAnchorState<Double>) {
    let state = Self.normalize(
      scores, rowMass: settings.rowMass, columnMass: settings.columnMass, steps: settings.iterations, tolerance: settings.tolerance)
    return (state.weights, state)
  }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved state: SinkhornAnchorState<Double>, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    switch settings.differentiation {
    case .unrolled:
      return Self.backwardUnrolled(scores, state: state, gradient: gradient)
    case .implicit:
      return Self.backwardImplicit(
        weights: state.weights, rowMass: state.rowMass, columnMass: state.columnMass, gradient: gradient)
    }
  }
}

/// The plan anchor of attention: alternate row and column normalizations of the Gibbs
/// kernel `exp(S)` of a score matrix (Sinkformer), in the log domain, with exact backward
/// passes by unrolling the normalizations or by implicit differentiation at the fixed point.
///
/// M. E. Sander, P. Ablin, M. Blondel and G. Peyré, "Sinkformers: transformers with doubly
/// stochastic attention", AISTATS 2022. One normalization step is
/// `f_i = log r_i - LSE_j(S_ij + g_j)` (rows) or `g_j = log c_j - LSE_i(S_ij + f_i)`
/// (columns); the weights are `P_ij = exp(S_ij + f_i + g_j)`. The first step normalizes rows,
/// so one step is exactly the softmax.
public struct SinkhornAnchorState<T: MatrixScalar>: Sendable {
  public var weights: Matrix<T>
  /// The potentials after each step (`f` after row steps, `g` after column steps);
  /// `potentials[t]` is the state after step `t + 1`.
  public var potentials: [(f: [T], g: [T])]
  public var rowMass: [T]
  public var columnMass: [T]
  /// Steps taken (row and column normalizations).
  public var steps: Int
  /// `max_i |P 1 - r|_i` and `max_j |P^T 1 - c|_j` of the returned weights.
  public var rowError: T
  public var columnError: T

  @inlinable
  public init(weights: Matrix<T>, potentials: [(f: [T], g: [T])], rowMass: [T], columnMass: [T], steps: Int, rowError: T, columnError: T) {
    self.weights = weights
    self.potentials = potentials
    self.rowMass = rowMass
    self.columnMass = columnMass
    self.steps = steps
    self.rowError = rowError
    self.columnError = columnError
  }
}

extension SinkhornAnchor {
  /// The Sinkhorn anchor of a score matrix `S` (`n x m`).
  ///
  /// - Parameters:
  ///   - rowMass: the target row sums (default 1 each).
  ///   - columnMass: the target column sums (default `n / m` each); the totals must agree.
  ///   - steps: the most normalizations (1 is the softmax).
  ///   - tolerance: stop once both marginal errors (max norm) are at most this.
  /// - Complexity: `O(steps * n * m)` exponentials.
  @inlinable
  public static func normalize<T: MatrixScalar>(
    _ s: Matrix<T>, rowMass: [T]? = nil, columnMass: [T]? = nil, steps: Int, tolerance: T? = nil
  ) -> SinkhornAnchorState<T> {
    let (n, m) = (s.rows, s.columns)
    precondition(steps >= 1, "The Sinkhorn anchor needs at least one normalization")
    let r = rowMass ?? [T](repeating: 1, count: n)
    let c = columnMass ?? [T](repeating: T(n) / T(max(m, 1)), count: m)
    precondition(r.count == n && c.count == m, "Masses must match the score matrix")
    let logR = r.map { T.log($0) }, logC = c.map { T.log($0) }
    var f = [T](repeating: 0, count: n), g = [T](repeating: 0, count: m)
    var history: [(f: [T], g: [T])] = []
    var taken = 0
    for step in 0..<steps {
      if step % 2 == 0 {
        let lse = Kernels.rowLogSumExp(s, scale: 1, columnOffsets: g)
        for i in 0..<n { f[i] = logR[i] - lse[i] }
      } else {
        let lse = Kernels.columnLogSumExp(s, scale: 1, rowOffsets: f)
        for j in 0..<m { g[j] = logC[j] - lse[j] }
      }
      history.append((f, g))
      taken = step + 1
      if let tolerance, step % 2 == 1 {
        // After a column step the columns are exact; the rows are off by the next row step.
        let lse = Kernels.rowLogSumExp(s, scale: 1, columnOffsets: g)
        var error: T = 0
        for i in 0..<n { error = Swift.max(error, (T.exp(f[i] + lse[i]) - r[i]).magnitude) }
        if error <= tolerance { break }
      }
    }
    let weights = Self.weights(s, f: f, g: g)
    var rowError: T = 0, columnError: T = 0
    let rows = weights.rowSums(), columns = weights.columnSums()
    for i in 0..<n { rowError = Swift.max(rowError, (rows[i] - r[i]).magnitude) }
    for j in 0..<m { columnError = Swift.max(columnError, (columns[j] - c[j]).magnitude) }
    return SinkhornAnchorState(
      weights: weights, potentials: history, rowMass: r, columnMass: c, steps: taken, rowError: rowError, columnError: columnError)
  }

  /// `P_ij = exp(S_ij + f_i + g_j)`.
  @inlinable
  public static func weights<T: MatrixScalar>(_ s: Matrix<T>, f: [T], g: [T]) -> Matrix<T> {
    var p = s
    let m = s.columns
    p.withUnsafeMutableBufferPointer { pp in
      let base = pp.baseAddress!
      f.withUnsafeBufferPointer { fp in
        g.withUnsafeBufferPointer { gp in
          Parallel.forEachRange(count: s.rows, cost: 8 * m) { range in
            for i in range {
              let row = base + i * m
              for j in 0..<m { row[j] += fp[i] + gp[j] }
              T._exp(UnsafePointer(row), row, count: m)
            }
          }
        }
      }
    }
    return p
  }

  /// The gradient of a loss with respect to `S` through the unrolled normalizations, given
  /// its gradient `gradient` with respect to the weights.
  ///
  /// Each step `X_t = X_{t-1} - LSE_rows(X_{t-1}) + log r` has the adjoint
  /// `G_{t-1} = G_t - diag(G_t 1 / r) P_t` (columns alike), with `P_t` the weights after
  /// step `t`, rebuilt from its potentials.
  ///
  /// - Complexity: `O(steps * n * m)` exponentials.
  @inlinable
  public static func backwardUnrolled<T: MatrixScalar>(
    _ s: Matrix<T>, state: SinkhornAnchorState<T>, gradient: Matrix<T>
  ) -> Matrix<T> {
    let (n, m) = (s.rows, s.columns)
    var adjoint = gradient * state.weights  // dL/dX_final = G ⊙ P
    for t in stride(from: state.steps - 1, through: 0, by: -1) {
      let p = Self.weights(s, f: state.potentials[t].f, g: state.potentials[t].g)
      if t % 2 == 0 {
        let sums = adjoint.rowSums()
        let factors = (0..<n).map { sums[$0] / state.rowMass[$0] }
        adjoint = adjoint - Matrix(column: factors) * p
      } else {
        let sums = adjoint.columnSums()
        let factors = (0..<m).map { sums[$0] / state.columnMass[$0] }
        adjoint = adjoint - Matrix(row: factors) * p
      }
    }
    return adjoint
  }

  /// The gradient with respect to `S` by implicit differentiation of the fixed point
  /// `P 1 = r`, `P^T 1 = c` (exact at convergence; memory independent of the steps):
  /// `dS = H - P ⊙ (alpha 1^T + 1 beta^T)` with `H = G ⊙ P` and
  /// `[[diag r, P], [P^T, diag c]] [alpha; beta] = [H 1; H^T 1]`, solved through its Schur
  /// complement `(diag c - P^T diag(1/r) P) beta = H^T 1 - P^T (H 1 / r)` by conjugate
  /// gradients on the mean-zero subspace (the system's null space is the constant shift).
  ///
  /// - Complexity: `O(n m)` per conjugate-gradient iteration.
  @inlinable
  public static func backwardImplicit<T: MatrixScalar>(
    weights p: Matrix<T>, rowMass r: [T], columnMass c: [T], gradient: Matrix<T>,
    tolerance: T = T.ulpOfOne.squareRoot() / 100, maxIterations: Int = 500
  ) -> Matrix<T> {
    let (n, m) = (p.rows, p.columns)
    let h = gradient * p
    let h1 = h.rowSums(), hT1 = h.columnSums()
    func pTimes(_ x: [T]) -> [T] { Matrix.product(p, Matrix(column: x)).elements }  // n
    func ptTimes(_ y: [T]) -> [T] { Matrix.product(p, Matrix(column: y), transposeA: true).elements }  // m
    func schur(_ beta: [T]) -> [T] {
      let pb = pTimes(beta)
      let back = ptTimes((0..<n).map { pb[$0] / r[$0] })
      return (0..<m).map { c[$0] * beta[$0] - back[$0] }
    }
    func centered(_ v: [T]) -> [T] {
      let mean = v.reduce(0, +) / T(max(v.count, 1))
      return v.map { $0 - mean }
    }
    let correction = ptTimes((0..<n).map { h1[$0] / r[$0] })
    let rhs = centered((0..<m).map { hT1[$0] - correction[$0] })
    let beta = ConjugateGradient.solve(rhs: rhs, relativeTolerance: tolerance, maxIterations: maxIterations) { centered(schur($0)) }
    let pb = pTimes(beta)
    let alpha = (0..<n).map { (h1[$0] - pb[$0]) / r[$0] }
    return h - p * (Matrix(column: alpha) + Matrix(row: beta))
  }
}
