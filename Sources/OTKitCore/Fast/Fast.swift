/// Fused kernels: the attention entry points that run a whole layer's scores, softmax and
/// products in one call over unsafe buffers, with AVX-512 / AVX2 C kernels chosen at run
/// time (the role of MLX's `fast` namespace).
///
/// They sit apart from ``Kernels`` and from ``MatrixScalar``: the element protocol of
/// ``Matrix`` carries no attention hooks, and the per-type dispatch to the C kernels is an
/// internal protocol of this module. Each entry point checks the element type once per call
/// and runs code specialized for `Double` or `Float`.
public enum Fast {}

extension Fast {
  /// Reinterprets `value` as the same type spelled over another generic parameter; the
  /// entry points use it after checking that the two parameters are one type.
  @inline(__always)
  static func same<A, B>(_ value: A, as type: B.Type = B.self) -> B {
    precondition(A.self == B.self, "Fast: \(A.self) is not \(B.self)")
    return unsafeBitCast(value, to: B.self)
  }
}
