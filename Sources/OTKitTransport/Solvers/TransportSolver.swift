/// A transport solver: a settings value whose `solve` turns a problem into a solution.
///
/// A new solver is one file with a type conforming to this protocol and one case of
/// ``TransportMethod`` naming it (``TransportMethod/solverType``): the solver says which of
/// the method-specific settings of ``SolveOptions`` it takes (``settings(for:)``) and how it
/// is built from them (``configured(_:for:options:)``), so ``OT/solve(_:method:options:)``,
/// ``SolveOptions/check(for:)`` and `otkit transport --method NAME` reach it with no other
/// edit.
public protocol TransportSolver: Sendable {
  /// The method's name in results and on the command line.
  var method: TransportMethod { get }
  /// Solves the problem.
  ///
  /// - Throws: ``TransportProblemError`` when the solver cannot take the problem.
  func solution(of problem: TransportProblem) throws -> any TransportSolution

  /// The method-specific settings of ``SolveOptions`` (``SolveOptions/restrictedSettings``,
  /// named as its fields) that `method` takes; the others it rejects.
  static func settings(for method: TransportMethod) -> Set<String>

  /// The solver of `method` built from `options` (already checked by
  /// ``SolveOptions/check(for:)``) for `problem`.
  ///
  /// - Throws: ``SolveError`` when a setting cannot be resolved on the problem (a relative
  ///   epsilon on identical points, costs beyond `Float`).
  static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) throws -> Self
}
