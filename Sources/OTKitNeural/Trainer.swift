import Foundation
import OTKitAutograd
import OTKitCore

/// How a ``Trainer`` runs.
public struct TrainingConfiguration: Sendable, Equatable {
  /// The most epochs.
  public var epochs: Int = 100
  /// Instances per step; `nil` is full batch.
  public var batchSize: Int? = nil
  /// Stop after this many epochs without improvement of the monitored loss (the validation
  /// loss when there is a validation set, else the training loss); `nil` never stops early.
  public var patience: Int? = 10
  /// Restore the weights of the best epoch at the end.
  public var restoreBest: Bool = true
  /// The seed of the batch shuffling.
  public var seed: UInt64 = 0
  /// The learning rate per epoch, from the optimizer's rate at the start.
  public var schedule: LearningRateSchedule = .constant
  /// Clip the global gradient norm to this value.
  public var gradientClipNorm: Double? = nil
  /// Draw a progress bar on standard error when it is a terminal.
  public var showsProgress: Bool = true

  public init() {}

  /// The settings most runs change, the rest at their defaults.
  public init(epochs: Int, batchSize: Int?, patience: Int?, seed: UInt64, showsProgress: Bool) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.patience = patience
    self.seed = seed
    self.showsProgress = showsProgress
  }
}

/// The figures of one epoch.
public struct EpochRecord: Sendable, Equatable {
  /// 0-based.
  public var epoch: Int
  /// The mean training loss over the epoch's steps.
  public var trainingLoss: Double
  /// The training accuracy over the epoch's steps, when the loss reports it.
  public var trainingAccuracy: Double?
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  public var learningRate: Double
  /// Seconds since training started.
  public var elapsed: Double
  /// Whether this epoch is the best so far (and its weights kept).
  public var isBest: Bool
}

/// What a training run did.
public struct TrainingHistory: Sendable, Equatable {
  public var records: [EpochRecord] = []
  /// The 0-based epoch whose weights the model holds after `restoreBest`.
  public var bestEpoch: Int = 0
  public var stoppedEarly: Bool = false
  public var seconds: Double = 0
  /// The number of epochs run.
  public var epochs: Int { records.count }
}

/// The loss of one step and, for classifiers, how many predictions were right.
public struct StepResult {
  public var loss: Tensor
  /// Correct predictions and their number, for the running accuracy.
  public var correct: (Int, of: Int)?

  public init(loss: Tensor, correct: (Int, of: Int)? = nil) {
    self.loss = loss
    self.correct = correct
  }
}

/// Mini-batch or full-batch training with a validation set, early stopping with restore of
/// the best weights, a learning-rate schedule, gradient clipping, a per-epoch callback and a
/// terminal progress bar. Deterministic for a given seed (and model initialization).
public struct Trainer {
  public var configuration: TrainingConfiguration

  public init(_ configuration: TrainingConfiguration = .init()) {
    self.configuration = configuration
  }

