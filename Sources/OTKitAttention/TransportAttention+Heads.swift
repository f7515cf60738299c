import OTKitCore

/// A head whose scores the operator cannot take (``TransportAttention/checkScores(queries:keys:)``).
public struct AttentionHeadError: Error, Sendable {
  public var head: Int
  public var error: AttentionScoreError
}

extension TransportAttention {
  /// What ``heads(queries:keys:values:weights:output:diagnostics:)`` computed.
  public struct Heads<T: MatrixScalar> {
    /// Each head's weights (empty when only the output was asked for).
    public var weights: [Matrix<T>] = []
    /// Each head's `weights x V` (empty without values or when not asked for).
    public var outputs: [Matrix<T>] = []
    /// Each head's diagnostics, in `Double` (empty when not asked for).
    public var diagnostics: [AttentionDiagnostics] = []
    /// Whether the diagnostics were left out because they did not fit in memory (asked for
    /// with `diagnostics: nil`).
    public var diagnosticsSkipped = false
    /// The time of the anchor on the scores (the scores product untimed) or, for the output
    /// alone, of the whole output; never of the diagnostics.
    public var seconds = 0.0
  }

  /// Attention on every head in the inputs' precision, each head's scores checked first:
  /// the weights (and `weights x V` with `output`) or, for the output alone
  /// (`weights: false, output: true`), the output by the path that never forms the
  /// weights (blocked in cache for the softmax in `Float`); with `diagnostics`, each head's
  /// diagnostics in `Double` (`nil`: when they fit in memory, else skipped and said so in
  /// ``Heads/diagnosticsSkipped``).
  ///
  /// - Throws: `MemoryError` when the request does not fit in memory
  ///   (``peakBytes(_:)``); ``AttentionHeadError`` for the first head whose scores do not fit.
  /// - Complexity: the anchor's per head, plus `O(n m d_v)` for the output.
  public func heads<T: MatrixScalar>(
    queries q: [Matrix<T>], keys k: [Matrix<T>], values v: [Matrix<T>]?, weights keepWeights: Bool, output: Bool, diagnostics asked: Bool?
  ) throws -> Heads<T> {
    var result = Heads<T>()
    var diagnostics = asked ?? true
    if let first = q.first, let keys = k.first {
      var request = Request(
        heads: q.count, queries: first.rows, keys: keys.rows, scalarBytes: MemoryLayout<T>.size, weights: keepWeights,
        output: output, diagnostics: diagnostics)
      if asked == nil && !MemoryBudget.fits(peakBytes(request)) {
        (request.diagnostics, diagnostics, result.diagnosticsSkipped) = (false, false, true)
      }
      try checkMemory(request)
    }
    for h in 0..<q.count {
      do {
        try checkScores(queries: q[h], keys: k[h])
      } catch let error as AttentionScoreError {
        throw AttentionHeadError(head: h, error: error)
      }
      var w: Matrix<T>?
      var scoresOfHead: Matrix<T>?
      if !keepWeights && output, let v {
        var o = Matrix<T>(rows: 0, columns: 0)
        result.seconds += Stopwatch.time { o = self.output(queries: q[h], keys: k[h], values: v[h]) }
        result.outputs.append(o)
      } else {
        let scores = self.scores(queries: q[h], keys: k[h])
        scoresOfHead = scores
        var computed = Matrix<T>(rows: 0, columns: 0)
        result.seconds += Stopwatch.time { computed = Self.weights(scores, anchor: anchor) }
        w = computed
        result.weights.append(computed)
        if let v, output { result.outputs.append(Matrix.product(computed, v[h])) }
      }
      if diagnostics {
        // In Double; the weights path's scores already are, for float64 input.
        let scores = scoresOfHead as? Matrix<Double> ?? self.scores(queries: Matrix<Double>(q[h]), keys: Matrix<Double>(k[h]))
        let weightsForDiagnostics = w.map(Matrix<Double>.init) ?? Self.weights(scores, anchor: anchor)
        var d = AttentionDiagnostics(weights: weightsForDiagnostics, scores: scores, temperature: resolvedTemperature(keySize: q[h].columns))
        d.gauge = gauge(of: scores, keySize: q[h].columns)
        if let v {
          let o = result.outputs.count == h + 1 ? Matrix<Double>(result.outputs[h]) : Matrix.product(weightsForDiagnostics, Matrix<Double>(v[h]))
          let svd = o.singularValueDecomposition()
          (d.contextRank, d.contextEffectiveRank) = (svd.numericalRank(), svd.effectiveRank)
        }
        result.diagnostics.append(d)
      }
    }
    return result
  }
}

extension TransportAttention {
  /// The gauge of a head's scores on the ``carrier`` with the rank-`d_k` normal form, when
  /// affordable (``ScoreGauge/isAffordable(rows:columns:)``) and finite on the carrier.
  public func gauge(of scores: Matrix<Double>, keySize: Int) -> GaugeSummary? {
    guard ScoreGauge.isAffordable(rows: scores.rows, columns: scores.columns) else { return nil }
    for i in 0..<scores.rows {
      for j in 0..<scores.columns where carrier.contains(i, j) && !scores[i, j].isFinite { return nil }
    }
    return ScoreGauge(scores: scores, carrier: carrier).summary(carrier: carrier, rank: keySize)
  }
}

extension AttentionDiagnostics {
  /// One line per head (entropy, zeros, marginal errors, plan distance, the one-sided
  /// objective and its minimum) under a header, as `otkit attention` prints them.
  public static func table(_ heads: [AttentionDiagnostics]) -> String {
    let header = ["head", "entropy", "zeros", "row error", "column error", "plan distance", "EOT objective", "EOT minimum"]
    return ([header.joined(separator: "  ")] + heads.enumerated().map { h, d in
      [String(h), String(format: "%.4f", d.entropy), String(format: "%.4f", d.zeroFraction), String(format: "%.2e", d.rowMarginalError),
       String(format: "%.2e", d.columnMarginalError), String(format: "%.4f", d.planDistance),
       String(format: "%.6g", d.oneSidedObjective), String(format: "%.6g", d.oneSidedMinimum)].joined(separator: "  ")
    }).joined(separator: "\n")
  }

  /// One line per head of seed 002's identities, the saturation and the gauge (`-` where
  /// not computed), as `otkit attention` prints them under ``table(_:)``.
  public static func geometryTable(_ heads: [AttentionDiagnostics]) -> String {
    func number(_ x: Double?, _ format: String) -> String { x.map { String(format: format, $0) } ?? "-" }
    let header = ["head", "advantage error", "Fisher/Hessian error", "advantage spread", "saturated", "unary fraction", "interaction eff. rank", "residual at d"]
    return ([header.joined(separator: "  ")] + heads.enumerated().map { h, d in
      [String(h), number(d.identities?.advantageMaxError, "%.2e"), number(d.identities?.fisherHessianMaxError, "%.2e"),
       number(d.identities?.advantageSpread, "%.4g"), String(format: "%.4f", d.saturatedRowShare), number(d.gauge?.unaryFraction, "%.4f"),
       number(d.gauge?.effectiveRank, "%.3f"), number(d.gauge?.residual, "%.2e")].joined(separator: "  ")
    }).joined(separator: "\n")
  }
}
