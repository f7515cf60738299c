import Foundation
import OTKitAttention
import OTKitNeural
import Testing

@testable import OTKitExperiments

@Suite("otkit reproduce attention")
struct AttentionReproductionTests {
  @Test("Quick settings: every anchor trains, softmax heads keep seed 002's identity, the anchors' matrices and the open questions measured")
  func quick() throws {
    let reproduction = AttentionReproduction(settings: .quick)
    let result = try reproduction.run(progress: .silent)
    let settings = AttentionReproduction.Settings.quick
    #expect(result.runs.count == settings.datasets.count * settings.anchors.count * settings.seeds)
    #expect(result.sweep.count == settings.temperatures.count * settings.seeds)
    #expect(result.preconditioning.count == settings.preconditioning.count * settings.seeds)
    #expect(result.preconditioning.allSatisfy { $0.anchor == "softmax-natural" && $0.losses.count == $0.epochs })
    #expect(result.regimes.count == settings.regimes.count * settings.seeds)
    // The adaptive carrier's widths are learned: they leave their start, and stay finite.
    #expect(result.regimes.allSatisfy { $0.regime == "adaptive:2" && $0.learnedWidth.map { $0.isFinite && $0 != 2 } == true })
    for run in result.runs + result.sweep + result.regimes {
      #expect((0...1).contains(run.accuracy) && run.loss.isFinite && run.entropy >= 0 && run.epochs >= 1)
      if run.anchor == "softmax" { #expect(run.advantageMaxError < 1e-10) }
      #expect(run.gradientNorm.isFinite && run.contextEffectiveRank >= 1 - 1e-9)
    }
    let metrics = Dictionary(uniqueKeysWithValues: result.doublyStochastic.map { ($0.anchor, $0) })
    #expect(metrics["circuit"]!.marginalError < 1e-12 && metrics["orthostochastic"]!.marginalError < 1e-12)
    let sinkhorn = ["sinkhorn-1", "sinkhorn-3", "sinkhorn-5", "sinkhorn-21"].map { metrics[$0]!.fixedPointDistance }
    #expect(zip(sinkhorn, sinkhorn.dropFirst()).allSatisfy { $0 > $1 })
    #expect(sinkhorn.last! < 1e-6)
    for t in result.openQuestions.tsallis {
      #expect(t.escortFisherError < 1e-12 && t.conjugateHessianError < 1e-5 && t.categoricalFisherError > 1e-2)
    }
    #expect(result.openQuestions.twoSided.convergedError < 1e-8 && result.openQuestions.twoSided.rowBaselineOnlyError > 1e-3)
    #expect(result.openQuestions.twoSided.oneStepError < 1e-12)
    #expect(reproduction.report(result).text().contains("circuit"))
  }

  @Test("Anchor names and options")
  func options() throws {
    #expect(AttentionStudy.anchor(named: "sinkhorn-4") == .sinkhorn(SinkhornAnchorSettings(iterations: 4)))
    #expect(AttentionStudy.anchor(named: "entmax-1.25") == .entmax(alpha: 1.25))
    #expect(AttentionStudy.anchor(named: "sinkhorn-0") == nil && AttentionStudy.anchor(named: "entmax-1") == nil)
    var settings = AttentionReproduction.Settings()
    try settings.set("anchors", to: "softmax,circuit")
    try settings.set("datasets", to: "digits")
    #expect(settings.anchors == ["softmax", "circuit"] && settings.datasets == ["digits"])
    #expect(throws: ReproductionError.self) { try settings.set("anchors", to: "softmax,bogus") }
    #expect(throws: ReproductionError.self) { try settings.set("datasets", to: "mnist") }
    #expect(throws: ReproductionError.self) { try settings.set("temperatures", to: "0") }
    try settings.set("regimes", to: "staged,power:0.25,adaptive:3,window:2,field")
    #expect(settings.regimes.count == 5)
    #expect(AttentionStudy.regime(named: "staged")! == (AttentionRegime(carriers: [.window(radius: 1), .full]), 2))
    #expect(AttentionStudy.regime(named: "adaptive:3")!.regime.adaptiveWidth == 3)
    #expect(throws: ReproductionError.self) { try settings.set("regimes", to: "power:2") }
    try settings.set("regimes", to: "none")
    #expect(settings.regimes.isEmpty)
  }

  @Test("Digits as 16 pooled patch tokens")
  func patches() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var settings = AttentionReproduction.Settings()
    settings.digits = root.appendingPathComponent("../shared/data/digits.csv").standardized.path
    settings.instances = 50
    guard FileManager.default.fileExists(atPath: settings.digits) else { return }
    let (data, layout) = try AttentionStudy.dataset("digits", settings: settings)
    #expect(data.instances == 50 && data.tokens == 1 && data.dimension == 16 && layout == .feature)
    #expect(data.classCount == 10 || data.classCount > 5)
  }
}
