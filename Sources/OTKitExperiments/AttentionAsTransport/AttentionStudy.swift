import Foundation
import OTKitAttention
import OTKitCore
import OTKitData
import OTKitNeural
import OTKitTabular

/// The training part of `otkit reproduce attention`: one transformer per dataset, anchor,
/// temperature and seed, its test accuracy, training stability, time per epoch, and its
/// heads read as transport (`TabularTransformer.inspect`).
public enum AttentionStudy {
  /// One trained model.
  public struct Run: Sendable, Codable, Equatable {
    public var dataset: String
    public var anchor: String
    public var temperature: Double
    public var seed: UInt64
    public var accuracy: Double
    /// The training loss at the best epoch.
    public var loss: Double
    public var epochs: Int
    public var secondsPerEpoch: Double
    /// The mean attention entropy over heads and inspected test instances (nats).
    public var entropy: Double
    /// The largest advantage-form error over heads (seed 002's identity, read off the tape).
    public var advantageMaxError: Double
    /// The share of saturated rows over heads.
    public var saturatedRowShare: Double
    /// The training loss of every epoch.
    public var losses: [Double]
    /// At the last epoch, on a probe of 16 training instances (`--log-gradient-structure`'s):
    /// the mean over heads of the gradient's size on the scores and of the context vectors'
    /// effective rank (failure signatures: vanishing gradients, rank collapse).
    public var gradientNorm: Double
    public var contextEffectiveRank: Double
    /// The attention regime's name (``regime(named:)``; `chart` for standard attention).
    public var regime = "chart"
    /// The adaptive carrier's learned window width, mean over heads and blocks (tokens).
    public var learnedWidth: Double? = nil
  }

  /// The regimes `otkit reproduce attention` compares (Geometric Attention's choices on the
  /// softmax anchor): `chart` (standard), `interaction`, `field`, `power:Q`, a fixed carrier
  /// (`causal`, `window:R`), `adaptive:W` (a learned window from width `W`), `deep` (two
  /// blocks, full carriers) and `staged` (two blocks: `window:1`, then full).
  public static func regime(named name: String) -> (regime: AttentionRegime, blocks: Int?)? {
    switch name {
    case "chart": return (AttentionRegime(), nil)
    case "deep": return (AttentionRegime(), 2)
    case "staged": return (AttentionRegime(carriers: [.window(radius: 1), .full]), 2)
    default:
      if let unary = UnaryRegime(rawValue: name) { return (AttentionRegime(unary: unary), nil) }
      if let link = AttentionLink(name: name) { return (AttentionRegime(link: link), nil) }
      if let carrier = AttentionCarrier(name: name) { return (AttentionRegime(carriers: [carrier]), nil) }
      if name.hasPrefix("adaptive:"), let width = Double(name.dropFirst(9)), width.isFinite, abs(width) <= 1e6 {
        return (AttentionRegime(adaptiveWidth: width), nil)
      }
      return nil
    }
  }

  /// An anchor by the study's name: `softmax`, `sinkhorn-K`, `sparsemax`, `entmax-ALPHA`,
  /// `orthostochastic`, `circuit`.
  public static func anchor(named name: String) -> AttentionAnchor? {
    if name.hasPrefix("sinkhorn-"), let k = Int(name.dropFirst(9)), k >= 1 { return .sinkhorn(SinkhornAnchorSettings(iterations: k)) }
    if name.hasPrefix("entmax-"), let alpha = Double(name.dropFirst(7)), alpha > 1, alpha.isFinite { return .entmax(alpha: alpha) }
    return AttentionAnchor(name: name, parameters: .init())
  }

