import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitExperiments

/// The trained sorter of seed 001 (the author's E2, `shared/specs/transformers-solve-ot.md`
/// §6, §7.3) on small settings.
@Suite("Transformers that solve OT: the trained sorter")
struct TrainedSorterTests {
  static func configuration(_ prompt: SorterPrompt, layers: Int = 3, steps: Int = 40, batch: Int = 64) -> TrainedSorter.Configuration {
    var c = TrainedSorter.Configuration()
    (c.prompt, c.layers, c.steps, c.batchSize, c.resampleEvery, c.learningRate) = (prompt, layers, steps, batch, 10, 5e-3)
    return c
  }

  @Test("Prompts: widths, the sink, the registers, the sorted targets", arguments: SorterPrompt.allCases)
  func prompts(prompt: SorterPrompt) {
    var g = SeededGenerator(seed: 3)
    let batch = SorterBatch.sample(prompt: prompt, n: 7, instances: 4, generator: &g)
    let t = prompt.hasSink ? 8 : 7
    #expect(batch.tokens.rows == 4 * t && batch.tokens.columns == prompt.width)
    #expect(batch.tokensPerInstance == t)
    for (b, x) in batch.lists.enumerated() {
      #expect(Set(x).count == 7)
      #expect(x.allSatisfy { $0 >= 0 && $0 < 1 && abs(($0 * 50).rounded() - $0 * 50) < 1e-9 })
      #expect((0..<7).map { batch.sorted[b * 7 + $0, 0] } == x.sorted())
      let xColumn = prompt == .truncated || prompt == .padded ? 0 : 1
      #expect((0..<7).map { batch.tokens[b * t + $0, xColumn] } == x)
      if prompt.hasSink {
        // The sink's value feature is -1/n; its point features are 0.
        #expect(abs(batch.tokens[b * t + 7, 7] + 1.0 / 7) < 1e-15)
        #expect(batch.tokens[b * t + 7, 1] == 0)
      }
    }
  }

  @Test("The readout masks the sink (or the truncated prompt's last token with the author's quirks)")
  func readoutMask() throws {
    #expect(SorterPrompt.engineered.readoutMask(n: 7, authorQuirks: true) == 7)
    #expect(SorterPrompt.truncated.readoutMask(n: 7, authorQuirks: true) == 6)
    #expect(SorterPrompt.truncated.readoutMask(n: 7, authorQuirks: false) == nil)
    #expect(SorterPrompt.truncated.readoutValue(authorQuirks: true) == 1)
    #expect(SorterPrompt.truncated.readoutValue(authorQuirks: false) == 0)
    let sorter = TrainedSorter(configuration: Self.configuration(.engineered))
    var g = SeededGenerator(seed: 4)
    let batch = SorterBatch.sample(prompt: .engineered, n: 5, instances: 3, generator: &g)
    let (output, trace) = sorter.forward(batch, graph: Graph.inference(), trace: true)
    let last = try #require(trace?.states.last)
    #expect(trace?.states.count == 4 && trace?.heads.count == 3)
    let maps = sorter.readoutWeights(last, batch: batch)
    #expect(maps.count == 3)
    for m in maps {
      for i in 0..<5 { #expect(abs((0..<5).reduce(0) { $0 + m[i, $1] } - 1) < 1e-12) }
    }
    // The forward readout equals the maps applied to the list feature of the last tokens.
    let out = output.value
    for b in 0..<3 {
      for i in 0..<5 {
        let expected = (0..<5).reduce(0.0) { $0 + maps[b][i, $1] * last[b * 6 + $1, 1] }
        #expect(abs(out[b * 5 + i, 0] - expected) < 1e-12)
      }
    }
  }

  @Test("The gradient of the loss equals central differences", arguments: [SorterPrompt.engineered, .truncated])
  func gradient(prompt: SorterPrompt) throws {
    let sorter = TrainedSorter(configuration: Self.configuration(prompt, layers: 2))
    var g = SeededGenerator(seed: 5)
    let batch = SorterBatch.sample(prompt: prompt, n: 5, instances: 6, generator: &g)
    let graph = Graph()
    let output = sorter.forward(batch, graph: graph).output
    let loss = (output - graph.constant(batch.sorted)).square().mean()
    for p in sorter.parameters { p.zeroGradient() }
    try graph.backward(loss)
    for (p, k) in [(sorter.layers[0].w1, 3), (sorter.layers[1].v2, 7), (sorter.readout, 1)] {
      let analytic = p.gradient.elements[k]
      let h = 1e-6
      let original = p.value.elements[k]
      p.value.withUnsafeMutableBufferPointer { $0[k] = original + h }
      let plus = sorter.loss(on: batch)
      p.value.withUnsafeMutableBufferPointer { $0[k] = original - h }
      let minus = sorter.loss(on: batch)
      p.value.withUnsafeMutableBufferPointer { $0[k] = original }
      #expect(abs(analytic - (plus - minus) / (2 * h)) < 1e-6 * max(1, abs(analytic)))
    }
  }

  @Test("Training lowers the loss; the same seed gives the same run")
  func training() throws {
    let c = Self.configuration(.engineered, steps: 60)
    let a = try TrainedSorter(configuration: c).train()
    let b = try TrainedSorter(configuration: c).train()
    #expect(a == b)
    #expect(a.count == 60)
    let head = a.prefix(10).reduce(0, +) / 10, tail = a.suffix(10).reduce(0, +) / 10
    #expect(tail < 0.7 * head)
  }

  @Test("The study: every prompt and seed, evaluations at every length, mean ± SE")
  func study() throws {
    var options = TrainedSorterStudy.Options()
    options.training = Self.configuration(.engineered, layers: 2, steps: 12, batch: 32)
    options.prompts = [.engineered, .truncated]
    options.seeds = [1, 2]
    options.lengths = [5, 9]
    (options.testInstances, options.distanceInstances, options.lambdas) = (40, 6, [0.1, 0.03])
    let (runs, summaries) = try TrainedSorterStudy.run(options)
    #expect(runs.count == 4)
    #expect(summaries.map(\.prompt) == [.engineered, .truncated])
    for run in runs {
      #expect(run.evaluations.map(\.n) == [5, 9])
      for e in run.evaluations {
        #expect(e.layers.count == 3)
        #expect(e.meanSquaredError.isFinite && e.rankAccuracy >= 0 && e.rankAccuracy <= 1)
        #expect(e.layers.allSatisfy { $0.readoutToPermutation.isFinite && $0.readoutToPlan <= $0.readoutToPermutation + 2 })
        #expect(e.layers.dropFirst().allSatisfy { $0.headToPermutation?.count == 2 })
        #expect((e.maps != nil) == (run.seed == 1))
      }
      #expect(run.lossSteps.last == 11)
    }
    let s = summaries[0]
    #expect(s.finalLoss.count == 2 && s.finalLoss.standardError.isFinite)
    let values = runs.filter { $0.prompt == .engineered }.map(\.finalLoss)
    #expect(abs(s.finalLoss.mean - (values[0] + values[1]) / 2) < 1e-15)
    #expect(abs(s.finalLoss.standardError - abs(values[0] - values[1]) / 2) < 1e-12)
  }
}
