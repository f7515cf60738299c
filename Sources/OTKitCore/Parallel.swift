import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parallel loops over blocks of rows on all cores.
///
/// The thread count defaults to the number of online processors; the environment variable
/// `OTKIT_THREADS` or ``setThreads(_:)`` changes it. Work below a size threshold runs on the
/// calling thread, so small problems pay no dispatch cost.
public enum Parallel {
  /// The number of processors online.
  public static let processorCount: Int = {
    let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return max(1, Int(online))
  }()

  private static let configured = Atomic<Int>(
    Environment.value("OTKIT_THREADS").flatMap(Int.init).flatMap { (1...4096).contains($0) ? $0 : nil } ?? 0)

  /// A thread count for the current task and the tasks it creates (``withThreads(_:_:)``).
  @TaskLocal static var scopedThreads: Int?

  /// The number of threads parallel kernels use.
  public static var threads: Int {
    if let scoped = scopedThreads { return scoped }
    let value = configured.load(ordering: .relaxed)
    return value > 0 ? value : processorCount
  }

  /// Runs `body` with `count` threads for the parallel kernels it calls from the current
  /// task, leaving every other task's count alone (``setThreads(_:)`` changes the process's).
  public static func withThreads<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
    try $scopedThreads.withValue(max(1, count)) { try body() }
  }

  /// Sets the number of threads parallel kernels use; `nil` restores the default.
  public static func setThreads(_ count: Int?) {
    configured.store(count.map { max(1, $0) } ?? 0, ordering: .relaxed)
  }

  /// Calls `body` on disjoint sub-ranges that cover `0..<count`, concurrently.
  ///
  /// - Parameters:
  ///   - count: The number of items.
  ///   - cost: The approximate work per item, in elementary operations; ranges are sized so
  ///     that each holds at least about 32,768 operations, and a loop smaller than that runs
  ///     on the calling thread.
  ///   - body: Receives one range; ranges never overlap.
  public static func forEachRange(
    count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let minimumItems = max(1, 32_768 / max(cost, 1))
    let workers = min(threads, (count + minimumItems - 1) / minimumItems)
    if workers <= 1 {
      body(0..<count)
      return
    }
    // A few chunks per worker balance uneven rows without much dispatch overhead.
    let chunks = min(count, workers * 4)
    withoutActuallyEscaping(body) { body in
      let task = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = count * chunk / chunks
        let end = count * (chunk + 1) / chunks
        if start < end { task.value(start..<end) }
      }
    }
  }

  /// Splits `0..<count` into at most ``threads`` contiguous ranges (never empty), the ones
  /// ``forEachWorker(count:cost:_:)`` hands out.
  public static func workerRanges(count: Int, cost: Int = 1) -> [Range<Int>] {
    guard count > 0 else { return [] }
    let minimumItems = max(1, 32_768 / max(cost, 1))
    let workers = max(1, min(threads, (count + minimumItems - 1) / minimumItems))
    return (0..<workers).map { count * $0 / workers..<count * ($0 + 1) / workers }
  }

  /// Calls `body(worker, range)` once per range of ``workerRanges(count:cost:)``,
  /// concurrently; for reductions that keep one partial result per worker.
  public static func forEachWorker(
    count: Int, cost: Int = 1, _ body: (Int, Range<Int>) -> Void
  ) {
    let ranges = workerRanges(count: count, cost: cost)
    if ranges.count <= 1 {
      if let only = ranges.first { body(0, only) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let task = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: ranges.count) { task.value($0, ranges[$0]) }
    }
  }
}

/// Carries a value into a `@Sendable` closure. The parallel loops hand each call disjoint
/// ranges, which is what makes sharing the body (and the buffers it writes) safe.
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
