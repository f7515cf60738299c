import Foundation
import Synchronization

extension Parallel {
  /// Runs `count` independent jobs (fits over seeds, say) on up to ``threads`` workers at
  /// once, each job with one thread for the kernels it calls, and returns their results in
  /// job order. Jobs that run one thread each give the same values as a run one after the
  /// other, whatever the number of workers, when they share no state.
  ///
  /// Small models gain more from this than from splitting their own small products, whose
  /// dispatch costs more than it saves.
  ///
  /// - Throws: the error of the first job in job order that throws (the others still run).
  /// - Complexity: the jobs' work over `min(threads, count)` workers.
  public static func independentJobs<Value: Sendable>(_ count: Int, _ body: (Int) throws -> Value) throws -> [Value] {
    let workers = min(threads, count)
    guard workers > 1 else { return try (0..<count).map { i in try withThreads(1) { try body(i) } } }
    let results = Locked([Result<Value, any Error>?](repeating: nil, count: count))
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
      let job = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while case let i = next.add(1, ordering: .relaxed).oldValue, i < count {
          let result = Result { try withThreads(1) { try job.value(i) } }
          results.withLock { $0[i] = result }
        }
      }
    }
    return try results.withLock { $0 }.map { try $0!.get() }
  }
}
