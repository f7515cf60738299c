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

extension HugePages {
  /// An array of `count` copies of `value`, its storage advised for huge pages when large.
  @inlinable
  public static func array<T>(repeating value: T, count: Int) -> [T] {
    // Empty: the shared empty storage, never written (`unsafeUninitializedCapacity: 0`
    // stores a count into it, which races across threads).
    guard count > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride)
      buffer.baseAddress?.initialize(repeating: value, count: count)
      initialized = count
    }
  }

  /// An array of `count` elements that `body` initializes (every one of them), its storage
  /// advised for huge pages when large.
  @inlinable
  public static func array<T>(
    count: Int, _ body: (UnsafeMutableBufferPointer<T>) throws -> Void
  ) rethrows -> [T] {
    guard count > 0 else {
      try body(UnsafeMutableBufferPointer(start: nil, count: 0))
      return []
    }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride)
      try body(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
      initialized = count
    }
  }

  /// Allocates `count` uninitialized elements, advised for huge pages when large.
  @inlinable
  public static func allocate<T>(_ type: T.Type, capacity count: Int) -> UnsafeMutablePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: count)
    advise(UnsafeMutableRawPointer(pointer), byteCount: count * MemoryLayout<T>.stride)
    return pointer
  }
}