  /// A dataset as instances of tokens: `simulated` (the tabular study's Gaussian classes,
  /// 3 classes of 16 points in the plane), `beed` (FT-style feature tokens: one per EEG
  /// channel), `digits` (16 patch tokens of 2 x 2 pixels, as feature tokens), `instances`
  /// rows of each file evenly spaced.
  public static func dataset(_ name: String, settings: AttentionReproduction.Settings) throws -> (data: SequenceData, layout: TokenLayout) {
    switch name {
    case "simulated":
      let gaussians = ClassGaussians.study(classes: 3, separation: 1)
      return (gaussians.simulate(instances: settings.instances, tokens: 16, seed: settings.seed), .sequence)
    case "beed":
      return (try SequenceData(try ReproductionData.labeled(settings.beed, label: "y", instances: settings.instances)), .feature)
    case "digits":
      return (try SequenceData(patches(try ReproductionData.labeled(settings.digits, label: "label", instances: settings.instances))), .feature)
    default:
      throw ReproductionError.invalid(option: "datasets", message: "unknown dataset \(name): simulated, beed or digits")
    }
  }

  /// 8 x 8 images as 16 tokens: the mean of each 2 x 2 patch in reading order, which the
  /// feature layout embeds as `x_p w_p + b_p` (a learned vector and bias per patch position).
  static func patches(_ data: LabeledData) -> LabeledData {
    let pooled = Matrix<Double>(rows: data.count, columns: 16) { i, p in
      let (pr, pc) = (p / 4, p % 4)
      var sum = 0.0
      for dr in 0..<2 { for dc in 0..<2 { sum += data.features[i, (2 * pr + dr) * 8 + 2 * pc + dc] } }
      return sum / 4
    }
    return LabeledData(
      features: pooled, labels: data.labels, classLabels: data.classLabels, featureNames: (0..<16).map { "patch\($0 + 1)" },
      labelName: data.labelName)
  }

  /// Trains one transformer and reads its heads on (up to) `settings.inspected` test instances.
  static func train(
    _ data: SequenceData, layout: TokenLayout, dataset: String, anchor name: String, temperature: Double, seed: UInt64,
    settings: AttentionReproduction.Settings, regime: String = "chart"
  ) throws -> Run {
    var transformer = settings.transformer
    (transformer.layout, transformer.anchor, transformer.temperature) = (layout, anchor(named: name), temperature)
    if let (chosen, blocks) = Self.regime(named: regime), !(chosen.isStandard && blocks == nil) {
      (transformer.regime, transformer.blocks) = (chosen, blocks ?? transformer.blocks)
    }
    transformer.logsGradientStructure = true
    let (train, test) = data.split(testFraction: 0.3, seed: seed)
    let outcome = try TabularModel.transformer(transformer).seeded(seed).fit(sequenceTrain: train, sequenceTest: test)
    guard let model = outcome.classifier as? TabularTransformer else { throw TabularModelError("not a transformer") }
    let heads = try model.inspect(test, instances: settings.inspected, seed: seed)
    let history = outcome.history
    let best = history.records.first { $0.epoch == history.bestEpoch } ?? history.records.last
    let last = model.gradientStructure.filter { $0.epoch == model.gradientStructure.last?.epoch }
    func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
    let widths = (model.network?.blocks ?? []).compactMap(\.attention.windowWidth).flatMap(\.value.elements)
    return Run(
      dataset: dataset, anchor: name, temperature: temperature, seed: seed, accuracy: outcome.test.accuracy,
      loss: best?.trainingLoss ?? .nan, epochs: history.epochs, secondsPerEpoch: history.seconds / Double(max(history.epochs, 1)),
      entropy: heads.map(\.entropy).reduce(0, +) / Double(max(heads.count, 1)),
      advantageMaxError: heads.map(\.advantageMaxError).max() ?? .nan,
      saturatedRowShare: heads.map(\.saturatedRowShare).reduce(0, +) / Double(max(heads.count, 1)),
      losses: history.records.map(\.trainingLoss),
      gradientNorm: mean(last.map(\.structure.gradientNorm)), contextEffectiveRank: mean(last.compactMap(\.structure.contextEffectiveRank)),
      regime: regime, learnedWidth: widths.isEmpty ? nil : mean(widths))
  }
}
