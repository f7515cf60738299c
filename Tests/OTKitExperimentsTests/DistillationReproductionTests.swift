import Foundation
import OTKitNeural
import Testing

@testable import OTKitExperiments

@Suite("otkit reproduce distill")
struct DistillationReproductionTests {
  @Test("Arms by name: the divergences, the Sinkhorn term and its factor; bad names are refused")
  func arms() throws {
    #expect(DistillationStudy.arm(named: "ce")! == Distillation(divergence: nil))
    #expect(DistillationStudy.arm(named: "rkl")!.divergence == .reverseKL && DistillationStudy.arm(named: "js")!.divergence == .jensenShannon)
    let sinkd = try #require(DistillationStudy.arm(named: "kl+sinkd:0.02"))
    #expect(sinkd.divergence == .kl && sinkd.sinkhorn?.scale == 0.02 && DistillationStudy.arm(named: "ce+sinkd")!.sinkhorn?.scale == 0.002)
    #expect(DistillationStudy.arm(named: "js+sinkd-sample")!.sinkhorn == { var s = SinkhornDistillation(granularity: .sample); s.scale = 1; return s }())
    for bad in ["", "l1", "kl+", "kl+sinkd:-1", "kl+sinkd:x", "kl+ot", "kl+sinkd-samples"] { #expect(DistillationStudy.arm(named: bad) == nil, "\(bad)") }
    var settings = DistillationReproduction.Settings()
    #expect(throws: ReproductionError.self) { try settings.set("arms", to: "kl,bogus") }
    #expect(throws: ReproductionError.self) { try settings.set("teacher-scales", to: "0") }
  }

  @Test("The sign test and the t quantile")
  func statistics() {
    #expect(abs(DistillationStudy.signTest(10, 0) - 2 * Foundation.pow(0.5, 10)) < 1e-15)
    #expect(DistillationStudy.signTest(5, 5) == 1 && DistillationStudy.signTest(0, 0) == 1)
    // P(X <= 2) for Binomial(10, 1/2) = 56 / 1024.
    #expect(abs(DistillationStudy.signTest(8, 2) - 2 * 56.0 / 1024) < 1e-15)
    #expect(DistillationStudy.studentT95(degrees: 9) == 2.262 && DistillationStudy.studentT95(degrees: 0) == 0)
    let comparison = DistillationStudy.paired([0.9, 0.8, 0.7], [0.8, 0.8, 0.9])
    #expect(comparison.wins == 1 && comparison.losses == 1 && abs(comparison.difference.mean - (-0.1 / 3)) < 1e-12)
  }

  @Test("Quick settings: every arm over two seeds, the paired comparison against kl, the report's table")
  func quick() throws {
    let reproduction = DistillationReproduction(settings: .quick)
    let result = try reproduction.run(progress: .silent)
    #expect(result.runs.count == 3 * 2 && result.summaries.count == 3)
    #expect(result.summaries.first { $0.arm == "kl" }?.againstKD == nil && result.summaries.first { $0.arm == "ce" }?.againstKD != nil)
    for run in result.runs { #expect((0...1).contains(run.accuracy) && (0...1).contains(run.agreement)) }
    #expect(reproduction.report(result).text().contains("js+sinkd"))
  }
}
