
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A request that does not fit in the memory OTKit may use: what it is, the bytes it needs
/// and those available, and the way out.
public struct MemoryError: Error, Equatable, CustomStringConvertible {
  /// What would be allocated ("the 60000 x 60000 cost matrix of the network simplex").
  public var what: String
  public var needed: Int
  public var available: Int
  /// What fits instead ("--method sinkhorn (online costs)", "a smaller batch", "Float").
  public var wayOut: String

  public init(what: String, needed: Int, available: Int, wayOut: String) {
    self.what = what
    self.needed = needed
    self.available = available
    self.wayOut = wayOut
  }

  public var description: String {
    "\(what) needs \(MemoryBudget.format(needed)) but \(MemoryBudget.format(available)) may be used (\(MemoryBudget.limitSource)); \(wayOut)"
  }
}

/// The memory OTKit may use, and the check every entry point that allocates more than
/// `O(n + m)` makes before it allocates: its peak is estimated (O(1) arithmetic on the
/// sizes) and refused with a ``MemoryError`` above the limit, instead of a trap in the
/// allocator, swap or the kernel's OOM killer.
///
/// The limit is, in order: ``setLimit(_:)`` (the command line's `--memory-limit`),
/// `OTKIT_MEMORY_LIMIT` (`512M`, `8G`, bytes), or the memory available now (Linux's
/// `MemAvailable`, capped by the address-space limit of `ulimit -v` less what the process
/// has mapped). Requests below 64 MiB are not checked (they cost nothing to try).
public enum MemoryBudget {
  /// Requests below this many bytes pass without a check.
  public static let checkedAbove = 64 << 20

  private static let configured = Locked<Int?>(nil)

  /// Sets the limit in bytes for this process; `nil` restores the default (the environment
  /// or the available memory).
  public static func setLimit(_ bytes: Int?) {
    configured.withLock { $0 = bytes.map { max(0, $0) } }
  }

  /// The bytes OTKit may use now.
  public static var limit: Int {
    if let set = configured.withLock({ $0 }) { return set }
    if let value = Environment.value("OTKIT_MEMORY_LIMIT").flatMap(parse) { return value }
    return available
  }

  /// Where ``limit`` comes from, for messages.
  public static var limitSource: String {
    if configured.withLock({ $0 }) != nil { return "the set limit" }
    if Environment.value("OTKIT_MEMORY_LIMIT").flatMap(parse) != nil { return "OTKIT_MEMORY_LIMIT" }
    return "the available memory; --memory-limit or OTKIT_MEMORY_LIMIT sets it"
  }

  /// Whether `bytes` more fit now.
  public static func fits(_ bytes: Int) -> Bool { bytes < checkedAbove || bytes <= limit }

  /// Throws when `bytes` more do not fit.
  ///
  /// - Parameters:
  ///   - bytes: the estimated peak of the request.
  ///   - what: the allocation, in words.
  ///   - wayOut: what fits instead.
  /// - Throws: ``MemoryError``.
  /// - Complexity: O(1) below ``checkedAbove``; a read of `/proc/meminfo` above it.
  public static func check(_ bytes: Int, for what: @autoclosure () -> String, wayOut: @autoclosure () -> String) throws {
    guard bytes >= checkedAbove else { return }
    let limit = limit
    guard bytes <= limit else { throw MemoryError(what: what(), needed: bytes, available: limit, wayOut: wayOut()) }
  }

  /// The sum of byte counts, or `Int.max` when it overflows.
  public static func sum(_ parts: Int...) -> Int {
    var total = 0
    for part in parts {
      let (next, overflow) = total.addingReportingOverflow(max(part, 0))
      if overflow { return Int.max }
      total = next
    }
    return total
  }

  /// `count` elements of `scalar` bytes each, or `Int.max` when the product overflows (a
  /// request that cannot fit).
  public static func bytes(_ counts: Int..., scalar: Int = 8) -> Int {
    var total = scalar
    for count in counts {
      let (product, overflow) = total.multipliedReportingOverflow(by: max(count, 0))
      if overflow { return Int.max }
      total = product
    }
    return total
  }
}
