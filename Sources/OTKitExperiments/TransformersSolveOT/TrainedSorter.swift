import OTKitAutograd
import OTKitCore
import OTKitNeural
import RealModule

/// A transformer trained to sort, the author's experiment E2 on OTKit's autograd: `L` layers
/// of two softmax heads with their own full `W_h` (merged query-key) and `V_h` per layer
/// (not tied), `Z ← Z − s·(head₁ + head₂)` with `head_h = softmax(Z W_h Zᵀ) Z V_h` (the fused
/// multi-head attention of OTKitAutograd with queries `Z W_h`, keys `Z`, scale 1), no MLP
/// and no normalization; then a readout head with trainable `W` whose value copies one feature
/// (the list) of the last `Z`, with the sink (or, in the author's truncated ablation, the
/// last token) masked. The loss is the mean squared error of the readout against the sorted
/// list.
///
/// H. Daneshmand, "Provable optimal transport with transformers: the essence of depth and
/// prompt engineering", arXiv 2410.19931 (AISTATS 2026 "Can transformers sort?", Fig. 2);
/// `shared/specs/transformers-solve-ot.md` §6 E2, §7.3. Author defaults: 19 layers,
/// `s = 0.1`, `n = 7`, batch 1000 resampled every 50 steps, Adam 5e-4, 5001 steps, seed
/// 10001, initialization `N(0, 1/(4w))` for head 1 and the readout, `N(0, 1/w)` for head 2.
///
/// - Complexity: `O(L · batch · t² · w + L · batch · t · w²)` per step for prompts of `t`
///   tokens of width `w`.
public final class TrainedSorter {
  /// The experiment's settings.
  public struct Configuration: Sendable, Codable, Equatable {
    public var prompt: SorterPrompt = .engineered
    public var layers: Int = 19
    /// The residual step `s`.
    public var residualStep: Double = 0.1
    /// The training length `n`.
    public var length: Int = 7
    /// Lists per step.
    public var batchSize: Int = 1000
    public var resampleEvery: Int = 50
    public var steps: Int = 5001
    public var learningRate: Double = 5e-4
    public var seed: UInt64 = 10001
    /// The author's code as it ran: the optimizer receives every parameter twice (two Adam
    /// updates from one gradient per step), and the truncated prompt's readout masks the
    /// last real token and copies `y`.
    public var authorQuirks: Bool = true

    public init() {}

    /// The keys of saved runs, kept from 0.2 (the batch size is `batch`).
    enum CodingKeys: String, CodingKey {
      case prompt, layers, residualStep, length
      case batchSize = "batch"
      case resampleEvery, steps, learningRate, seed, authorQuirks
    }
  }

  /// The parameters of one layer.
  public struct Layer {
    public var w1: Parameter
    public var v1: Parameter
    public var w2: Parameter
    public var v2: Parameter
  }

  public let configuration: Configuration
  public let layers: [Layer]
  /// The readout's merged query-key matrix.
  public let readout: Parameter

  /// Every trainable parameter.
  public var parameters: [Parameter] { layers.flatMap { [$0.w1, $0.v1, $0.w2, $0.v2] } + [readout] }

  /// A sorter with the author's random initialization from `configuration.seed`.
  public init(configuration: Configuration) {
    self.configuration = configuration
    let w = configuration.prompt.width
    var generator = SeededGenerator(seed: configuration.seed)
    let (small, large) = (1 / (2 * Double(w).squareRoot()), 1 / Double(w).squareRoot())
    func matrix(_ sd: Double) -> Parameter {
      Parameter(generator.normalMatrix(rows: w, columns: w, mean: 0, standardDeviation: sd))
    }
    var layers: [Layer] = []
    for _ in 0..<configuration.layers {
      layers.append(Layer(w1: matrix(small), v1: matrix(small), w2: matrix(large), v2: matrix(large)))
    }
    self.layers = layers
    self.readout = matrix(small)
  }

  /// The prompts after each layer (depth 0 is the prompt), from one forward pass.
  public struct Trace {
    public var states: [Matrix<Double>]
    /// Per layer (from 1), the two heads' attention weights (`instances x t x t` each,
    /// row-major).
    public var heads: [(first: [Double], second: [Double])]
  }

  /// The forward pass on a batch: the readout (`instances * n` rows, one column) and,
  /// when asked, the trace.
  func forward(_ batch: SorterBatch, graph: Graph, trace: Bool = false) -> (output: Tensor, trace: Trace?) {
    let t = batch.tokensPerInstance
    var z = graph.constant(batch.tokens)
    var states: [Matrix<Double>] = trace ? [batch.tokens] : []
    var headWeights: [(first: [Double], second: [Double])] = []
    let s = configuration.residualStep
    for layer in layers {
      let q1 = z.matmul(graph.parameter(layer.w1))
      let q2 = z.matmul(graph.parameter(layer.w2))
      let h1 = multiHeadAttention(queries: q1, keys: z, values: z.matmul(graph.parameter(layer.v1)), tokens: t, heads: 1, scale: 1)
      let h2 = multiHeadAttention(queries: q2, keys: z, values: z.matmul(graph.parameter(layer.v2)), tokens: t, heads: 1, scale: 1)
      if trace {
        // A recording graph keeps the weights of the pass; an inference graph recomputes them.
        headWeights.append(
          (attentionWeights(of: h1) ?? Self.weights(queries: q1.value, keys: z.value, tokens: t, bias: nil),
           attentionWeights(of: h2) ?? Self.weights(queries: q2.value, keys: z.value, tokens: t, bias: nil)))
      }
      z = z - (h1 + h2) * s
      if trace { states.append(z.value) }
    }
    let output = readoutOutput(z, batch: batch, graph: graph)
    return (output, trace ? Trace(states: states, heads: headWeights) : nil)
  }

