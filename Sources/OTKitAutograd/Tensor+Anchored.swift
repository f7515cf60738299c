import OTKitAttention
import OTKitCore

extension Tensor {
  /// The attention weights of a score tensor under `anchor`, differentiable.
  public func anchored(_ anchor: AttentionAnchor) -> Tensor {
    if anchor == .softmax { return softmax() }
    let (weights, record) = anchor.forward(value)
    return graph.record(.anchor(record), inputs: [self], value: weights)
  }
}
