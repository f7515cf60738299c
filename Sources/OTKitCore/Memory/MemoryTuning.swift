#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed memory in the process for reuse, for workloads that allocate and free the
/// same large buffers over and over (a training step builds and drops a tape of matrices).
///
/// glibc returns blocks of 128 KiB or more to the kernel on every free (with `munmap`, or by
/// trimming the heap), so each training step pays page faults and zeroing for all of its
/// memory again: the encoder-block step of `Benchmarks/NeuralBenchmarks` takes 19 ms
/// without this tuning and 9 ms with it. PyTorch avoids it
/// with a caching allocator. ``retainFreedMemory()`` raises glibc's `M_MMAP_THRESHOLD` to
/// 32 MiB and `M_TRIM_THRESHOLD` to 256 MiB through `mallopt`, once per process: at most
/// 256 MiB of freed memory stays mapped. It changes the whole process's allocator, so no
/// entry point of the library calls it: the `otkit` command does at start, and a program
/// that trains models calls it once itself. `OTKIT_MALLOC_TUNING=0` leaves the allocator
/// alone. A no-op on other C libraries.
public enum MemoryTuning {
  /// Whether the tuning was applied.
  public static let isApplied: Bool = apply()

  /// Applies the tuning once (later calls do nothing).
  @discardableResult
  public static func retainFreedMemory() -> Bool { isApplied }

  static func apply() -> Bool {
    #if os(Linux) && canImport(Glibc)
    if let value = getenv("OTKIT_MALLOC_TUNING"), String(cString: value) == "0" { return false }
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") else { return false }
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    let trim = mallopt(-1 /* M_TRIM_THRESHOLD */, 256 << 20)
    let mmap = mallopt(-3 /* M_MMAP_THRESHOLD */, 32 << 20)
    return trim == 1 && mmap == 1
    #else
    return false
    #endif
  }
}