  /// The attention weights `softmax(q kᵀ + bias)` per instance (row-major `t x t` blocks),
  /// from the fused kernel.
  static func weights(queries q: Matrix<Double>, keys k: Matrix<Double>, tokens t: Int, bias: Matrix<Double>?) -> [Double] {
    let shape = Fast.AttentionShape(instances: q.rows / t, tokens: t, heads: 1, keySize: q.columns, valueSize: 1)
    return Fast.multiHeadAttention(queries: q, keys: k, values: Matrix(rows: q.rows, columns: 1), shape: shape, scale: 1, bias: bias).weights
  }

  /// The readout's score bias: `-infinity` on the masked key's column, or nil.
  func readoutBias(n: Int, tokens t: Int) -> Matrix<Double>? {
    guard let masked = configuration.prompt.readoutMask(n: n, authorQuirks: configuration.authorQuirks) else { return nil }
    var bias = Matrix<Double>(rows: t, columns: t)
    for i in 0..<t { bias[i, masked] = -.infinity }
    return bias
  }

  /// The readout of the tokens `z`: attention with the readout's `W` (masked key, if any),
  /// values one feature of `z`, the rows of the `n` points.
  func readoutOutput(_ z: Tensor, batch: SorterBatch, graph: Graph) -> Tensor {
    let (t, n) = (batch.tokensPerInstance, batch.n)
    let prompt = configuration.prompt
    let queries = z.matmul(graph.parameter(readout))
    let feature = prompt.readoutValue(authorQuirks: configuration.authorQuirks)
    let values = z.slice(columns: feature..<(feature + 1))
    let out = multiHeadAttention(queries: queries, keys: z, values: values, tokens: t, heads: 1, scale: 1, bias: readoutBias(n: n, tokens: t))
    if t == n { return out }
    let rows = (0..<(z.rows / t)).flatMap { b in (0..<n).map { b * t + $0 } }
    return out.gatherRows(rows)
  }

  /// The readout weights on the points (`instances` matrices `n x n`, rows the target
  /// positions, columns the list), for the tokens `z` of a batch.
  public func readoutWeights(_ z: Matrix<Double>, batch: SorterBatch) -> [Matrix<Double>] {
    let (t, n) = (batch.tokensPerInstance, batch.n)
    let weights = Self.weights(queries: Matrix.product(z, readout.value), keys: z, tokens: t, bias: readoutBias(n: n, tokens: t))
    return Self.pointBlocks(weights, instances: batch.instances, tokens: t, n: n)
  }

  /// The `n x n` point blocks of per-instance `t x t` weights, rows renormalized.
  static func pointBlocks(_ weights: [Double], instances: Int, tokens t: Int, n: Int) -> [Matrix<Double>] {
    (0..<instances).map { b in
      var m = Matrix<Double>(rows: n, columns: n)
      for i in 0..<n {
        var total = 0.0
        for j in 0..<n { total += weights[b * t * t + i * t + j] }
        for j in 0..<n { m[i, j] = total > 0 ? weights[b * t * t + i * t + j] / total : 1 / Double(n) }
      }
      return m
    }
  }

  /// The mean squared error of the readout on a batch.
  public func loss(on batch: SorterBatch) -> Double {
    let graph = Graph.inference()
    let (output, _) = forward(batch, graph: graph)
    return Self.meanSquaredError(output.value, batch.sorted)
  }

  static func meanSquaredError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    var total = 0.0
    for (p, q) in zip(a.elements, b.elements) { total += (p - q) * (p - q) }
    return total / Double(max(a.count, 1))
  }

  /// One training run on `Trainer`'s step mode. Returns the training loss of every step
  /// (the batch's loss before the step's update, as the author prints it); a non-finite
  /// loss stops the run early.
  ///
  /// - Parameter onStep: called after each step's update.
  public func train(onStep: ((StepRecord) -> Void)? = nil) throws -> [Double] {
    let c = configuration
    var generator = SeededGenerator(seed: c.seed &+ 0x5EED)
    var batch = SorterBatch.sample(prompt: c.prompt, n: c.length, instances: c.batchSize, generator: &generator)
    let adam = Adam(learningRate: c.learningRate)
    let optimizer = RepeatedSteps(adam, times: c.authorQuirks ? 2 : 1)
    var training = TrainingConfiguration()
    training.showsProgress = false
    let history = try Trainer(training).fit(
      parameters, optimizer: optimizer, steps: c.steps,
      loss: { graph, step in
        if step > 0 && step % c.resampleEvery == 0 {
          batch = SorterBatch.sample(prompt: c.prompt, n: c.length, instances: c.batchSize, generator: &generator)
        }
        let (output, _) = forward(batch, graph: graph)
        return (output - graph.constant(batch.sorted)).square().mean()
      },
      onStep: onStep)
    return history.losses
  }
}

/// An optimizer that applies another one's update `times` times from one gradient: the
/// author's sorter handed Adam every parameter twice (two updates per step).
final class RepeatedSteps<Base: Optimizer>: Optimizer {
  let base: Base
  let times: Int

  init(_ base: Base, times: Int) {
    self.base = base
    self.times = times
  }

  var learningRate: Double {
    get { base.learningRate }
    set { base.learningRate = newValue }
  }

  func step(_ parameters: [Parameter]) {
    for _ in 0..<times { base.step(parameters) }
  }
}
