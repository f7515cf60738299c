import OTKitCore

extension NPY {
  /// The heads of an array file: a 2-D array (`n x d`, one head) or a 3-D one (`heads x n
  /// x d`) in NPY, or a CSV table (one head); and whether the values are float32.
  ///
  /// - Throws: ``DataError`` naming the file when it cannot be read or has another rank.
  /// - Complexity: O(size of the file).
  public static func readHeads(_ path: String) throws -> (heads: [Matrix<Double>], float32: Bool) {
    if path.lowercased().hasSuffix(".csv") { return ([try CSV.read(path).features], false) }
    let array = try read(path)
    switch array.shape.count {
    case 2: return ([Matrix(rows: array.shape[0], columns: array.shape[1], elements: array.values)], array.dtype == .float32)
    case 3:
      let (h, n, d) = (array.shape[0], array.shape[1], array.shape[2])
      let size = n * d
      let heads = (0..<h).map { (k: Int) -> Matrix<Double> in
        let values: [Double] = Swift.Array(array.values[(k * size)..<((k + 1) * size)])
        return Matrix(rows: n, columns: d, elements: values)
      }
      return (heads, array.dtype == .float32)
    default:
      throw DataError(.shapeMismatch("attention inputs need 2 or 3 dimensions, the array has shape \(array.shape)"), file: path)
    }
  }

  /// Writes one matrix as a 2-D array, several (of one shape) as a 3-D one, in their own
  /// precision.
  ///
  /// - Throws: ``DataError`` when the file cannot be written.
  public static func write<T: MatrixScalar>(heads matrices: [Matrix<T>], to path: String) throws {
    if matrices.count == 1 { return try write(matrices[0], to: path) }
    try write(
      NPY.Array(
        shape: [matrices.count, matrices[0].rows, matrices[0].columns], dtype: T.self == Float.self ? .float32 : .float64,
        values: matrices.flatMap { $0.elements.map { Double($0) } }),
      to: path)
  }
}
