import Foundation
import Testing

@testable import OTKitExperiments

@Suite("otkit reproduce flow")
struct FlowReproductionTests {
  @Test("Quick settings: every arm trains and is measured; the figures are finite; W-CFM alone has an ESS in (0, 1]")
  func quick() throws {
    let reproduction = FlowReproduction(settings: .quick)
    let result = try reproduction.run(progress: .silent)
    let settings = FlowReproduction.Settings.quick
    #expect(result.runs.count == settings.tasks.count * settings.arms.count)
    for run in result.runs {
      #expect(run.w2.isFinite && run.w2 > 0 && run.npe.isFinite && run.nfe > 0 && !run.samples.isEmpty)
      #expect((run.ess != nil) == run.arm.hasPrefix("wcfm"))
      if let ess = run.ess { #expect(ess > 0 && ess <= 1 + 1e-12) }
    }
    #expect(reproduction.report(result).text().contains("otcfm@32"))
  }

  @Test("Arms, tasks and options")
  func options() throws {
    #expect(FlowStudy.arm(named: "wcfm:0.5@16")! == ("wcfm", 0.5, 16) && FlowStudy.arm(named: "otcfm@256")! == ("otcfm", 0, 256))
    #expect(FlowStudy.arm(named: "wcfm:0@16") == nil && FlowStudy.arm(named: "otcfm") == nil && FlowStudy.arm(named: "icfm@1") == nil)
    #expect(FlowStudy.source("8gaussians") != nil && FlowStudy.source("moons") == nil)
    var settings = FlowReproduction.Settings()
    try settings.set("arms", to: "icfm@8,wcfm:2@8")
    #expect(settings.arms == ["icfm@8", "wcfm:2@8"])
    #expect(throws: ReproductionError.self) { try settings.set("tasks", to: "mnist") }
    #expect(throws: ReproductionError.self) { try settings.set("samples", to: "2") }
  }
}
