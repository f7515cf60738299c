import OTKitCore

extension EntropicResult {
  /// The entropic map of the solution applied to new points: the barycentric projection
  /// `T(x) = Σ_j w_j(x) y_j` with `w_j(x) ∝ exp((g_j - c(x, y_j)) / ε)`, the target
  /// potential's soft c-transform (A.-A. Pooladian, J. Niles-Weed, "Entropic estimation of
  /// optimal transport maps", 2021; OTT-JAX's `EntropicPotentials.transport`). At a source
  /// point of the problem it equals the plan's barycentric projection `(P y)_i / a_i`.
  ///
  /// - Parameters:
  ///   - points: New points (rows), of the target's dimension.
  ///   - target: The target points the solution was computed on (`m` rows).
  ///   - cost: The ground cost the solution used.
  /// - Complexity: `O(k m d)` for `k` points.
  public func transport(_ points: Matrix<Double>, target: Matrix<Double>, cost: GroundCost = .squaredEuclidean) -> Matrix<Double> {
    precondition(target.rows == targetPotential.count, "the target has \(target.rows) points, the solution \(targetPotential.count)")
    precondition(points.columns == target.columns, "points of dimension \(points.columns) for a target of dimension \(target.columns)")
    var logits = PointCloud(source: points, target: target, cost: cost).costMatrix
    for r in 0..<logits.rows {
      for j in 0..<logits.columns { logits[r, j] = (targetPotential[j] - logits[r, j]) / epsilon }
    }
    return Kernels.softmaxRows(logits).multiplied(by: target)
  }
}
