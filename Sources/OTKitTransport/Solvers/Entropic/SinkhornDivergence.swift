import OTKitCore

/// The debiased Sinkhorn divergence between two weighted point clouds,
/// `S_eps(a, b) = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2`, with `OT_eps` the
/// regularized cost `<P, C> + eps KL(P | a b^T)`.
///
/// J. Feydy, T. Séjourné, F.-X. Vialard, S. Amari, A. Trouvé and G. Peyré, "Interpolating
/// between optimal transport and MMD using Sinkhorn divergences", AISTATS 2019. It is
/// non-negative, zero exactly when the measures agree, and interpolates between OT
/// (`eps -> 0`) and an MMD (`eps -> infinity`). A relative epsilon is resolved once on the
/// cross problem and the same absolute value is used for all three terms.
public struct SinkhornDivergence: Sendable {
  /// The value `S_eps(a, b)`.
  public var value: Double
  /// The absolute epsilon used for the three problems.
  public var epsilon: Double
  /// The solves of `(a, b)`, `(a, a)` and `(b, b)`.
  public var cross: EntropicResult
  public var sourceSelf: EntropicResult
  public var targetSelf: EntropicResult

  /// The worst status of the three solves (converged only if all three converged).
  public var status: SolverStatus {
    for r in [cross, sourceSelf, targetSelf] where r.status != .converged { return r.status }
    return .converged
  }
}

extension Sinkhorn {
  /// The Sinkhorn divergence between the rows of `x` and `y` (see ``SinkhornDivergence``).
  ///
  /// - Throws: ``TransportProblemError`` for invalid data.
  public func divergence(
    _ x: Matrix<Double>, _ y: Matrix<Double>, sourceWeights: [Double]? = nil,
    targetWeights: [Double]? = nil, cost: GroundCost = .squaredEuclidean
  ) throws -> SinkhornDivergence {
    let xy = try TransportProblem(
      source: x, target: y, sourceWeights: sourceWeights, targetWeights: targetWeights, cost: cost)
    let xx = try TransportProblem(source: x, target: x, sourceWeights: sourceWeights, targetWeights: sourceWeights, cost: cost)
    let yy = try TransportProblem(source: y, target: y, sourceWeights: xy.targetWeights, targetWeights: xy.targetWeights, cost: cost)
    var solver = self
    let eps = absoluteEpsilon(for: xy)
    solver.epsilon = .absolute(eps)
    solver.initialPotentials = nil
    let cross = solver.solve(xy)
    let sourceSelf = solver.solve(xx)
    let targetSelf = solver.solve(yy)
    return SinkhornDivergence(
      value: cross.regularizedCost - (sourceSelf.regularizedCost + targetSelf.regularizedCost) / 2,
      epsilon: eps, cross: cross, sourceSelf: sourceSelf, targetSelf: targetSelf)
  }

  /// Solves many problems at once, in parallel (one problem per task; each problem runs
  /// on the task's thread). For the many small problems of attention heads and batches.
  ///
  /// - Complexity: the sum of the solves, divided among the cores.
  public func solve(batch problems: [TransportProblem]) -> [EntropicResult] {
    var results = [EntropicResult?](repeating: nil, count: problems.count)
    results.withUnsafeMutableBufferPointer { out in
      let out = UncheckedMutableBuffer(out)
      Parallel.forEachRange(count: problems.count, cost: 32_768) { range in
        for k in range { out.buffer[k] = solve(problems[k]) }
      }
    }
    return results.map { $0! }
  }
}

/// A buffer written at distinct indices by concurrent tasks.
struct UncheckedMutableBuffer<Element>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Element>
  init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

extension SinkhornDivergence: CustomStringConvertible {
  /// The value, epsilon and status, and the three solves' iterations (never their plans).
  public var description: String {
    "SinkhornDivergence(value \(value), epsilon \(epsilon), \(status), iterations \(cross.iterations) / \(sourceSelf.iterations) / \(targetSelf.iterations))"
  }
}