  /// Trains `module` on `count` training items.
  ///
  /// - Parameters:
  ///   - step: builds the loss of the items at the given indices on the given graph.
  ///   - validate: the validation loss (and accuracy), computed without a graph that records.
  ///   - onEpoch: called after every epoch (the OT metrics of training record the encoder's
  ///     output here).
  /// - Throws: `AutogradError` from the backward pass.
  public func fit(
    _ module: some Module, optimizer: some Optimizer, count: Int,
    step: (Graph, [Int]) -> StepResult,
    validate: (() -> (loss: Double, accuracy: Double?))? = nil,
    onEpoch: ((EpochRecord) -> Void)? = nil
  ) throws -> TrainingHistory {
    precondition(count > 0, "Nothing to train on")
    let config = configuration
    let parameters = module.parameters
    let baseRate = optimizer.learningRate
    let batch = min(max(config.batchSize ?? count, 1), count)
    var generator = SeededGenerator(seed: config.seed)
    var history = TrainingHistory()
    var best = Double.infinity
    var bestWeights = module.snapshot()
    var sinceBest = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let progress = ProgressBar(total: config.epochs, enabled: config.showsProgress)
    var order = Array(0..<count)
    for epoch in 0..<config.epochs {
      optimizer.learningRate = config.schedule.rate(base: baseRate, epoch: epoch)
      if batch < count { generator.shuffle(&order) }
      var lossSum = 0.0, lossWeight = 0.0, correct = 0, seen = 0, hasAccuracy = false
      var first = 0
      while first < count {
        let indices = Array(order[first..<min(first + batch, count)])
        first += batch
        module.zeroGradients()
        let graph = Graph()
        let result = step(graph, indices)
        try graph.backward(result.loss)
        if let clip = config.gradientClipNorm { clipGradients(parameters, maxNorm: clip) }
        optimizer.step(parameters)
        lossSum += result.loss.scalar * Double(indices.count)
        lossWeight += Double(indices.count)
        if let (right, total) = result.correct {
          correct += right
          seen += total
          hasAccuracy = true
        }
      }
      let validation = validate?()
      let monitored = validation?.loss ?? lossSum / lossWeight
      let improved = monitored < best
      if improved {
        best = monitored
        sinceBest = 0
        history.bestEpoch = epoch
        if config.restoreBest { bestWeights = module.snapshot() }
      } else {
        sinceBest += 1
      }
      let record = EpochRecord(
        epoch: epoch, trainingLoss: lossSum / lossWeight,
        trainingAccuracy: hasAccuracy && seen > 0 ? Double(correct) / Double(seen) : nil,
        validationLoss: validation?.loss, validationAccuracy: validation?.accuracy ?? nil,
        learningRate: optimizer.learningRate,
        elapsed: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, isBest: improved)
      history.records.append(record)
      progress.update(record)
      onEpoch?(record)
      if let patience = config.patience, sinceBest >= patience {
        history.stoppedEarly = true
        break
      }
      if !monitored.isFinite && epoch > 0 { break }
    }
    progress.finish()
    if config.restoreBest { module.restore(bestWeights) }
    optimizer.learningRate = baseRate
    history.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return history
  }

  /// Trains a classifier `model` (rows of `inputs` to class logits) with cross-entropy.
  ///
  /// - Parameters:
  ///   - validation: inputs and labels that monitor early stopping; `nil` monitors the
  ///     training loss.
  public func fitClassifier(
    _ model: some Layer, optimizer: some Optimizer, inputs: Matrix<Double>, labels: [Int],
    validation: (inputs: Matrix<Double>, labels: [Int])? = nil, classWeights: [Double]? = nil,
    onEpoch: ((EpochRecord) -> Void)? = nil
  ) throws -> TrainingHistory {
    precondition(inputs.rows == labels.count, "\(labels.count) labels for \(inputs.rows) rows")
    let full = inputs.rows
    let validate: (() -> (loss: Double, accuracy: Double?))? = validation.map { v in
      {
        let graph = Graph.inference()
        let logits = model(graph.constant(v.inputs))
        let loss = crossEntropy(logits: logits, labels: v.labels, classWeights: classWeights).scalar
        let right = correctPredictions(logits.value, v.labels)
        return (loss, v.labels.isEmpty ? nil : Double(right) / Double(v.labels.count))
      }
    }
    return try fit(
      model, optimizer: optimizer, count: full,
      step: { graph, indices in
        let x = graph.constant(indices.count == full ? inputs : inputs.rows(at: indices))
        let y = indices.count == full ? labels : indices.map { labels[$0] }
        let logits = model(x)
        let right = correctPredictions(logits.value, y)
        return StepResult(loss: crossEntropy(logits: logits, labels: y, classWeights: classWeights), correct: (right, y.count))
      }, validate: validate, onEpoch: onEpoch)
  }
}

/// How many rows of `logits` have their largest value at the label.
func correctPredictions(_ logits: Matrix<Double>, _ labels: [Int]) -> Int {
  zip(argmaxRows(logits), labels).filter { $0 == $1 }.count
}

extension Layer {
  /// The softmax of the model's logits for each row, in inference mode and in blocks of
  /// `batchSize` rows.
  public func predictProbabilities(_ inputs: Matrix<Double>, batchSize: Int = 4096) -> Matrix<Double> {
    var parts: [Matrix<Double>] = []
    var first = 0
    while first < inputs.rows {
      let block = inputs.rows(first..<min(first + batchSize, inputs.rows))
      let graph = Graph.inference()
      parts.append(Kernels.softmaxRows(self(graph.constant(block)).value))
      first += batchSize
    }
    guard var result = parts.first else { return Matrix(rows: 0, columns: 0) }
    for part in parts.dropFirst() { result = result.appendingRows(part) }
    return result
  }

  /// The most probable class of each row.
  public func predictClasses(_ inputs: Matrix<Double>) -> [Int] { argmaxRows(predictProbabilities(inputs)) }
}
