import Benchmark
import Foundation
import OTKit

// The models of scripts/peers/neural.py (PyTorch), threads fixed to 2 (OTKIT_THREADS=2
// and OTKIT_BLAS_THREADS=2 for the BLAS path):
//   1. one epoch of an MLP 16-32-32-4 on BEED 4-class (6,400 rows, batch 64, Adam);
//   2. one forward + backward pass of a one-block post-norm transformer encoder
//      (16 tokens of width 16, 4 heads of size 4, feed-forward 64, batch 256);
//   3. one training step of a mixture-of-experts classifier (scripts/peers/moe_step.py).
// and the block's pieces: its layer products (on the small-operand kernels; with
// OTKIT_VECTOR_KERNELS=0 on the system BLAS) and its fused attention (per-head AVX
// kernels; with OTKIT_VECTOR_KERNELS=0 the portable loops).

nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
  // As the otkit command does at start (a process-wide choice, not an entry point's).
  MemoryTuning.retainFreedMemory()
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 1,
    maxDuration: .seconds(5), maxIterations: 50)
  Parallel.setThreads(2)

  let beed = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data/beed.csv").path
  if FileManager.default.fileExists(atPath: beed) {
    Benchmark("MLP 16-32-32-4 epoch, BEED 4-class, batch 64, Adam") { benchmark in
      let table = try CSV.read(beed, options: .init(label: .name("y")))
      let data = try LabeledData(table: table, file: beed, classes: 4)
      let x = try Standardizer(fitting: data.features).transform(data.features).rows(0..<6400)
      let y = Array(data.labels[0..<6400])
      var g = SeededGenerator(seed: 0)
      let model = MLP(sizes: [16, 32, 32, 4], generator: &g)
      var config = TrainingConfiguration()
      config.epochs = 1
      config.batchSize = 64
      config.patience = nil
      config.restoreBest = false
      config.showsProgress = false
      let trainer = Trainer(config)
      let optimizer = Adam(learningRate: 1e-2)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        blackHole(try trainer.fitClassifier(model, optimizer: optimizer, inputs: x, labels: y))
      }
    }
  }

  // scripts/peers/moe_step.py: one training step of `otkit reproduce moe`'s classifier
  // (Linear 64 -> 8 experts MLP 64-64-64 GELU, top-2, capacity 1.25, Switch loss 0.01 ->
  // Linear 10) on a batch of 128 rows of 64 features, Adam at 1e-3.
  Benchmark("mixture-of-experts training step, 128 tokens x 64, 8 experts, top-2") { benchmark in
    var g = SeededGenerator(seed: 0)
    let input = Linear(inputs: 64, outputs: 64, generator: &g)
    let moe = MixtureOfExperts(dimension: 64, experts: 8, hidden: [64], topK: 2, generator: &g)
    let head = Linear(inputs: 64, outputs: 10, generator: &g)
    let x: Matrix<Double> = g.normalMatrix(rows: 128, columns: 64)
    let labels = (0..<128).map { $0 % 10 }
    let parameters = input.parameters + moe.parameters + head.parameters
    let optimizer = Adam(learningRate: 1e-3)
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      parameters.forEach { $0.zeroGradient() }
      let graph = Graph()
      let h = input(graph.constant(x))
      let routed = moe(h)
      let loss = crossEntropy(logits: head(h + routed.output), labels: labels) + routed.balanceLoss * 0.01
      try graph.backward(loss)
      optimizer.step(parameters)
      blackHole(loss.scalar)
    }
  }

  Benchmark("transformer block forward+backward, 256 x 16 tokens x 16, 4 heads") { benchmark in
    var g = SeededGenerator(seed: 0)
    let block = TransformerEncoderBlock(width: 16, heads: 4, keySize: 4, feedForward: 64, generator: &g)
    let inputs: Matrix<Double> = g.normalMatrix(rows: 256 * 16, columns: 16)
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      block.zeroGradients()
      let graph = Graph()
      let loss = block(graph.constant(inputs), tokens: 16).mean()
      try graph.backward(loss)
      blackHole(loss.scalar)
    }
  }

  var rng = SeededGenerator(seed: 1)
  let x: Matrix<Double> = rng.normalMatrix(rows: 4096, columns: 16)
  let h: Matrix<Double> = rng.normalMatrix(rows: 4096, columns: 64)
  let w16: Matrix<Double> = rng.normalMatrix(rows: 16, columns: 16)
  let w64: Matrix<Double> = rng.normalMatrix(rows: 16, columns: 64)
  let keys: Matrix<Double> = rng.normalMatrix(rows: 4096, columns: 16)
  let values: Matrix<Double> = rng.normalMatrix(rows: 4096, columns: 16)
  Benchmark("layer product 4096 x 16 by 16 x 16, Double") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Matrix.product(x, w16)) }
  }
  Benchmark("layer product 4096 x 16 by 16 x 64, Double") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Matrix.product(x, w64)) }
  }
  Benchmark("weight gradient x^T g, 4096 x 16 and 4096 x 64, Double") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(Matrix.product(x, h, transposeA: true)) }
  }
  Benchmark("fused attention forward+backward, 256 x 16 tokens, 4 heads of 4, Double") { benchmark in
    let shape = Fast.AttentionShape(instances: 256, tokens: 16, heads: 4, keySize: 4, valueSize: 4)
    for _ in benchmark.scaledIterations {
      let (output, weights) = Fast.multiHeadAttention(queries: x, keys: keys, values: values, shape: shape, scale: 0.5)
      blackHole(Fast.multiHeadAttentionBackward(
        queries: x, keys: keys, values: values, weights: weights, shape: shape, scale: 0.5, gradient: output))
    }
  }
}
