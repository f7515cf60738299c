import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural
import Testing

@testable import OTKitTabular

@Suite("The Monge gap on the OT classifier's map")
struct OTClassifierMongeGapTests {
  static func settings(weight: Double?) -> OTClassifierSettings {
    var s = OTClassifierSettings()
    (s.epochs, s.patience, s.hidden) = (15, 15, [32, 32])
    s.mongeGap = weight.map { MongeGapPenalty(weight: $0, points: 48) }
    return s
  }

  /// The exact gap of a fitted map on the standardized points of `data`.
  static func exactGap(_ model: OTClassifier, _ data: SequenceData) throws -> Double {
    let x = try model.standardizer!.transform(data.points)
    return try TransportLoss.exactMongeGap(source: x, mapped: try model.mapped(standardized: x))
  }

  @Test("With the gap the map's exact gap on held-out points falls; weight 0 is the study's classifier, bit for bit")
  func gapLowersTheExactGap() throws {
    let (train, test) = ClassGaussians.study(classes: 3, separation: 2).simulate(instances: 60, tokens: 8, seed: 5).alternatingSplit()
    let plain = OTClassifier(settings: Self.settings(weight: nil))
    try plain.fit(train)
    let zero = OTClassifier(settings: Self.settings(weight: 0))
    try zero.fit(train)
    #expect(try zero.predictProbabilities(test) == plain.predictProbabilities(test))
    let gapped = OTClassifier(settings: Self.settings(weight: 1))
    try gapped.fit(train)
    let (before, after) = (try Self.exactGap(plain, test), try Self.exactGap(gapped, test))
    #expect(after < before / 2, "exact gap \(after) with the gap, \(before) without")
    #expect(try gapped.evaluate(test).accuracy > 0.5)
  }

  @Test("Settings: saved and read back, older files without the gap read as none, bad values are typed errors")
  func settings() throws {
    let s = Self.settings(weight: 0.5)
    let decoded = try JSONDecoder().decode(OTClassifierSettings.self, from: JSONEncoder().encode(s))
    #expect(decoded == s && decoded.mongeGap?.weight == 0.5 && decoded.mongeGap?.cost == .squaredEuclidean)
    var old = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(OTClassifierSettings())) as? [String: Any])
    old["mongeGap"] = nil
    #expect(try JSONDecoder().decode(OTClassifierSettings.self, from: JSONSerialization.data(withJSONObject: old)).mongeGap == nil)
    let (train, _) = ClassGaussians.study(classes: 2, separation: 2).simulate(instances: 10, tokens: 4, seed: 1).alternatingSplit()
    for penalty in [MongeGapPenalty(weight: -1), MongeGapPenalty(weight: .nan), MongeGapPenalty(weight: 1, points: 1), MongeGapPenalty(weight: 1, epsilon: 0)] {
      var bad = Self.settings(weight: nil)
      bad.mongeGap = penalty
      #expect(throws: TabularModelError.self) { try OTClassifier(settings: bad).fit(train) }
    }
  }

  @Test("By name: --monge-gap sets the OT classifier's penalty and is refused for other models")
  func byName() throws {
    var changes = TabularModel.Changes()
    changes.mongeGap = 0.5
    guard case .ot(let s) = TabularModel(name: "ot", changes: changes) else { Issue.record("not an ot model"); return }
    #expect(s.mongeGap == MongeGapPenalty(weight: 0.5))
    try changes.check(model: "ot")
    #expect(throws: TabularModel.InvalidChange.self) { try changes.check(model: "mlp") }
    changes.mongeGap = -1
    #expect(throws: TabularModel.InvalidChange.self) { try changes.check(model: "ot") }
  }
}
