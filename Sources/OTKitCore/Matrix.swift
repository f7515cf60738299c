/// A dense matrix of `Double` or `Float` in row-major order.
///
/// `Matrix` is a value type with copy-on-write storage. Element `(i, j)` lives at
/// `elements[i * columns + j]`. Shapes are checked: combining matrices whose shapes do not
/// fit is a programmer error and traps with a message that names both shapes; user data is
/// validated where it is read (see `OTKitData`), with thrown errors.
///
/// ```swift
/// let a = Matrix<Double>([[1, 2], [3, 4]])
/// let b = a + Matrix(row: [10, 20])      // broadcasts the row over both rows
/// let c = Matrix.product(a, b, transposeB: true)
/// ```
public struct Matrix<Scalar: MatrixScalar>: Sendable, Equatable, Hashable, Codable {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements in row-major order; `elements.count == rows * columns`.
  @inlinable
  public var elements: [Scalar] {
    get { storage }
    _modify {
      let count = storage.count
      yield &storage
      precondition(storage.count == count, "The element count of a Matrix cannot change")
    }
  }

  @usableFromInline
  internal var storage: [Scalar]

  /// A matrix of the given shape whose elements all equal `value`.
  @inlinable
  public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape \(rows) x \(columns) is negative")
    self.rows = rows
    self.columns = columns
    self.storage = HugePages.array(repeating: value, count: rows * columns)
  }

  /// A matrix of the given shape over `elements` in row-major order.
  @inlinable
  public init(rows: Int, columns: Int, elements: [Scalar]) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape \(rows) x \(columns) is negative")
    precondition(
      elements.count == rows * columns,
      "Matrix \(rows) x \(columns) needs \(rows * columns) elements, got \(elements.count)")
    self.rows = rows
    self.columns = columns
    self.storage = elements
  }

  /// A matrix whose elements are left uninitialized, for kernels that write every element
  /// before anything reads it (a product with `beta == 0`); this saves the pass that
  /// zero-filling would make over fresh memory.
  @inlinable
  init(uninitializedRows rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape \(rows) x \(columns) is negative")
    self.rows = rows
    self.columns = columns
    // An empty array is the shared empty storage: `unsafeUninitializedCapacity: 0` would
    // store its count there, a write ThreadSanitizer rightly reports across threads.
    self.storage = rows * columns == 0 ? [] : [Scalar](unsafeUninitializedCapacity: rows * columns) { buffer, count in
      HugePages.advise(
        UnsafeMutableRawPointer(buffer.baseAddress),
        byteCount: buffer.count * MemoryLayout<Scalar>.stride)
      count = rows * columns
    }
  }

  /// A matrix of the given shape whose element `(i, j)` is `body(i, j)`.
  @inlinable
  public init(rows: Int, columns: Int, _ body: (Int, Int) throws -> Scalar) rethrows {
    precondition(rows >= 0 && columns >= 0, "Matrix shape \(rows) x \(columns) is negative")
    var elements = [Scalar]()
    elements.reserveCapacity(rows * columns)
    for i in 0..<rows {
      for j in 0..<columns { elements.append(try body(i, j)) }
    }
    self.init(rows: rows, columns: columns, elements: elements)
  }

  /// A matrix from nested rows; every row must have the same length.
  @inlinable
  public init(_ nestedRows: [[Scalar]]) {
    let columns = nestedRows.first?.count ?? 0
    for (i, row) in nestedRows.enumerated() {
      precondition(row.count == columns, "Row \(i) has \(row.count) elements, expected \(columns)")
    }
    self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
  }

  /// A `1 x n` matrix holding one row.
  @inlinable
  public init(row: [Scalar]) {
    self.init(rows: 1, columns: row.count, elements: row)
  }

  /// An `n x 1` matrix holding one column.
  @inlinable
  public init(column: [Scalar]) {
    self.init(rows: column.count, columns: 1, elements: column)
  }

  /// The `n x n` identity matrix.
  @inlinable
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m.storage[i * n + i] = 1 }
    return m
  }

  /// The shape `(rows, columns)`.
  public var shape: (rows: Int, columns: Int) { (rows, columns) }

  /// The number of elements.
  public var count: Int { elements.count }

  /// Whether the matrix has no elements.
  public var isEmpty: Bool { elements.isEmpty }

  /// The element in row `i` and column `j`.
  @inlinable
  public subscript(i: Int, j: Int) -> Scalar {
    get {
      precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Index (\(i), \(j)) is outside \(rows) x \(columns)")
      return storage[i * columns + j]
    }
    set {
      precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Index (\(i), \(j)) is outside \(rows) x \(columns)")
      storage[i * columns + j] = newValue
    }
  }

  /// The same elements read as another shape with the same count.
  @inlinable
  public func reshaped(rows: Int, columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, elements: elements)
  }

  /// Converts the elements to another scalar type.
  @inlinable
  public init<Other: MatrixScalar>(_ other: Matrix<Other>) {
    self.init(rows: other.rows, columns: other.columns, elements: other.elements.map { Scalar($0) })
  }

  /// Calls `body` with the elements, contiguous in row-major order.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements, contiguous in row-major order, for writing.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }

  /// Whether every element is finite (no NaN, no infinity).
  @inlinable
  public var isFinite: Bool {
    elements.allSatisfy { $0.isFinite }
  }

  /// Whether the two matrices have the same shape and every pair of elements differs by at
  /// most `absolute + relative * max(|a|, |b|)`.
  @inlinable
  public func isApproximatelyEqual(
    to other: Matrix, absoluteTolerance: Scalar = 0,
    relativeTolerance: Scalar = Scalar.ulpOfOne.squareRoot()
  ) -> Bool {
    guard rows == other.rows, columns == other.columns else { return false }
    for (a, b) in zip(elements, other.elements) {
      if a == b { continue }
      let tolerance = absoluteTolerance + relativeTolerance * Swift.max(a.magnitude, b.magnitude)
      if !((a - b).magnitude <= tolerance) { return false }
    }
    return true
  }
}

extension Matrix: CustomStringConvertible {
  @inlinable
  public var description: String {
    let shown = Swift.min(rows, 6)
    var lines = ["Matrix<\(Scalar.self)> \(rows) x \(columns)"]
    for i in 0..<shown {
      let values = (0..<Swift.min(columns, 8)).map { "\(self[i, $0])" }
      lines.append("  [" + values.joined(separator: ", ") + (columns > 8 ? ", ..." : "") + "]")
    }
    if rows > shown { lines.append("  ...") }
    return lines.joined(separator: "\n")
  }
}
