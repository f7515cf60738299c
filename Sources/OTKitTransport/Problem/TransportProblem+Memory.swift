import OTKitCore

extension TransportProblem {
  /// The bytes of building the `n x m` cost matrix: 0 when it is stored (given, or built by
  /// an earlier use), else `8 n m`.
  public var costMatrixBytes: Int { hasCostMatrix ? 0 : MemoryBudget.bytes(n, m) }

  /// `count` copies of an `n x m` matrix of `scalar`-byte entries.
  func planes(_ count: Int, scalar: Int = 8) -> Int { MemoryBudget.bytes(count, n, m, scalar: scalar) }

  /// Refuses a solve whose estimated peak does not fit (`MemoryBudget`), naming the
  /// method, the size and the way out.
  ///
  /// - Throws: `MemoryError`.
  func checkMemory(_ bytes: Int, method: TransportMethod, wayOut: String) throws {
    try MemoryBudget.check(bytes, for: "\(method.solverName) on \(n) x \(m) points", wayOut: wayOut)
  }

  /// The way out of a dense solve: online costs when there are point clouds, reached by
  /// `option` (another method's solve: `--method sinkhorn`; Sinkhorn's own: `--online`).
  func onlineWayOut(_ option: String = "--method sinkhorn") -> String {
    pointCloud != nil
      ? "\(option) computes the costs online in O(n + m) memory"
      : "a cost matrix this large does not fit; give the point clouds instead, which Sinkhorn reads online"
  }
}
