import Foundation
import OTKitAutograd
import OTKitCore
import OTKitTransport
import RealModule

/// The trained-sorter study (spec §7.3): ``TrainedSorter`` trained on one prompt per seed,
/// evaluated on longer lists than it saw, with the per-layer distance of the readout head
/// (on each layer's tokens) and of each layer's own heads to the sorting permutation `Π*`
/// and to the row-normalized entropic plan `P̄_λ` (best `λ` of a grid), for the author's
/// prompt and the ablations; mean ± standard error over seeds.
///
/// - Complexity: `seeds · prompts` training runs (``TrainedSorter``), plus `O(instances ·
///   lengths · λs)` Sinkhorn solves for the references, shared by every run.
public enum TrainedSorterStudy {
  /// What the study runs.
  public struct Options: Sendable, Codable, Equatable {
    /// The training configuration; its `prompt` and `seed` are set per run.
    public var training = TrainedSorter.Configuration()
    public var prompts: [SorterPrompt] = [.engineered, .truncated]
    public var seeds: [UInt64] = [10001, 10002, 10003, 10004, 10005]
    /// The list lengths evaluated (the training length first by convention).
    public var lengths: [Int] = [7, 9, 15, 31]
    /// Test lists per length for the error and the rank accuracy.
    public var testInstances: Int = 1000
    /// Test lists per length for the per-layer distances.
    public var distanceInstances: Int = 50
    /// The entropic constants whose plans the attention is compared with.
    public var lambdas: [Double] = [0.3, 0.1, 0.03, 0.01]
    /// The seed of the test lists (the same for every run).
    public var testSeed: UInt64 = 7

    public init() {}
  }

  /// Distances of one layer's attention, each the mean over test lists of a Frobenius norm.
  public struct LayerDistance: Sendable, Codable, Equatable {
    /// Layers applied (0: the prompt; the readout is the model's at the last depth).
    public var depth: Int
    /// The readout head on this layer's tokens: `|M - Π*|_F`.
    public var readoutToPermutation: Double
    /// `min_λ |M - P̄_λ|_F` and its `λ`.
    public var readoutToPlan: Double
    public var readoutLambda: Double
    /// This layer's own heads (point block, rows renormalized), the nearer of the two
    /// orientations (rows targets or rows sources): distance to the permutation and to the
    /// best plan; `nil` at depth 0.
    public var headToPermutation: [Double]?
    public var headToPlan: [Double]?
  }

  /// One evaluated length.
  public struct Evaluation: Sendable, Codable, Equatable {
    public var n: Int
    /// Mean squared error of the readout against the sorted list.
    public var meanSquaredError: Double
    /// Share of positions whose largest readout weight is on the right element.
    public var rankAccuracy: Double
    public var layers: [LayerDistance]
    /// For the first seed of a prompt: the first test list and the readout weights on it
    /// after every layer (`n x n`, row-major, rows the positions), for heat maps.
    public var list: [Double]?
    public var maps: [[Double]]?
  }

  /// One training run and its evaluation.
  public struct Run: Sendable, Codable, Equatable {
    public var prompt: SorterPrompt
    public var seed: UInt64
    /// The training loss every `lossEvery` steps (and the last).
    public var lossSteps: [Int]
    public var losses: [Double]
    /// The mean training loss of the last 50 steps (the run's plateau).
    public var finalLoss: Double
    /// Whether a non-finite loss stopped the run.
    public var diverged: Bool
    public var evaluations: [Evaluation]
    public var seconds: Double

    init(prompt: SorterPrompt, seed: UInt64, lossSteps: [Int], losses: [Double], finalLoss: Double, diverged: Bool, evaluations: [Evaluation], seconds: Double) {
      (self.prompt, self.seed, self.lossSteps, self.losses, self.finalLoss) = (prompt, seed, lossSteps, losses, finalLoss)
      (self.diverged, self.evaluations, self.seconds) = (diverged, evaluations, seconds)
    }

