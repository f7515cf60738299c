import Foundation
import OTKitCore
import OTKitTabular
import Testing

@testable import OTKitExperiments

@Suite("The tabular OT study (seed 000)")
struct StudyRunnerTests {
  @Test("The study runner: summaries with means, deviations and the OT metrics")
  func studyRunner() throws {
    var settings = Study.SyntheticSettings()
    settings.classes = [2]
    settings.separations = [3]
    settings.repetitions = 2
    settings.transformer.epochs = 10
    settings.transformer.pretrainEpochs = 10
    settings.ot.epochs = 10
    let calls = Locked(0)
    let (runs, examples) = try Study.synthetic(settings, keepExamples: 3, progress: ReproductionProgress { done, total, _ in
      calls.withLock { $0 += 1 }
      #expect(done <= total)
    })
    #expect(runs.count == 6 && calls.withLock { $0 } == 6)
    #expect(examples.count == 3 && examples[0].outcome.recorder != nil)
    let summaries = Study.summarize(runs)
    #expect(summaries.map(\.model) == ["transformer", "pretrained", "ot"])
    #expect(summaries.allSatisfy { $0.runs == 2 && $0.gaussDist == 6 })
    #expect(summaries[0].metrics["optimality"] != nil && summaries[2].metrics.isEmpty)
    #expect(MeanDeviation([1, 2, 3]) == MeanDeviation(mean: 2, deviation: 1))
  }
}

extension MeanDeviation {
  init(mean: Double, deviation: Double) {
    self.init([])
    self.mean = mean
    self.deviation = deviation
  }
}

@Suite("The study's settings")
struct StudySettingsTests {
  @Test("The simulation runs the study's original transformer; BEED the tuned defaults")
  func settings() {
    #expect(Study.SyntheticSettings().transformer == TransformerSettings.study)
    #expect(Study.RealSettings().transformer == TransformerSettings())
  }
}
