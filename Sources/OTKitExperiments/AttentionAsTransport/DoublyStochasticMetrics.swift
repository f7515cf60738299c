import Foundation
import OTKitAttention
import OTKitCore

/// The doubly stochastic matrices the anchors produce on a grid of random score matrices
/// (QDSFormer's brute-force study over inputs, with the metrics of
/// `ot-training-signals.md` section 3): their marginal error, diversity, distance from the
/// Sinkhorn fixed point of the same scores, and the time of a forward and backward pass.
public struct DoublyStochasticMetrics: Sendable, Codable, Equatable {
  public var anchor: String
  public var tokens: Int
  /// The mean of `||N 1 - 1||_2 + ||N^T 1 - 1||_2`.
  public var marginalError: Double
  /// The mean pairwise Frobenius distance between the matrices of different inputs.
  public var diversity: Double
  /// The mean Frobenius distance from the Sinkhorn fixed point (to `1e-12`) of the same scores.
  public var fixedPointDistance: Double
  /// The mean Spearman correlation between the scores and the weights (information kept).
  public var spearman: Double
  /// The seconds of one forward and backward pass.
  public var seconds: Double

  /// The metrics of `anchor` over `inputs` standard normal `tokens x tokens` score matrices.
  ///
  /// - Complexity: `inputs` anchor passes and Sinkhorn solves, plus `inputs^2 tokens^2`.
  public static func measure(anchor name: String, tokens t: Int, inputs: Int, seed: UInt64) -> DoublyStochasticMetrics {
    let anchor = AttentionStudy.anchor(named: name) ?? .softmax
    var generator = SeededGenerator(seed: seed)
    let scores: [Matrix<Double>] = (0..<inputs).map { _ in generator.normalMatrix(rows: t, columns: t) }
    var matrices: [Matrix<Double>] = []
    var (marginal, distance, spearman, seconds) = (0.0, 0.0, 0.0, 0.0)
    for s in scores {
      var w = Matrix<Double>(rows: 0, columns: 0)
      seconds += Stopwatch.time {
        let (weights, record) = anchor.forward(s)
        w = weights
        _ = anchor.backward(scores: s, record: record, gradient: s)
      }
      matrices.append(w)
      let (rows, columns) = (w.rowSums(), w.columnSums())
      marginal += rows.reduce(0) { $0 + ($1 - 1) * ($1 - 1) }.squareRoot() + columns.reduce(0) { $0 + ($1 - 1) * ($1 - 1) }.squareRoot()
      let plan = SinkhornAnchor.normalize(s, steps: 100_000, tolerance: 1e-12).weights
      distance += frobenius(w, plan)
      spearman += rankCorrelation(s.elements, w.elements)
    }
    var diversity = 0.0
    for a in 0..<inputs { for b in (a + 1)..<max(inputs, a + 1) { diversity += frobenius(matrices[a], matrices[b]) } }
    let n = Double(max(inputs, 1))
    return DoublyStochasticMetrics(
      anchor: name, tokens: t, marginalError: marginal / n, diversity: diversity / max(n * (n - 1) / 2, 1),
      fixedPointDistance: distance / n, spearman: spearman / n, seconds: seconds / n)
  }

  static func frobenius(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.elements, b.elements).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
  }

  /// Spearman's rank correlation (ties by their mean rank).
  static func rankCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
      let order = v.indices.sorted { v[$0] < v[$1] }
      var r = [Double](repeating: 0, count: v.count)
      var i = 0
      while i < order.count {
        var j = i
        while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
        for k in i...j { r[order[k]] = Double(i + j) / 2 }
        i = j + 1
      }
      return r
    }
    let (rx, ry) = (ranks(x), ranks(y))
    let (mx, my) = (rx.reduce(0, +) / Double(rx.count), ry.reduce(0, +) / Double(ry.count))
    var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
    for (a, b) in zip(rx, ry) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
  }
}
