import Foundation

/// A value behind a lock, for the few pieces of process-wide state OTKit keeps (pending
/// atomic writes, the memory limit, a cost matrix built once, the latest progress report).
///
/// It takes a POSIX mutex (Foundation's `NSLock`), not the standard library's
/// `Synchronization.Mutex`: on Linux the latter waits on a futex inside the uninstrumented
/// standard library, so ThreadSanitizer does not see its ordering and reports the values it
/// guards as races; a `pthread_mutex_t` is intercepted, so the sanitizer checks the code
/// around the lock instead of drowning it in false reports.
///
/// - Complexity: one lock and one unlock per ``withLock(_:)``.
public final class Locked<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  public init(_ value: Value) {
    self.value = value
  }

  /// Runs `body` on the value while holding the lock, and returns what it returns.
  public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
