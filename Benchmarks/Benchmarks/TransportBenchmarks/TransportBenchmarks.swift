import Benchmark
import OTKit

// Exact OT solvers on seeded problems: uniform weights, d = 16, squared Euclidean, both
// clouds standard normal (the problems of ../scripts/peers/exact_ot.py, which times POT's
// ot.emd and emd2_1d on the same shapes).

nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1,
    maxDuration: .seconds(5), maxIterations: 10)

  func problem(_ n: Int, seed: UInt64) -> TransportProblem {
    var rng = SeededGenerator(seed: seed)
    let x: Matrix<Double> = rng.normalMatrix(rows: n, columns: 16)
    let y: Matrix<Double> = rng.normalMatrix(rows: n, columns: 16)
    let p = try! TransportProblem(source: x, target: y)
    _ = p.cost  // build the cost matrix outside the measurement
    return p
  }

  for n in [1000, 2000] {
    let p = problem(n, seed: UInt64(n))
    Benchmark("network simplex n=\(n)") { benchmark in
      for _ in benchmark.scaledIterations { blackHole(NetworkSimplex().solve(p)) }
    }
    Benchmark("assignment n=\(n)") { benchmark in
      for _ in benchmark.scaledIterations { blackHole(try AssignmentSolver().solve(p)) }
    }
  }

  // Entropic: eps = 0.01 max(C), tolerance 1e-9 (the problems of entropic_ot.py, smaller).
  let entropic = problem(1000, seed: 3)
  for useFloat in [false, true] {
    Benchmark("sinkhorn n=1000 eps=0.01max (\(useFloat ? "Float" : "Double"))") { benchmark in
      let solver = Sinkhorn(
        epsilon: .relative(0.01, to: .max), tolerance: useFloat ? 1e-6 : 1e-9, useFloat: useFloat)
      for _ in benchmark.scaledIterations { blackHole(solver.solve(entropic)) }
    }
  }
  let small = problem(300, seed: 4)
  Benchmark("sns n=300 eps=0.002max") { benchmark in
    let solver = SinkhornNewtonSparse(epsilon: .relative(0.002, to: .max), tolerance: 1e-10)
    for _ in benchmark.scaledIterations { blackHole(solver.solve(small)) }
  }

  var rng = SeededGenerator(seed: 1)
  let x: Matrix<Double> = rng.normalMatrix(rows: 1_000_000, columns: 1)
  let y: Matrix<Double> = rng.normalMatrix(rows: 1_000_000, columns: 1, mean: 1, standardDeviation: 2)
  let line = try! TransportProblem(source: x, target: y)
  Benchmark("1-D n=1e6") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(try OneDimensionalTransport().solve(line)) }
  }
  Benchmark("1-D radix sort n=1e6") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Kernels.sortingPermutation(x.elements)) }
  }
}
