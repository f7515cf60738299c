import OTKitCore

/// Reshaping, concatenation, slicing and row gathering.
///
/// A data set of `instances` sequences of `tokens` rows of `features` is one
/// `(instances * tokens) x features` tensor; ``reshaped(rows:columns:)`` moves between that
/// and per-instance blocks (`instances x (tokens * features)`), since both are the same
/// row-major elements.
///
/// - Complexity: `O(elements)`, forward and backward.
extension Tensor {
  /// The same elements in row-major order, read as another shape.
  public func reshaped(rows: Int, columns: Int) -> Tensor {
    precondition(
      rows * columns == self.rows * self.columns,
      "Cannot reshape \(self.rows) x \(self.columns) to \(rows) x \(columns)")
    return graph.record(.reshape, inputs: [self], value: value.reshaped(rows: rows, columns: columns))
  }

  /// Joins tensors down the rows (`.rows`: stacked) or across the columns (`.columns`: side
  /// by side).
  public static func concatenate(_ parts: [Tensor], along axis: Axis) -> Tensor {
    precondition(!parts.isEmpty, "Nothing to concatenate")
    precondition(axis != .all, "Concatenate along .rows or .columns")
    let graph = parts[0].graph
    let value: Matrix<Double>
    let sizes: [Int]
    if axis == .rows {
      let columns = parts[0].columns
      precondition(parts.allSatisfy { $0.columns == columns }, "Stacked tensors need equal column counts")
      value = Matrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: columns, elements: parts.flatMap(\.value.elements))
      sizes = parts.map(\.rows)
    } else {
      let rows = parts[0].rows
      precondition(parts.allSatisfy { $0.rows == rows }, "Side-by-side tensors need equal row counts")
      let total = parts.reduce(0) { $0 + $1.columns }
      var elements = [Double]()
      elements.reserveCapacity(rows * total)
      for i in 0..<rows {
        for part in parts {
          let c = part.columns
          elements.append(contentsOf: part.value.elements[(i * c)..<((i + 1) * c)])
        }
      }
      value = Matrix(rows: rows, columns: total, elements: elements)
      sizes = parts.map(\.columns)
    }
    return graph.record(.concatenate(axis, sizes: sizes), inputs: parts, value: value)
  }

  /// A block of rows and columns.
  public func slice(rows rowRange: Range<Int>? = nil, columns columnRange: Range<Int>? = nil) -> Tensor {
    let r = rowRange ?? 0..<rows, c = columnRange ?? 0..<columns
    precondition(r.lowerBound >= 0 && r.upperBound <= rows, "Rows \(r) outside 0..<\(rows)")
    precondition(c.lowerBound >= 0 && c.upperBound <= columns, "Columns \(c) outside 0..<\(columns)")
    let value = self.value.rows(r).columns(c)
    return graph.record(.slice(rows: r, columns: c), inputs: [self], value: value)
  }

  /// The rows at `indices`, in that order; an index may repeat (the backward pass adds the
  /// gradients of repeated rows).
  public func gatherRows(_ indices: [Int]) -> Tensor {
    graph.record(.gatherRows(indices), inputs: [self], value: value.rows(at: indices))
  }

  /// A `count x columns` tensor whose row `indices[k]` receives row `k` of this one, rows
  /// named more than once adding up and the others zero: the adjoint of ``gatherRows(_:)``
  /// (how a mixture of experts puts its experts' outputs back in token order).
  ///
  /// - Complexity: `O(rows · columns)` forward and backward, besides the zeros.
  public func scatterRows(_ indices: [Int], rows count: Int) -> Tensor {
    precondition(indices.count == rows && indices.allSatisfy { (0..<count).contains($0) }, "One target row in 0..<\(count) per row")
    var result = Matrix<Double>(rows: count, columns: columns)
    let c = columns
    result.withUnsafeMutableBufferPointer { rp in
      value.withUnsafeBufferPointer { vp in
        for (k, i) in indices.enumerated() { for j in 0..<c { rp[i * c + j] += vp[k * c + j] } }
      }
    }
    return graph.record(.scatterRows(indices), inputs: [self], value: result)
  }
}
