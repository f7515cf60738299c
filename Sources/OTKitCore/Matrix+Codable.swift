extension Matrix {
  private enum CodingKeys: String, CodingKey { case rows, columns, storage }

  /// Decodes `rows`, `columns` and the row-major `storage`, checking that the shape is
  /// non-negative and holds exactly the stored elements (with checked arithmetic), so that
  /// a corrupt file is a `DecodingError`, never a trap.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let rows = try container.decode(Int.self, forKey: .rows)
    let columns = try container.decode(Int.self, forKey: .columns)
    let storage = try container.decode([Scalar].self, forKey: .storage)
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard rows >= 0, columns >= 0, !overflow, count == storage.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .storage, in: container,
        debugDescription: "a \(rows) x \(columns) matrix cannot hold the \(storage.count) stored elements")
    }
    self.init(rows: rows, columns: columns, elements: storage)
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(rows, forKey: .rows)
    try container.encode(columns, forKey: .columns)
    try container.encode(storage, forKey: .storage)
  }
}
