/// Transposition and row and column slices.
extension Matrix {
  /// The transpose, by cache blocks of 32 x 32.
  ///
  /// - Complexity: `O(rows * columns)`.
  @inlinable
  public func transposed() -> Matrix {
    let (m, n) = (rows, columns)
    guard m > 1 && n > 1 else { return Matrix(rows: n, columns: m, elements: elements) }
    let block = 32
    let out = [Scalar](unsafeUninitializedCapacity: m * n) { dst, initialized in
      withUnsafeBufferPointer { src in
        let s = src.baseAddress!, d = dst.baseAddress!
        let blocks = (m + block - 1) / block
        Parallel.forEachRange(count: blocks, cost: block * n) { range in
          for ib in range {
            let i0 = ib * block, i1 = Swift.min(i0 + block, m)
            var j0 = 0
            while j0 < n {
              let j1 = Swift.min(j0 + block, n)
              for i in i0..<i1 {
                for j in j0..<j1 { (d + j * m + i).initialize(to: s[i * n + j]) }
              }
              j0 = j1
            }
          }
        }
      }
      initialized = m * n
    }
    return Matrix(rows: n, columns: m, elements: out)
  }

  /// Row `i` as an array.
  @inlinable
  public func row(_ i: Int) -> [Scalar] {
    precondition(i >= 0 && i < rows, "Row \(i) is outside 0..<\(rows)")
    return Array(elements[i * columns..<(i + 1) * columns])
  }

  /// Column `j` as an array.
  @inlinable
  public func column(_ j: Int) -> [Scalar] {
    precondition(j >= 0 && j < columns, "Column \(j) is outside 0..<\(columns)")
    return (0..<rows).map { elements[$0 * columns + j] }
  }

  /// The rows in `range`, as a matrix.
  @inlinable
  public func rows(_ range: Range<Int>) -> Matrix {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Rows \(range) are outside 0..<\(rows)")
    return Matrix(
      rows: range.count, columns: columns,
      elements: Array(elements[range.lowerBound * columns..<range.upperBound * columns]))
  }

  /// The columns in `range`, as a matrix.
  @inlinable
  public func columns(_ range: Range<Int>) -> Matrix {
    precondition(range.lowerBound >= 0 && range.upperBound <= columns, "Columns \(range) are outside 0..<\(columns)")
    var out = [Scalar]()
    out.reserveCapacity(rows * range.count)
    for i in 0..<rows {
      out.append(contentsOf: elements[i * columns + range.lowerBound..<i * columns + range.upperBound])
    }
    return Matrix(rows: rows, columns: range.count, elements: out)
  }

  /// The rows at `indices`, in that order (a gather; indices may repeat).
  @inlinable
  public func rows(at indices: [Int]) -> Matrix {
    var out = [Scalar]()
    out.reserveCapacity(indices.count * columns)
    for i in indices {
      precondition(i >= 0 && i < rows, "Row \(i) is outside 0..<\(rows)")
      out.append(contentsOf: elements[i * columns..<(i + 1) * columns])
    }
    return Matrix(rows: indices.count, columns: columns, elements: out)
  }

  /// The columns at `indices`, in that order.
  @inlinable
  public func columns(at indices: [Int]) -> Matrix {
    for j in indices { precondition(j >= 0 && j < columns, "Column \(j) is outside 0..<\(columns)") }
    return Matrix(rows: rows, columns: indices.count) { i, k in elements[i * columns + indices[k]] }
  }

  /// The matrix with `other`'s rows appended below; the column counts must agree.
  @inlinable
  public func appendingRows(_ other: Matrix) -> Matrix {
    precondition(columns == other.columns || isEmpty || other.isEmpty,
      "Cannot stack \(rows) x \(columns) over \(other.rows) x \(other.columns)")
    if isEmpty { return other }
    if other.isEmpty { return self }
    return Matrix(rows: rows + other.rows, columns: columns, elements: elements + other.elements)
  }
}
