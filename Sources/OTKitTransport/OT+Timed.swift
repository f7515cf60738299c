import Foundation

extension OT {
  /// Solves `problem` as ``solve(_:method:options:)`` does, with the solve alone on the
  /// clock: the stored cost matrix that the solver reads is built first, as POT's `ot.emd`
  /// and OTT-JAX take the costs given (not for the 1-D solver, which reads the points, nor
  /// for entropic solves on online costs or beyond ``Sinkhorn/denseLimit`` entries).
  ///
  /// - Throws: as ``solver(for:problem:options:)``.
  /// - Complexity: the chosen solver's, plus `O(n m d)` for the costs.
  public static func timedSolve(
    _ problem: TransportProblem, method: TransportMethod = .auto, options: SolveOptions = .init()
  ) throws -> (solution: any TransportSolution, seconds: Double) {
    let chosen = method == .auto ? chooseMethod(for: problem, epsilon: options.epsilon) : method
    // The solver first: it refuses what does not fit in memory before any matrix is built.
    let solver = try solver(for: chosen, problem: problem, options: options)
    if readsStoredCosts(chosen, problem: problem, options: options) && (solver as? Sinkhorn)?.online != true { _ = problem.cost }
    let start = DispatchTime.now().uptimeNanoseconds
    let solution = try solver.solution(of: problem)
    return (solution, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }

  /// Whether the solver of `method` reads the stored `n x m` cost matrix.
  static func readsStoredCosts(_ method: TransportMethod, problem: TransportProblem, options: SolveOptions) -> Bool {
    if method.isEntropic {
      guard let epsilon = options.epsilon, !(options.online ?? false) else { return false }
      return problem.n * problem.m <= Sinkhorn(epsilon: epsilon).denseLimit
    }
    return method != .oneDimensional
  }
}
