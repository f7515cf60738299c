import Benchmark
import Foundation
import OTKit

// Reading CSV files: the study's data set (../shared/data/beed.csv, 8,000 x 17) and a
// generated 1,000,000 x 16 numeric file (written once to the temporary folder).

nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1,
    maxDuration: .seconds(5), maxIterations: 20)

  let beed = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data/beed.csv").path
  if FileManager.default.fileExists(atPath: beed) {
    Benchmark("read beed.csv (8,000 x 17)") { benchmark in
      for _ in benchmark.scaledIterations {
        blackHole(try CSV.read(beed, options: .init(label: .name("y"))))
      }
    }
  }

  let big = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-bench-1e6x16.csv").path
  Benchmark("read 1,000,000 x 16 CSV", configuration: .init(maxIterations: 5)) { benchmark in
    if !FileManager.default.fileExists(atPath: big) {
      var rng = SeededGenerator(seed: 1)
      let m: Matrix<Double> = rng.normalMatrix(rows: 1_000_000, columns: 16)
      try CSV.write(m, to: big, header: (1...16).map { "x\($0)" })
    }
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(try CSV.read(big))
    }
  }
}