    /// Decodes a saved run; a non-finite loss saved as `null` reads back as NaN.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      prompt = try c.decode(SorterPrompt.self, forKey: .prompt)
      seed = try c.decode(UInt64.self, forKey: .seed)
      lossSteps = try c.decode([Int].self, forKey: .lossSteps)
      losses = try c.decode([Double?].self, forKey: .losses).map { $0 ?? .nan }
      finalLoss = try c.decodeIfPresent(Double.self, forKey: .finalLoss) ?? .nan
      diverged = try c.decode(Bool.self, forKey: .diverged)
      evaluations = try c.decode([Evaluation].self, forKey: .evaluations)
      seconds = try c.decode(Double.self, forKey: .seconds)
    }
  }

  /// Mean ± standard error over seeds.
  public struct Estimate: Sendable, Codable, Equatable {
    public var mean: Double
    public var standardError: Double
    public var count: Int

    /// ``SampleStatistics``' convention: non-finite values left out, an error of 0 for one.
    public init(_ values: [Double]) {
      let statistics = SampleStatistics(values)
      (mean, standardError, count) = (statistics.mean, statistics.standardError, statistics.count)
    }
  }

  /// One prompt's results over seeds.
  public struct Summary: Sendable, Codable, Equatable {
    public var prompt: SorterPrompt
    public var finalLoss: Estimate
    /// Per evaluated length (the order of ``Options/lengths``).
    public var meanSquaredError: [Estimate]
    public var rankAccuracy: [Estimate]
    /// The readout's distance to the permutation at the last depth, per length.
    public var finalDistance: [Estimate]
    public var diverged: Int
  }

  /// The steps between two kept losses.
  public static let lossEvery = 10

  /// The references of one test list: the sorting permutation and the entropic plans, in
  /// both orientations.
  struct References {
    /// Rows targets (positions), columns sources (the list).
    var permutation: Matrix<Double>
    var assigned: [Int]
    /// Per λ: rows targets and rows sources, each row-normalized.
    var plans: [(targetRows: Matrix<Double>, sourceRows: Matrix<Double>)]
  }

  static func references(lists: [[Double]], lambdas: [Double]) throws -> [References] {
    try lists.map { x in
      let n = x.count
      let xs = Matrix<Double>(rows: n, columns: 1, elements: x)
      let ys = Matrix<Double>(rows: n, columns: 1, elements: (0..<n).map { Double($0) / Double(n) })
      var plans: [(Matrix<Double>, Matrix<Double>)] = []
      var permutation = Matrix<Double>(rows: n, columns: n)
      var assigned: [Int] = []
      for lambda in lambdas {
        // Distances of attention are read to 2 digits: a marginal error of 1e-9 is plenty.
        let forward = try SortingDepthStudy.references(x: xs, y: ys, lambda: lambda, tolerance: 1e-9)
        let backward = try SortingDepthStudy.references(x: ys, y: xs, lambda: lambda, tolerance: 1e-9)
        plans.append((forward.plan, backward.plan))
        (permutation, assigned) = (forward.assignment, forward.assigned)
      }
      return References(permutation: permutation, assigned: assigned, plans: plans)
    }
  }

  /// Trains and evaluates every prompt and seed.
  ///
  /// - Parameter progress: hears of the training steps done over all runs (every 25th step
  ///   and the end of each run).
  public static func run(_ options: Options, progress: ReproductionProgress = .silent) throws -> (runs: [Run], summaries: [Summary]) {
    var generator = SeededGenerator(seed: options.testSeed)
    let tests = options.lengths.map { SorterBatch.lists(n: $0, instances: options.testInstances, generator: &generator) }
    let references = try tests.map { try Self.references(lists: Array($0.prefix(options.distanceInstances)), lambdas: options.lambdas) }
    var runs: [Run] = []
    var done = 0
    let total = options.prompts.count * options.seeds.count * options.training.steps
    for prompt in options.prompts {
      for seed in options.seeds {
        var configuration = options.training
        (configuration.prompt, configuration.seed) = (prompt, seed)
        let started = DispatchTime.now().uptimeNanoseconds
        let sorter = TrainedSorter(configuration: configuration)
        let base = done
        let losses = try sorter.train { record in
          let step = record.step + 1
          if step % 25 == 0 {
            progress(base + step, of: total, "\(prompt.rawValue), seed \(seed), step \(step), loss \(String(format: "%.2e", record.loss))")
          }
        }
        done += configuration.steps
        var evaluations: [Evaluation] = []
        for (k, n) in options.lengths.enumerated() {
          var promptGenerator = SeededGenerator(seed: options.testSeed &+ UInt64(n))
          evaluations.append(
            evaluate(
              sorter, lists: tests[k], references: references[k], lambdas: options.lambdas, keepMaps: seed == options.seeds.first,
              generator: &promptGenerator))
        }
        let kept = Array(stride(from: 0, to: losses.count, by: lossEvery)) + (losses.count % lossEvery == 1 ? [] : [losses.count - 1])
        let tail = losses.suffix(50)
        runs.append(
          Run(
            prompt: prompt, seed: seed, lossSteps: kept, losses: kept.map { losses[$0] },
            finalLoss: tail.reduce(0, +) / Double(max(tail.count, 1)), diverged: losses.count < configuration.steps || !(losses.last?.isFinite ?? false),
            evaluations: evaluations, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9))
        progress(done, of: total, "\(prompt.rawValue), seed \(seed) done")
      }
    }
    return (runs, summaries(runs, lengths: options.lengths))
  }

  /// Mean ± SE per prompt.
  public static func summaries(_ runs: [Run], lengths: [Int]) -> [Summary] {
    var prompts: [SorterPrompt] = []
    for run in runs where !prompts.contains(run.prompt) { prompts.append(run.prompt) }
    return prompts.map { prompt in
      let mine = runs.filter { $0.prompt == prompt }
      let finite = mine.filter { !$0.diverged }
      return Summary(
        prompt: prompt, finalLoss: Estimate(finite.map(\.finalLoss)),
        meanSquaredError: lengths.indices.map { k in Estimate(finite.map { $0.evaluations[k].meanSquaredError }) },
        rankAccuracy: lengths.indices.map { k in Estimate(finite.map { $0.evaluations[k].rankAccuracy }) },
        finalDistance: lengths.indices.map { k in Estimate(finite.map { $0.evaluations[k].layers.last?.readoutToPermutation ?? .nan }) },
        diverged: mine.count - finite.count)
    }
  }

  /// The error, the rank accuracy and the per-layer distances of a trained sorter on test lists.
  static func evaluate(_ sorter: TrainedSorter, lists: [[Double]], references: [References], lambdas: [Double], keepMaps: Bool = false, generator: inout SeededGenerator) -> Evaluation {
    let prompt = sorter.configuration.prompt
    let batch = SorterBatch(prompt: prompt, lists: lists, generator: &generator)
    let n = batch.n
    let graph = Graph.inference()
    let (output, _) = sorter.forward(batch, graph: graph)
    let mse = TrainedSorter.meanSquaredError(output.value, batch.sorted)
    // Ranks and distances on the first lists (those with references).
    let count = references.count
    let t = batch.tokensPerInstance
    let small = SorterBatch(
      tokens: batch.tokens.rows(0..<(count * t)), sorted: batch.sorted.rows(0..<(count * n)), lists: Array(lists.prefix(count)),
      n: n, tokensPerInstance: t)
    // A recording graph keeps each head's weights, so the trace needs no second pass.
    let (_, trace) = sorter.forward(small, graph: Graph(), trace: true)
    var layers: [LayerDistance] = []
    var maps: [[Double]] = []
    var correct = 0
    for (depth, z) in trace!.states.enumerated() {
      let readout = sorter.readoutWeights(z, batch: small)
      if keepMaps, let first = readout.first { maps.append(first.elements) }
      let (toPermutation, toPlan, lambda) = distances(readout, references: references, lambdas: lambdas, orientations: false)
      if depth == trace!.states.count - 1 {
        for (m, reference) in zip(readout, references) {
          for i in 0..<n {
            var best = 0
            for j in 1..<n where m[i, j] > m[i, best] { best = j }
            if best == reference.assigned[i] { correct += 1 }
          }
        }
      }
      var headPermutation: [Double]?, headPlan: [Double]?
      if depth > 0 {
        let (w1, w2) = trace!.heads[depth - 1]
        let b1 = TrainedSorter.pointBlocks(w1, instances: count, tokens: t, n: n)
        let b2 = TrainedSorter.pointBlocks(w2, instances: count, tokens: t, n: n)
        let d1 = distances(b1, references: references, lambdas: lambdas, orientations: true)
        let d2 = distances(b2, references: references, lambdas: lambdas, orientations: true)
        (headPermutation, headPlan) = ([d1.permutation, d2.permutation], [d1.plan, d2.plan])
      }
      layers.append(
        LayerDistance(
          depth: depth, readoutToPermutation: toPermutation, readoutToPlan: toPlan, readoutLambda: lambda,
          headToPermutation: headPermutation, headToPlan: headPlan))
    }
    return Evaluation(
      n: n, meanSquaredError: mse, rankAccuracy: Double(correct) / Double(max(count * n, 1)), layers: layers,
      list: keepMaps ? lists.first : nil, maps: keepMaps ? maps : nil)
  }

  /// Mean Frobenius distances of attention blocks to the permutation and to the best plan
  /// of the grid; with `orientations`, the nearer of rows-targets and rows-sources.
  static func distances(_ blocks: [Matrix<Double>], references: [References], lambdas: [Double], orientations: Bool) -> (permutation: Double, plan: Double, lambda: Double) {
    func mean(_ distance: (Matrix<Double>, References) -> Double) -> Double {
      zip(blocks, references).map(distance).reduce(0, +) / Double(max(blocks.count, 1))
    }
    let frobenius = { (a: Matrix<Double>, b: Matrix<Double>) in SortingDepthStudy.distance(a, b).frobenius }
    var permutation = mean { frobenius($0, $1.permutation) }
    if orientations { permutation = min(permutation, mean { frobenius($0, $1.permutation.transposed()) }) }
    var best = (Double.infinity, lambdas.first ?? .nan)
    for (k, lambda) in lambdas.enumerated() {
      var d = mean { frobenius($0, $1.plans[k].targetRows) }
      if orientations { d = min(d, mean { frobenius($0, $1.plans[k].sourceRows) }) }
      if d < best.0 { best = (d, lambda) }
    }
    return (permutation, best.0, best.1)
  }
}
