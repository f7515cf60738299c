import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural

extension MixtureOfExpertsStudy {
  /// One classifier trained with one arm.
  public struct Run: Sendable, Codable, Equatable {
    public var dataset: String
    public var arm: String
    public var seed: UInt64
    public var accuracy: Double
    /// On the test set, routed at inference in batches of the training batch size: the
    /// coefficient of variation (population deviation over mean) of the experts' token
    /// counts, the largest over the mean, and the experts that received no token.
    public var loadCV: Double
    public var maxOverMeanLoad: Double
    public var deadExperts: Int
    /// In training: the mean over steps of the step's largest load over its mean (tokens
    /// processed), and the share of choices dropped over capacity.
    public var trainingMaxOverMean: Double
    public var droppedShare: Double
    /// Training passes routed by transport, and those whose solve did not converge.
    public var transportPasses: Int
    public var unconvergedSolves: Int
    public var secondsPerStep: Double
    /// The experts' shares of the processed tokens in each of `windows` equal spans of the
    /// training steps (`windows x experts`, rows summing to 1).
    public var loadHistory: [[Double]]
  }

  /// Trains a classifier with `arm` on the split and measures it.
  ///
  /// - Throws: `AutogradError` from the backward pass.
  /// - Complexity: `settings.steps` forward and backward passes, plus the routers' solves.
  static func fit(
    _ split: DistillationStudy.Split, dataset: String, arm name: String, seed: UInt64, settings: MixtureOfExpertsReproduction.Settings
  ) throws -> Run {
    let arm = Self.arm(named: name)!
    var g = SeededGenerator(seed: seed)
    let model = Classifier(features: split.train.columns, classes: split.classes, routing: arm.routing, settings: settings, generator: &g)
    var random = SeededGenerator(seed: seed &+ 1)
    var order: [Int] = [], cursor = 0
    var history = [[Double]](repeating: [Double](repeating: 0, count: settings.experts), count: settings.windows)
    var (ratios, dropped, choices, passes, unconverged) = (0.0, 0, 0, 0, 0)
    let trainer = Trainer(TrainingConfiguration(epochs: 1, batchSize: settings.batch, patience: nil, seed: seed, showsProgress: false))
    let steps = try trainer.fit(model.parameters, optimizer: Adam(learningRate: settings.learningRate), steps: settings.steps) { graph, step in
      if cursor + settings.batch > order.count {
        (order, cursor) = (Array(0..<split.train.rows).shuffled(using: &random), 0)
      }
      let rows = Array(order[cursor..<min(cursor + settings.batch, order.count)])
      cursor += rows.count
      let (logits, routed) = model(graph.constant(split.train.rows(at: rows)), training: true, random: &random)
      let processed = routed.loads.reduce(0, +)
      let window = step * settings.windows / max(settings.steps, 1)
      for (e, load) in routed.loads.enumerated() { history[window][e] += Double(load) }
      ratios += Double(routed.loads.max() ?? 0) * Double(routed.loads.count) / Double(max(processed, 1))
      (dropped, choices) = (dropped + routed.dropped, choices + processed + routed.dropped)
      if let solve = routed.solve {
        passes += 1
        if solve.status != .converged { unconverged += 1 }
      }
      var loss = crossEntropy(logits: logits, labels: rows.map { split.trainLabels[$0] })
      if arm.balanceWeight > 0 { loss = loss + routed.balanceLoss * arm.balanceWeight }
      if arm.zWeight > 0 { loss = loss + routed.zLoss * arm.zWeight }
      return loss
    }
    let (accuracy, loads) = evaluate(model, split, batch: settings.batch, random: &random)
    let counts = loads.map(Double.init)
    let meanLoad = max(counts.reduce(0, +) / Double(max(counts.count, 1)), 1e-300)
    let deviation = (counts.reduce(0) { $0 + ($1 - meanLoad) * ($1 - meanLoad) } / Double(max(counts.count, 1))).squareRoot()
    return Run(
      dataset: dataset, arm: name, seed: seed, accuracy: accuracy,
      loadCV: deviation / meanLoad, maxOverMeanLoad: Double(loads.max() ?? 0) / meanLoad,
      deadExperts: loads.filter { $0 == 0 }.count, trainingMaxOverMean: ratios / Double(max(steps.steps, 1)),
      droppedShare: Double(dropped) / Double(max(choices, 1)), transportPasses: passes, unconvergedSolves: unconverged,
      secondsPerStep: steps.seconds / Double(max(steps.steps, 1)),
      loadHistory: history.map { row in row.map { $0 / max(row.reduce(0, +), 1) } })
  }

  /// Test accuracy and the experts' token counts, routed at inference batch by batch.
  static func evaluate(
    _ model: Classifier, _ split: DistillationStudy.Split, batch: Int, random: inout SeededGenerator
  ) -> (accuracy: Double, loads: [Int]) {
    var loads = [Int](repeating: 0, count: model.experts.experts.count)
    var correct = 0
    for start in stride(from: 0, to: split.test.rows, by: batch) {
      let rows = Array(start..<min(start + batch, split.test.rows))
      let (logits, routed) = model(Graph.inference().constant(split.test.rows(at: rows)), training: false, random: &random)
      for (e, load) in routed.loads.enumerated() { loads[e] += load }
      correct += zip(argmaxRows(logits.value), rows).filter { $0 == split.testLabels[$1] }.count
    }
    return (Double(correct) / Double(max(split.test.rows, 1)), loads)
  }
}
