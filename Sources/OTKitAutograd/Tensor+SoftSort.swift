import OTKitCore
import OTKitTransport

/// A soft sorting operator of ``OTKitTransport/SoftSort``, applied to each row of a tensor.
public enum SoftSortOperator: Sendable, Equatable {
  /// Soft sorted values (`targets` of them, default the row's length), or the `topk` largest.
  case sort(topk: Int? = nil, targets: Int? = nil)
  /// Soft ranks in `[0, n - 1]`.
  case ranks(targets: Int? = nil)
  /// A soft mask of the `k` largest entries.
  case topkMask(k: Int)
  /// Soft quantiles at increasing levels in `(0, 1)`.
  case quantiles([Double])
}

extension Tensor {
  /// Soft sorting, ranks, top-k masks or quantiles of each row, differentiable (the exact
  /// implicit-differentiation pullback of each row's Sinkhorn solve; Cuturi, Teboul, Vert,
  /// NeurIPS 2019).
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for non-finite rows.
  /// - Complexity: one 1-D Sinkhorn solve per row forward; `O(n m² + m³)` per row backward.
  public func softSorted(_ op: SoftSortOperator, using tool: SoftSort = SoftSort()) throws -> Tensor {
    var outputs: [SoftSort.Output] = []
    for r in 0..<value.rows {
      let row = value.row(r)
      switch op {
      case .sort(let topk, let targets): outputs.append(try tool.sort(row, topk: topk, targets: targets))
      case .ranks(let targets): outputs.append(try tool.ranks(row, targets: targets))
      case .topkMask(let k): outputs.append(try tool.topkMask(row, k: k))
      case .quantiles(let q): outputs.append(try tool.quantiles(row, levels: q))
      }
    }
    let width = outputs.first?.values.count ?? 0
    let result = Matrix<Double>(rows: value.rows, columns: width, elements: outputs.flatMap(\.values))
    return graph.record(.softSort(outputs), inputs: [self], value: result)
  }
}
