import Foundation
import OTKitAutograd
import OTKitCore

/// The figures of one step of step-based training.
public struct StepRecord: Sendable, Equatable {
  /// 0-based.
  public var step: Int
  /// The batch's loss before the step's update.
  public var loss: Double
  public var learningRate: Double
}

/// What a step-based training run did.
public struct StepHistory: Sendable, Equatable {
  /// The loss of every step run, before its update.
  public var losses: [Double] = []
  /// Whether a non-finite loss stopped the run (its step made no update).
  public var stoppedOnNonFiniteLoss = false
  public var seconds: Double = 0
  /// The number of steps run.
  public var steps: Int { losses.count }
}

extension Trainer {
  /// Step-based training on a stream of batches, the way sampled-data models are trained
  /// (the trained sorter, the synthetic encoder of the alignment study): `steps` updates,
  /// each on the loss `loss(graph, step)` builds from a batch of its own; no epochs, no
  /// validation set, no restore of best weights.
  ///
  /// The configuration's learning-rate schedule is read per step (its `epoch` is the step),
  /// and its gradient clipping applies; its epochs, batch size, patience and restore do not.
  /// A non-finite loss stops the run before its update, and the history says so.
  ///
  /// - Parameters:
  ///   - parameters: what the optimizer updates.
  ///   - steps: the most updates.
  ///   - loss: builds the step's loss on the graph (which records).
  ///   - onStep: called after each step's update.
  /// - Throws: `AutogradError` from the backward pass, or what `loss` throws.
  /// - Complexity: `steps` forward and backward passes.
  public func fit(
    _ parameters: [Parameter], optimizer: some Optimizer, steps: Int,
    loss: (Graph, Int) throws -> Tensor, onStep: ((StepRecord) -> Void)? = nil
  ) throws -> StepHistory {
    let config = configuration
    let baseRate = optimizer.learningRate
    var history = StepHistory()
    history.losses.reserveCapacity(max(steps, 0))
    let start = DispatchTime.now().uptimeNanoseconds
    let progress = ProgressBar(total: steps, enabled: config.showsProgress)
    defer {
      progress.finish()
      optimizer.learningRate = baseRate
    }
    for step in 0..<max(steps, 0) {
      optimizer.learningRate = config.schedule.rate(base: baseRate, epoch: step)
      let graph = Graph()
      let value = try loss(graph, step)
      history.losses.append(value.scalar)
      guard value.scalar.isFinite else {
        history.stoppedOnNonFiniteLoss = true
        break
      }
      for p in parameters { p.zeroGradient() }
      try graph.backward(value)
      if let clip = config.gradientClipNorm { clipGradients(parameters, maxNorm: clip) }
      optimizer.step(parameters)
      if progress.isEnabled { progress.update(done: step + 1, message: "loss \(String(format: "%.4g", value.scalar))") }
      onStep?(StepRecord(step: step, loss: value.scalar, learningRate: optimizer.learningRate))
    }
    history.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return history
  }
}
