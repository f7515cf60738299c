import Foundation
import OTKitCore
import Testing

import OTKitAutograd
@testable import OTKitNeural

/// A two-class problem: points around (-2, 0) and (2, 0) in the plane, plus noise features.
func blobs(count: Int, seed: UInt64) -> (Matrix<Double>, [Int]) {
  var g = SeededGenerator(seed: seed)
  var x = Matrix<Double>(rows: count, columns: 3)
  var y: [Int] = []
  for i in 0..<count {
    let c = i % 2
    y.append(c)
    x[i, 0] = (c == 0 ? -2 : 2) + g.normal()
    x[i, 1] = g.normal()
    x[i, 2] = g.normal()
  }
  return (x, y)
}

@Suite("Optimizers and training")
struct TrainingTests {
  /// Minimizes `|w - target|^2` with each optimizer.
  @Test("Every optimizer minimizes a quadratic", arguments: ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"])
  func quadratic(name: String) throws {
    let target = Matrix<Double>([[1, -2, 3]])
    let w = Parameter(Matrix([[0.0, 0, 0]]))
    let optimizer: any Optimizer =
      switch name {
      case "sgd": SGD(learningRate: 0.1)
      case "momentum": SGD(learningRate: 0.05, momentum: 0.9)
      case "nesterov": SGD(learningRate: 0.05, momentum: 0.9, nesterov: true)
      case "adam": Adam(learningRate: 0.05)
      case "adamw": Adam.adamW(learningRate: 0.05, weightDecay: 1e-4)
      default: RMSprop(learningRate: 0.01)
      }
    for _ in 0..<2000 {
      w.zeroGradient()
      let graph = Graph()
      let loss = (graph.parameter(w) - graph.constant(target)).square().sum()
      try graph.backward(loss)
      optimizer.step([w])
    }
    let error = (w.value - target).elements.map(abs).max()!
    #expect(error < (name == "adamw" ? 1e-2 : 1e-3), "\(name): \(w.value.elements)")
  }

  @Test("Adam's first step moves each weight by the learning rate against its gradient's sign")
  func adamFirstStep() throws {
    let w = Parameter(Matrix([[1.0, 1.0]]))
    w.gradient = Matrix([[0.3, -5]])
    Adam(learningRate: 0.1).step([w])
    #expect(abs(w.value[0, 0] - 0.9) < 1e-6 && abs(w.value[0, 1] - 1.1) < 1e-6)
  }

  @Test("Frozen parameters are not updated")
  func frozen() throws {
    let w = Parameter(Matrix([[1.0]]), trainable: false)
    w.gradient = Matrix([[1.0]])
    for optimizer in [SGD(learningRate: 1), Adam(learningRate: 1), RMSprop(learningRate: 1)] as [any Optimizer] {
      optimizer.step([w])
    }
    #expect(w.value == Matrix([[1.0]]))
  }

  @Test("Schedules and clipping")
  func schedules() {
    #expect(LearningRateSchedule.step(every: 10, factor: 0.5).rate(base: 1, epoch: 25) == 0.25)
    #expect(abs(LearningRateSchedule.cosine(epochs: 10, minimum: 0).rate(base: 1, epoch: 5) - 0.5) < 1e-12)
    #expect(LearningRateSchedule.cosine(epochs: 10, minimum: 0.1).rate(base: 1, epoch: 20) == 0.1)
    #expect(LearningRateSchedule.warmup(epochs: 4).rate(base: 1, epoch: 1) == 0.5)
    #expect(abs(LearningRateSchedule.exponential(rate: 0.9).rate(base: 2, epoch: 2) - 1.62) < 1e-12)
    let p = Parameter(Matrix([[3.0, 4.0]]))
    p.gradient = Matrix([[3.0, 4.0]])
    let norm = clipGradients([p], maxNorm: 1)
    #expect(norm == 5)
    #expect(abs(p.gradient[0, 0] - 0.6) < 1e-12 && abs(p.gradient[0, 1] - 0.8) < 1e-12)
  }

  @Test("Training is deterministic for a seed and learns a separable problem")
  func deterministic() throws {
    let (x, y) = blobs(count: 200, seed: 1)
    func train() throws -> (TrainingHistory, [Int], [Matrix<Double>]) {
      var g = SeededGenerator(seed: 4)
      let model = MLP(sizes: [3, 8, 2], dropout: 0.1, generator: &g)
      var config = TrainingConfiguration()
      config.epochs = 30
      config.batchSize = 32
      config.patience = nil
      config.showsProgress = false
      let history = try Trainer(config).fitClassifier(model, optimizer: Adam(learningRate: 0.01), inputs: x, labels: y)
      return (history, model.predictClasses(x), model.snapshot())
    }
    let (h1, p1, w1) = try train()
    let (h2, p2, w2) = try train()
    #expect(h1.records.map(\.trainingLoss) == h2.records.map(\.trainingLoss))
    #expect(p1 == p2 && w1 == w2)
    let accuracy = Double(zip(p1, y).filter { $0 == $1 }.count) / Double(y.count)
    #expect(accuracy > 0.95)
    #expect(h1.records.last!.trainingLoss < h1.records.first!.trainingLoss)
  }

  @Test("Early stopping stops and restores the best epoch's weights")
  func earlyStopping() throws {
    let (x, y) = blobs(count: 100, seed: 2)
    // Validation labels are flipped, so the validation loss rises as training fits.
    let (vx, vy) = blobs(count: 40, seed: 3)
    var g = SeededGenerator(seed: 5)
    let model = MLP(sizes: [3, 8, 2], generator: &g)
    var config = TrainingConfiguration()
    config.epochs = 200
    config.patience = 5
    config.showsProgress = false
    var bestWeights: [Matrix<Double>]?
    var epochs = 0
    let history = try Trainer(config).fitClassifier(
      model, optimizer: Adam(learningRate: 0.05), inputs: x, labels: y, validation: (vx, vy.map { 1 - $0 })
    ) { record in
      epochs += 1
      if record.isBest { bestWeights = model.snapshot() }
    }
    #expect(history.stoppedEarly)
    #expect(epochs == history.epochs && history.epochs == history.bestEpoch + 1 + 5)
    #expect(model.snapshot() == bestWeights)
    let best = history.records.map { $0.validationLoss! }.min()!
    #expect(history.records[history.bestEpoch].validationLoss == best)
  }

  @Test("Metrics: accuracy, recall, precision and the confusion matrix")
  func metrics() {
    let m = ClassificationMetrics(predicted: [0, 1, 1, 2, 2, 2], labels: [0, 1, 2, 2, 2, 0], classes: 3)
    #expect(m.confusion == [[1, 0, 1], [0, 1, 0], [0, 1, 2]])
    #expect(abs(m.accuracy - 4.0 / 6) < 1e-15)
    #expect(m.recall == [0.5, 1, 2.0 / 3])
    #expect(m.precision == [1, 0.5, 2.0 / 3])
    #expect(ClassificationMetrics(predicted: [], labels: [], classes: 2).accuracy == 0)
    #expect(argmaxRows(Matrix([[1, 3, 3], [5, 0, 1]])) == [1, 0])
  }

  @Test("The progress bar is silent when standard error is not a terminal")
  func progress() {
    // Test runs pipe standard error; the bar must not draw there.
    if isatty(2) == 0 { #expect(!ProgressBar(total: 10).isEnabled) }
    #expect(!ProgressBar(total: 10, enabled: false).isEnabled)
  }
}
