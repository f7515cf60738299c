import Foundation
import OTKitNeural
import Testing

@testable import OTKitExperiments

@Suite("otkit reproduce moe")
struct MixtureOfExpertsReproductionTests {
  @Test("Routers by name, with the balance loss and the z-loss; bad names are refused")
  func arms() throws {
    #expect(MixtureOfExpertsStudy.arm(named: "softmax") == .init(routing: .softmaxTopK(noise: 0)))
    #expect(MixtureOfExpertsStudy.arm(named: "softmax+aux") == .init(routing: .softmaxTopK(noise: 0), balanceWeight: 0.01))
    #expect(MixtureOfExpertsStudy.arm(named: "noisy-softmax:0.5+aux:0.1+z") == .init(routing: .softmaxTopK(noise: 0.5), balanceWeight: 0.1, zWeight: 1e-3))
    #expect(MixtureOfExpertsStudy.arm(named: "ssr:0.01") == .init(routing: .selectiveSinkhorn(SinkhornRouting(), fraction: 0.01)))
    #expect(MixtureOfExpertsStudy.arm(named: "ssr:1:unrolled") == .init(routing: .selectiveSinkhorn(SinkhornRouting(gradient: .unrolled), fraction: 1)))
    #expect(MixtureOfExpertsStudy.arm(named: "sparse-ot:0.5") == .init(routing: .sparseTransport(gamma: 0.5)))
    #expect(MixtureOfExpertsStudy.arm(named: "base")?.routing == .balancedAssignment && MixtureOfExpertsStudy.arm(named: "s-base") != nil)
    for bad in ["", "switch", "ssr", "ssr:2", "ssr:-1", "ssr:0.1:backprop", "sparse-ot:0", "noisy-softmax:0", "softmax+", "softmax+aux:-1", "softmax+l2", "base:1"] {
      #expect(MixtureOfExpertsStudy.arm(named: bad) == nil, "\(bad)")
    }
    var settings = MixtureOfExpertsReproduction.Settings()
    #expect(throws: ReproductionError.self) { try settings.set("arms", to: "softmax,bogus") }
    #expect(throws: ReproductionError.self) { try settings.set("experts", to: "0") }
    // Settings decoded from a file skip set(_:to:): validate catches what it would refuse.
    for edit in [{ (s: inout MixtureOfExpertsReproduction.Settings) in s.arms = ["softmax", "switch"] }, { $0.windows = 0 }, { $0.topK = 9 }, { $0.capacityFactor = 0 }] {
      var bad = MixtureOfExpertsReproduction.Settings()
      edit(&bad)
      #expect(throws: ReproductionError.self) { try bad.validate(given: []) }
    }
    #expect(throws: Never.self) { try MixtureOfExpertsReproduction.Settings().validate(given: []) }
  }

  @Test("Quick settings: every router trains, loads add up, SSR's fraction picks its passes, the report draws the loads")
  func quick() throws {
    var settings = MixtureOfExpertsReproduction.Settings.quick
    settings.arms += ["ssr:0", "s-base+z"]
    let reproduction = MixtureOfExpertsReproduction(settings: settings)
    let result = try reproduction.run(progress: .silent)
    #expect(result.runs.count == 6 && result.summaries.count == 6)
    for run in result.runs {
      #expect((0...1).contains(run.accuracy) && run.loadCV >= 0 && run.maxOverMeanLoad >= 1 && (0...8).contains(run.deadExperts))
      #expect(run.loadHistory.count == 3 && run.loadHistory.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 })
      #expect(run.secondsPerStep > 0 && (0...1).contains(run.droppedShare))
    }
    let passes = Dictionary(uniqueKeysWithValues: result.runs.map { ($0.arm, $0.transportPasses) })
    #expect(passes["ssr:0"] == 0 && passes["softmax+aux"] == 0 && passes["base"] == 0 && passes["s-base+z"] == settings.steps)
    #expect(passes["sparse-ot"] == settings.steps && (1..<settings.steps).contains(passes["ssr:0.5"]!))
    #expect(result.summaries.first { $0.arm == "softmax+aux" }?.againstAuxiliary == nil && result.summaries.first { $0.arm == "base" }?.againstAuxiliary != nil)
    let html = reproduction.report(result).render()
    #expect(html.contains("ssr:0.5") && html.contains("<svg"))
  }
}
