import Benchmark
import OTKit

// The kernels of OTKitCore on seeded random data. The peer script
// ../scripts/peers/kernels.py times the same operations in NumPy/SciPy.
//
// Threads: OTKIT_THREADS and OTKIT_BLAS_THREADS (default: all cores);
// the acceptance figures of the product are taken with both set to 1.

nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput], timeUnits: .milliseconds,
    warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 20)

  var rng = SeededGenerator(seed: 7)
  let n = 1024
  let a: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
  let b: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
  let af = Matrix<Float>(a)
  let bf = Matrix<Float>(b)

  for backend in KernelBackend.allCases {
    if backend == .blas && SystemBLAS.shared == nil { continue }
    Benchmark("dgemm 1024 (\(backend.rawValue))") { benchmark in
      var c = Matrix<Double>(rows: n, columns: n)
      for _ in benchmark.scaledIterations {
        Kernels.gemm(alpha: 1, a, b, beta: 0, into: &c, backend: backend)
        blackHole(c)
      }
    }
    Benchmark("dgemm A B^T 1024 (\(backend.rawValue))") { benchmark in
      var c = Matrix<Double>(rows: n, columns: n)
      for _ in benchmark.scaledIterations {
        Kernels.gemm(alpha: 1, a, b, transposeB: true, beta: 0, into: &c, backend: backend)
        blackHole(c)
      }
    }
    Benchmark("dgemm A^T B 1024 (\(backend.rawValue))") { benchmark in
      var c = Matrix<Double>(rows: n, columns: n)
      for _ in benchmark.scaledIterations {
        Kernels.gemm(alpha: 1, a, transposeA: true, b, beta: 0, into: &c, backend: backend)
        blackHole(c)
      }
    }
    Benchmark("sgemm 1024 (\(backend.rawValue))") { benchmark in
      var c = Matrix<Float>(rows: n, columns: n)
      for _ in benchmark.scaledIterations {
        Kernels.gemm(alpha: 1, af, bf, beta: 0, into: &c, backend: backend)
        blackHole(c)
      }
    }
  }

  if let blas = SystemBLAS.shared {
    // The same product through cblas_dgemm directly, with no OTKit code around it.
    Benchmark("dgemm 1024 (cblas_dgemm direct)") { benchmark in
      var c = [Double](repeating: 0, count: n * n)
      for _ in benchmark.scaledIterations {
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
              blas.callDGEMMDirectly(
                m: n, n: n, k: n, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
            }
          }
        }
        blackHole(c)
      }
    }
  }

  let big: Matrix<Double> = rng.normalMatrix(rows: 4000, columns: 4000)
  Benchmark("row logsumexp 4000x4000") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(big.rowLogSumExp()) }
  }
  Benchmark("column logsumexp 4000x4000") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(big.columnLogSumExp()) }
  }
  let g = (0..<4000).map { Double($0) / 4000 }
  Benchmark("fused row LSE_j((g_j - C_ij)/eps) 4000x4000") { benchmark in
    for _ in benchmark.scaledIterations {
      blackHole(Kernels.rowLogSumExp(big, scale: -10, columnOffsets: g))
    }
  }
  let x: Matrix<Double> = rng.normalMatrix(rows: 4000, columns: 16)
  let y: Matrix<Double> = rng.normalMatrix(rows: 4000, columns: 16)
  Benchmark("squared distances 4000x4000 d=16") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Matrix.squaredDistances(x, y)) }
  }
}
