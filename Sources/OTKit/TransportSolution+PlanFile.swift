extension TransportSolution {
  /// Writes the plan: a dense `.npy` matrix, or a CSV of the non-zero entries (`source`,
  /// `target`, `mass`; a dense CSV matrix when the solver keeps no sparse plan).
  ///
  /// - Throws: `DataError` naming the file when it cannot be written.
  /// - Complexity: `O(n m)` for a dense plan, `O(nnz)` for the entries.
  public func writePlan(to path: String) throws {
    if MatrixFile.isNumPy(path) {
      try MatrixFile.write(sparsePlan?.dense() ?? densePlan(), to: path)
    } else if let plan = sparsePlan {
      var entries = Matrix<Double>(rows: plan.nonZeroCount, columns: 3)
      for k in 0..<plan.nonZeroCount {
        (entries[k, 0], entries[k, 1], entries[k, 2]) = (Double(plan.rows[k]), Double(plan.columns[k]), plan.masses[k])
      }
      try MatrixFile.write(entries, to: path, header: ["source", "target", "mass"])
    } else {
      try MatrixFile.write(densePlan(), to: path)
    }
  }
}
