import Foundation

/// Wall-clock timing for benchmarks and reports (never for results).
public enum Stopwatch {
  /// Seconds taken by `body`.
  public static func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// The fastest of `runs` timings of `body`.
  public static func best(of runs: Int, _ body: () -> Void) -> Double {
    (0..<runs).map { _ in time(body) }.min() ?? 0
  }
}
