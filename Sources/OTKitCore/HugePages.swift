#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back large fresh buffers with transparent huge pages.
///
/// On Linux with transparent huge pages in `madvise` mode (the common default), a fresh
/// 128 MB matrix otherwise costs some 32,000 page faults on first touch, more than the
/// arithmetic of many kernels; NumPy makes the same request for its large arrays. The
/// advice covers the 2 MiB-aligned part of the buffer and is a no-op elsewhere.
public enum HugePages {
  /// Buffers at least this large (in bytes) are advised.
  public static let threshold = 4 << 20

  /// Advises the untouched buffer `pointer..<pointer+byteCount`.
  @inlinable
  public static func advise(_ pointer: UnsafeMutableRawPointer?, byteCount: Int) {
    #if os(Linux)
    guard let pointer, byteCount >= threshold else { return }
    adviseAligned(pointer, byteCount: byteCount)
    #endif
  }

  @usableFromInline
  static func adviseAligned(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
    #if os(Linux)
    let huge = 2 << 20
    let start = (Int(bitPattern: pointer) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: pointer) + byteCount) & ~(huge - 1)
    guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(aligned, end - start, 14 /* MADV_HUGEPAGE */)
    #endif
  }
}
