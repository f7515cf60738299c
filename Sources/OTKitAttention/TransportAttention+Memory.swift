import OTKitCore

extension TransportAttention {
  /// What ``heads(queries:keys:values:weights:output:diagnostics:)`` asks for, as its peak
  /// memory depends on it.
  public struct Request: Sendable, Equatable {
    public var heads: Int
    public var queries: Int
    public var keys: Int
    /// The bytes of a scalar of the computation (8 for `Double`, 4 for `Float`).
    public var scalarBytes: Int
    public var weights: Bool
    public var output: Bool
    public var diagnostics: Bool

    public init(heads: Int, queries: Int, keys: Int, scalarBytes: Int, weights: Bool, output: Bool, diagnostics: Bool) {
      (self.heads, self.queries, self.keys, self.scalarBytes) = (heads, queries, keys, scalarBytes)
      (self.weights, self.output, self.diagnostics) = (weights, output, diagnostics)
    }
  }

  /// Whether the output alone takes the blocked path that never forms the weights (the
  /// softmax in `Float` on a CPU with AVX-512 or AVX2).
  public func outputIsBlocked(scalarBytes: Int) -> Bool {
    anchor == .softmax && scalarBytes == 4 && Fast.blockedAttentionIsAvailable
  }

  /// The peak bytes beyond the inputs of a request: the weights kept for every head, plus
  /// the larger of one head's scores while they are computed (and its weights, for the
  /// output alone with an anchor other than the softmax; none on the blocked path) and
  /// a file's copy of the kept weights; the diagnostics add two `n x m` planes in `Double`
  /// (three for `Float` input, whose scores they recompute in `Double`). Measured at
  /// n = m = 5000 on one head: 394 MB for 400 estimated (`Double` weights), 786 for 800
  /// (with the diagnostics), 198 for 200 (`Float`).
  ///
  /// - Complexity: O(1).
  public func peakBytes(_ r: Request) -> Int {
    let kept = r.weights ? MemoryBudget.bytes(r.heads, r.queries, r.keys, scalar: r.scalarBytes) : 0
    let blocked = !r.weights && r.output && outputIsBlocked(scalarBytes: r.scalarBytes)
    // The output alone forms the weights beside the scores (the softmax in place).
    let planes = blocked ? 0 : r.weights || anchor == .softmax ? 1 : 2
    let scores = MemoryBudget.bytes(planes, r.queries, r.keys, scalar: r.scalarBytes)
    let diagnostics = r.diagnostics ? MemoryBudget.bytes(r.scalarBytes == 8 ? 2 : 3, r.queries, r.keys) : 0
    return MemoryBudget.sum(kept, max(scores, kept), diagnostics)
  }

  /// Refuses a request whose peak does not fit (`MemoryBudget`).
  ///
  /// - Throws: `MemoryError` with the way out: the output alone (blocked for the softmax in
  ///   `Float`), without the diagnostics, or fewer queries.
  public func checkMemory(_ r: Request) throws {
    try MemoryBudget.check(
      peakBytes(r),
      for: "attention on \(r.heads) head(s) of \(r.queries) queries x \(r.keys) keys (\(r.weights || !outputIsBlocked(scalarBytes: r.scalarBytes) ? "the weights" : "the output")\(r.diagnostics ? " and the diagnostics" : ""))",
      wayOut: "ask for the output alone without the diagnostics (--output, --no-diagnostics), which with the softmax in float32 never forms the weights, or split the queries")
  }
}
