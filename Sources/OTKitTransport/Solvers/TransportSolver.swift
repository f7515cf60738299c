/// A transport solver: a settings value whose `solve` turns a problem into a solution.
///
/// A new solver is one file with a type conforming to this protocol and one case of
/// ``TransportMethod`` (with its line in ``OT/solver(for:problem:options:)``).
public protocol TransportSolver: Sendable {
  /// The method's name in results and on the command line.
  var method: TransportMethod { get }
  /// Solves the problem.
  ///
  /// - Throws: ``TransportProblemError`` when the solver cannot take the problem.
  func solution(of problem: TransportProblem) throws -> any TransportSolution
}

extension NetworkSimplex: TransportSolver {
  public var method: TransportMethod { .exact }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }
}

extension AssignmentSolver: TransportSolver {
  public var method: TransportMethod { .assignment }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { try solve(problem) }
}

extension OneDimensionalTransport: TransportSolver {
  public var method: TransportMethod { .oneDimensional }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { try solve(problem) }
}

extension Sinkhorn: TransportSolver {
  public var method: TransportMethod { .sinkhorn }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }
}

extension SinkhornNewtonSparse: TransportSolver {
  public var method: TransportMethod { .sns }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }
}

extension SmoothTransport: TransportSolver {
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { solve(problem) }
}
