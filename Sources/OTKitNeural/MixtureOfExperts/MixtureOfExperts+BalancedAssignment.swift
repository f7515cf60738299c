import OTKitCore
import OTKitTransport

extension MixtureOfExperts {
  /// BASE's balanced assignment: each of the `m` tokens to one of the `n` experts, every
  /// expert at most `c = ceil(m / n)` tokens (exactly `c` when `n` divides `m`), maximizing
  /// the total score (M. Lewis et al., ICML 2021, who solve it by an auction).
  ///
  /// Each expert becomes `c` slots and `n c - m` dummy tokens of zero score fill the square,
  /// which ``AssignmentSolver`` (Jonker-Volgenant) solves exactly.
  ///
  /// - Returns: each token's expert, or `nil` when the scores are not finite.
  /// - Complexity: `O((n c)^3)` in the worst case (`O(m^3)`), far less in practice.
  public static func balancedAssignment(scores s: Matrix<Double>) -> [Int]? {
    let (m, n) = (s.rows, s.columns)
    guard m > 0, n > 0, s.elements.allSatisfy(\.isFinite) else { return nil }
    let slots = (m + n - 1) / n
    let size = n * slots
    // Costs are the negated scores shifted to be non-negative (the solver's optimum is unchanged).
    let top = s.elements.max() ?? 0
    let cost = Matrix<Double>(rows: size, columns: size) { i, j in i < m ? top - s[i, j / slots] : 0 }
    guard let problem = try? TransportProblem(cost: cost), let result = try? AssignmentSolver().solve(problem) else {
      return nil
    }
    var expert = [Int](repeating: 0, count: m)
    for (i, j) in zip(result.plan.rows, result.plan.columns) where i < m { expert[i] = j / slots }
    return expert
  }
}
