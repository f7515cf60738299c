internal import _OTKitShims

/// The instruction set of the exponential and softmax kernels.
///
/// Swift code in a package is compiled for the architecture's baseline (SSE2 on x86-64)
/// because a package may not set compiler flags. The exponential, the shifted sum of
/// exponentials and the row softmax therefore also exist as C kernels compiled with target
/// attributes for AVX-512 and AVX2 (the `_OTKitShims` target), chosen once per process
/// from CPUID. They perform exactly the operations of `VectorExp` without fused
/// multiply-adds, so every exponential is bit for bit the same on every path; only the
/// order of the additions inside sums differs. `OTKIT_VECTOR_KERNELS=0` turns them off
/// (`avx2` caps them at AVX2).
public enum VectorKernels {
  /// The width in bytes of the vectors in use: 64 (AVX-512), 32 (AVX2) or 0 (portable
  /// Swift SIMD).
  public static let width: Int = Int(otkit_vector_bytes())

  /// A name for the instruction set in use: `avx512`, `avx2` or `portable`.
  public static var name: String {
    switch width {
    case 64: return "avx512"
    case 32: return "avx2"
    default: return "portable"
    }
  }
}

extension VectorExp {
  static func dispatchedExp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
    if VectorKernels.width > 0 { otkit_exp_f64(x, y, count) } else { exp(x, y, count: count) }
  }

  static func dispatchedExp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    if VectorKernels.width > 0 { otkit_exp_f32(x, y, count) } else { exp(x, y, count: count) }
  }

  static func dispatchedSumExp(_ x: UnsafePointer<Double>, count: Int, shift: Double) -> Double {
    VectorKernels.width > 0 ? otkit_sum_exp_f64(x, count, shift) : sumExp(x, count: count, shift: shift)
  }

  static func dispatchedSumExp(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
    VectorKernels.width > 0 ? otkit_sum_exp_f32(x, count, shift) : sumExp(x, count: count, shift: shift)
  }

  static func dispatchedSoftmax(_ row: UnsafeMutablePointer<Double>, count: Int) {
    if VectorKernels.width > 0 {
      otkit_softmax_f64(row, count)
    } else {
      softmax(row, count: count, lanes: SIMD4<Double>.self, exp: exp)
    }
  }

  static func dispatchedSoftmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
    if VectorKernels.width > 0 {
      otkit_softmax_f32(row, count)
    } else {
      softmax(row, count: count, lanes: SIMD8<Float>.self, exp: expNonPositive)
    }
  }
}
