import OTKitCore

extension Tensor {
  /// The transpose.
  ///
  /// - Complexity: `O(rows * columns)`, forward and backward.
  public func transposed() -> Tensor { graph.record(.transpose, inputs: [self], value: value.transposed()) }
}
