import OTKitCore

/// Scores that attention cannot turn into weights in its working precision.
public enum AttentionScoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `Q K^T / T` overflows the precision; `bound` is the Cauchy-Schwarz bound of the scores
  /// (the largest query norm times the largest key norm, over the temperature when it is
  /// below 1).
  case overflow(bound: Double, precision: String)
  /// The Sinkhorn anchor's potentials grow with the scores: beyond `limit` one unit in the
  /// last place of `S_ij + f_i + g_j` exceeds 1e-3, and the weights' exponents carry that
  /// error.
  case beyondSinkhornResolution(largest: Double, limit: Double, precision: String)

  public var description: String {
    switch self {
    case .overflow(let bound, let precision):
      "the scores Q K^T / T overflow \(precision) (the inputs reach \(bound) in product)"
    case .beyondSinkhornResolution(let largest, let limit, let precision):
      "scores up to \(largest) exceed what the sinkhorn anchor resolves in \(precision) (\(limit))"
    }
  }
}

extension TransportAttention {
  /// The largest score magnitude the Sinkhorn anchor resolves in a precision: `2^42` in
  /// `Double`, `2^13` in `Float` (where one unit in the last place reaches 1e-3).
  public static func sinkhornResolutionLimit<T: MatrixScalar>(_: T.Type) -> Double {
    T.self == Float.self ? 8_192 : 4_398_046_511_104
  }

  /// Throws when the scores of `queries` and `keys` cannot be represented in `T`, or, for
  /// the Sinkhorn anchor, resolved (see ``AttentionScoreError``). A bound from the largest
  /// row norms decides in `O((n + m) d)`; the scores themselves are formed (once) only when
  /// the bound exceeds a limit.
  ///
  /// - Complexity: `O((n + m) d)`, and `O(n m d)` when the bound is inconclusive.
  public func checkScores<T: MatrixScalar>(queries: Matrix<T>, keys: Matrix<T>) throws {
    let precision = T.self == Float.self ? "float32" : "float64"
    let tau = resolvedTemperature(keySize: queries.columns)
    let bound = Self.largestRowNorm(queries) * Self.largestRowNorm(keys) * Swift.max(1, 1 / tau)
    var formed: Matrix<T>?
    func scores() -> Matrix<T> {
      if let formed { return formed }
      let s = self.scores(queries: queries, keys: keys)
      formed = s
      return s
    }
    if case .sinkhorn = anchor {
      let limit = Self.sinkhornResolutionLimit(T.self)
      if bound > limit {
        let largest = scores().elements.reduce(0.0) { Swift.max($0, abs(Double($1))) }
        if largest > limit { throw AttentionScoreError.beyondSinkhornResolution(largest: largest, limit: limit, precision: precision) }
      }
    }
    if bound <= Double(T.greatestFiniteMagnitude) || scores().isFinite { return }
    throw AttentionScoreError.overflow(bound: bound, precision: precision)
  }

  /// The largest Euclidean norm of a row, computed on values divided by the largest
  /// magnitude so that it does not overflow.
  static func largestRowNorm<T: MatrixScalar>(_ x: Matrix<T>) -> Double {
    let scale = x.elements.reduce(0.0) { Swift.max($0, abs(Double($1))) }
    guard scale > 0 else { return 0 }
    var largest = 0.0
    for i in 0..<x.rows {
      var s = 0.0
      for j in 0..<x.columns {
        let e = Double(x[i, j]) / scale
        s += e * e
      }
      largest = Swift.max(largest, s)
    }
    return scale * largest.squareRoot()
  }
}
