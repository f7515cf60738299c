import OTKitCore

/// Heads of queries, keys and values that do not go together; `input` says which array is
/// at fault, so that a caller can name its file.
public struct AttentionInputError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Input: Sendable { case queries, keys, values }
  public var input: Input
  public var description: String
}

extension TransportAttention {
  /// Checks the heads against each other: the same number of heads (at least one), queries,
  /// keys and coordinates present, widths and counts that agree, finite values.
  ///
  /// - Throws: ``AttentionInputError`` naming the array at fault (and the head, when there
  ///   are several).
  /// - Complexity: O(size of the arrays).
  public static func checkInputs(queries q: [Matrix<Double>], keys k: [Matrix<Double>], values v: [Matrix<Double>]?) throws {
    func fail(_ input: AttentionInputError.Input, _ text: String) -> AttentionInputError { AttentionInputError(input: input, description: text) }
    guard !q.isEmpty else { throw fail(.queries, "the array has 0 heads") }
    guard q.count == k.count else { throw fail(.keys, "\(k.count) heads, the queries have \(q.count)") }
    if let v, v.count != q.count { throw fail(.values, "\(v.count) heads, the queries have \(q.count)") }
    for h in 0..<q.count {
      let head = q.count > 1 ? " (head \(h))" : ""
      guard q[h].rows > 0 else { throw fail(.queries, "no queries\(head)") }
      guard k[h].rows > 0 else { throw fail(.keys, "no keys\(head)") }
      guard q[h].columns > 0 else { throw fail(.queries, "the queries have no coordinates (d = 0)\(head)") }
      guard q[h].columns == k[h].columns else { throw fail(.keys, "keys have width \(k[h].columns), queries \(q[h].columns)\(head)") }
      if let v, v[h].rows != k[h].rows { throw fail(.values, "\(v[h].rows) values for \(k[h].rows) keys\(head)") }
      let arrays: [(Matrix<Double>, AttentionInputError.Input)] = [(q[h], .queries), (k[h], .keys)] + (v.map { [($0[h], .values)] } ?? [])
      for (matrix, input) in arrays {
        guard let index = matrix.elements.firstIndex(where: { !$0.isFinite }) else { continue }
        throw fail(input, "the value at row \(index / matrix.columns + 1), column \(index % matrix.columns + 1)\(head) is \(matrix.elements[index]), not a finite number")
      }
    }
  }
}
