import Benchmark
import Foundation
import OTKit

// The attention anchors at n = 1024 queries and keys, d = 64, Float, threads fixed to 2
// (OTKIT_THREADS=2, OTKIT_BLAS_THREADS=2), against scripts/peers/attention.py: PyTorch's
// scaled_dot_product_attention (softmax), a NumPy log-domain Sinkhorn attention of 10
// normalizations, and the entmax package's sparsemax and entmax15 on the score matrix.
// "attention forward" returns the weights and the output; "attention output" the output
// alone (what SDPA returns).

nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
  // As the otkit command does at start (a process-wide choice, not an entry point's).
  MemoryTuning.retainFreedMemory()
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 1,
    maxDuration: .seconds(5), maxIterations: 50)
  Parallel.setThreads(2)
  var g = SeededGenerator(seed: 0)
  let q: Matrix<Float> = g.normalMatrix(rows: 1024, columns: 64)
  let k: Matrix<Float> = g.normalMatrix(rows: 1024, columns: 64)
  let v: Matrix<Float> = g.normalMatrix(rows: 1024, columns: 64)
  let scores = TransportAttention().scores(queries: q, keys: k)

  // The output alone, as PyTorch's scaled_dot_product_attention returns it: blocked, without
  // forming the weights (AVX-512/AVX2 kernels; the weights path elsewhere). Registered
  // first: for about 0.1 s after a matrix product OpenBLAS's worker thread spins, and a
  // kernel on OTKit's own threads run in that window shares the two cores with it.
  let softmax = TransportAttention()
  Benchmark("attention output softmax (blocked), n 1024, d 64, Float") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(softmax.output(queries: q, keys: k, values: v)) }
  }

  let anchors: [(String, AttentionAnchor)] = [
    ("softmax", .softmax), ("sinkhorn 10", .sinkhorn(SinkhornAnchorSettings(iterations: 10))),
    ("sparsemax", .sparsemax), ("entmax 1.5", .entmax(alpha: 1.5)),
  ]
  for (name, anchor) in anchors {
    let attention = TransportAttention(anchor: anchor)
    Benchmark("attention forward \(name), n 1024, d 64, Float") { benchmark in
      for _ in benchmark.scaledIterations { blackHole(attention(queries: q, keys: k, values: v)) }
    }
  }
  // The exponential and the row softmax alone: with OTKIT_VECTOR_KERNELS=0 these time the
  // portable Swift SIMD kernels instead of the AVX ones.
  Benchmark("row softmax of 1024 x 1024 scores, Float") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Kernels.softmaxRows(scores)) }
  }
  Benchmark("exp of 1024 x 1024 scores, Float, one thread") { benchmark in
    var out = scores
    for _ in benchmark.scaledIterations {
      scores.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { o in Float._exp(s.baseAddress!, o.baseAddress!, count: s.count) }
      }
      blackHole(out)
    }
  }
  Benchmark("sparsemax of 1024 x 1024 scores, Float") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Entmax.sparsemax(scores)) }
  }
  Benchmark("entmax 1.5 of 1024 x 1024 scores, Float") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Entmax.exact15(scores)) }
  }
  // The doubly stochastic anchors at QDSFormer's sizes (T = 16 and 64 tokens), forward and
  // backward in Double: the QR anchor, the simulated circuit (O(T^4)) and Sinkhorn at k = 21
  // (the paper's reference point).
  for t in [16, 64] {
    let s: Matrix<Double> = g.normalMatrix(rows: t, columns: t)
    let upstream: Matrix<Double> = g.normalMatrix(rows: t, columns: t)
    let doubly: [(String, AttentionAnchor)] = [
      ("orthostochastic", .orthostochastic), ("circuit", .circuit), ("sinkhorn 21", .sinkhorn(SinkhornAnchorSettings(iterations: 21))),
    ]
    for (name, anchor) in doubly {
      Benchmark("doubly stochastic \(name), T \(t), forward and backward, Double") { benchmark in
        for _ in benchmark.scaledIterations {
          let (_, record) = anchor.forward(s)
          blackHole(anchor.backward(scores: s, record: record, gradient: upstream))
        }
      }
    }
  }
}
