import Foundation
import OTKitCore
import Testing

import OTKitAutograd
@testable import OTKitNeural

/// `Trainer`'s step mode: a stream of batches, one update each.
@Suite("Step-based training")
struct StepTrainingTests {
  /// A least-squares fit of `y = x w*` on fresh batches drawn per step.
  func regression(steps: Int, schedule: LearningRateSchedule = .constant) throws -> (StepHistory, Parameter, [Double]) {
    let truth = Matrix<Double>([[1], [-2], [0.5]])
    let w = Parameter(Matrix<Double>(rows: 3, columns: 1))
    var data = SeededGenerator(seed: 3)
    var configuration = TrainingConfiguration()
    (configuration.showsProgress, configuration.schedule) = (false, schedule)
    var rates: [Double] = []
    let history = try Trainer(configuration).fit(
      [w], optimizer: Adam(learningRate: 0.05), steps: steps,
      loss: { graph, _ in
        let x = Matrix<Double>(rows: 16, columns: 3, elements: (0..<48).map { _ in data.normal() })
        return (graph.constant(x).matmul(graph.parameter(w)) - graph.constant(x.multiplied(by: truth))).square().mean()
      },
      onStep: { rates.append($0.learningRate) })
    return (history, w, rates)
  }

  @Test("The loss of a stream of batches falls and the weights reach the truth")
  func converges() throws {
    let (history, w, _) = try regression(steps: 400)
    #expect(history.steps == 400 && !history.stoppedOnNonFiniteLoss)
    #expect(history.losses.last! < 1e-3 * history.losses.first!)
    #expect(abs(w.value[1, 0] + 2) < 1e-2)
  }

  @Test("Two runs with the same data are equal, number for number")
  func deterministic() throws {
    let (a, wa, _) = try regression(steps: 50)
    let (b, wb, _) = try regression(steps: 50)
    #expect(a.losses == b.losses && wa.value == wb.value)
  }

  @Test("The schedule is read per step")
  func schedule() throws {
    let (_, _, rates) = try regression(steps: 4, schedule: .warmup(epochs: 4))
    let expected = [0.0125, 0.025, 0.0375, 0.05]
    #expect(zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-15 } && rates.count == 4)
  }

  @Test("A non-finite loss stops the run before its update, and the history says so")
  func nonFinite() throws {
    let w = Parameter(Matrix<Double>([[1.0]]))
    var configuration = TrainingConfiguration()
    configuration.showsProgress = false
    let history = try Trainer(configuration).fit(
      [w], optimizer: SGD(learningRate: 0.1), steps: 10,
      loss: { graph, step in
        let scale = step == 3 ? Double.nan : 1
        return (graph.parameter(w) * graph.constant(Matrix([[scale]]))).square().sum()
      })
    #expect(history.steps == 4 && history.stoppedOnNonFiniteLoss)
    #expect(history.losses[3].isNaN && w.value[0, 0].isFinite)
  }
}
