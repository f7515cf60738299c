extension KeyedEncodingContainer {
  /// Encodes a number, or `null` when it is not finite: JSON has no NaN or infinity, and
  /// OTKit's reports say "not a number" as `null` rather than fail to encode.
  ///
  /// - Complexity: `O(1)`.
  public mutating func encodeFinite(_ x: Double, forKey key: Key) throws {
    if x.isFinite { try encode(x, forKey: key) } else { try encodeNil(forKey: key) }
  }

  /// Encodes a number, or `null` when it is absent or not finite.
  ///
  /// - Complexity: `O(1)`.
  public mutating func encodeFinite(_ x: Double?, forKey key: Key) throws {
    if let x, x.isFinite { try encode(x, forKey: key) } else { try encodeNil(forKey: key) }
  }
}
