import Foundation
import OTKitAutograd
import OTKitCore
import OTKitNeural

/// Selective Sinkhorn Routing's tabular reproduction (spec `ot-training-signals.md` §4): a
/// classifier `Linear -> 64`, a residual mixture-of-experts layer (8 experts, MLP 64-64-64,
/// top-2), a linear head, trained with each router over seeds on one fixed split.
public enum MixtureOfExpertsStudy {
  /// One router's training recipe: the routing and the weights of Switch's balance loss
  /// and the z-loss.
  public struct Arm: Sendable, Equatable {
    public var routing: ExpertRouting
    public var balanceWeight = 0.0
    public var zWeight = 0.0
  }

  /// An arm by name: a router, `softmax`, `noisy-softmax[:SIGMA]` (1 by default), `base`,
  /// `s-base`, `ssr:P[:detached|unrolled|implicit]` or `sparse-ot[:GAMMA]` (0.1 by default),
  /// then optionally `+aux[:W]` (Switch's loss, 0.01 by default) and `+z[:W]` (1e-3).
  public static func arm(named name: String) -> Arm? {
    let terms = name.split(separator: "+", omittingEmptySubsequences: false).map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    guard let first = terms.first, var arm = router(first) else { return nil }
    for term in terms.dropFirst() {
      guard term.count <= 2 else { return nil }
      let weight = term.count == 2 ? Double(term[1]) : nil
      if term.count == 2 { guard let w = weight, w >= 0, w.isFinite else { return nil } }
      switch term[0] {
      case "aux": arm.balanceWeight = weight ?? 0.01
      case "z": arm.zWeight = weight ?? 1e-3
      default: return nil
      }
    }
    return arm
  }

  static func router(_ parts: [String]) -> Arm? {
    func number(_ k: Int, _ fallback: Double) -> Double? {
      guard parts.count > k else { return fallback }
      guard let v = Double(parts[k]), v.isFinite, v >= 0 else { return nil }
      return v
    }
    switch (parts[0], parts.count) {
    case ("softmax", 1): return Arm(routing: .softmaxTopK(noise: 0))
    case ("noisy-softmax", 1...2): return number(1, 1).flatMap { $0 > 0 ? Arm(routing: .softmaxTopK(noise: $0)) : nil }
    case ("base", 1): return Arm(routing: .balancedAssignment)
    case ("s-base", 1): return Arm(routing: .sinkhornExperts(SinkhornRouting()))
    case ("ssr", 2...3):
      guard let p = number(1, 0), p <= 1 else { return nil }
      var settings = SinkhornRouting()
      if parts.count == 3 {
        guard let gradient = SinkhornRouting.Gradient(rawValue: parts[2]) else { return nil }
        settings.gradient = gradient
      }
      return Arm(routing: .selectiveSinkhorn(settings, fraction: p))
    case ("sparse-ot", 1...2): return number(1, 0.1).flatMap { $0 > 0 ? Arm(routing: .sparseTransport(gamma: $0)) : nil }
    default: return nil
    }
  }

  /// The classifier: `h = W x`, logits `head(h + MoE(h))`.
  final class Classifier: Module {
    let input: Linear
    let experts: MixtureOfExperts
    let head: Linear

    init(features: Int, classes: Int, routing: ExpertRouting, settings: MixtureOfExpertsReproduction.Settings, generator: inout SeededGenerator) {
      input = Linear(inputs: features, outputs: settings.width, generator: &generator)
      experts = MixtureOfExperts(
        dimension: settings.width, experts: settings.experts, hidden: [settings.width], topK: settings.topK,
        capacityFactor: settings.capacityFactor, routing: routing, generator: &generator)
      head = Linear(inputs: settings.width, outputs: classes, generator: &generator)
    }

    var namedParameters: [(name: String, parameter: Parameter)] {
      prefixed("input", input) + prefixed("moe", experts) + prefixed("head", head)
    }

    func callAsFunction(_ x: Tensor, training: Bool, random: inout SeededGenerator) -> (logits: Tensor, routed: MixtureOfExperts.Routed) {
      let h = input(x)
      let routed = experts(h, training: training, random: &random)
      return (head(h + routed.output), routed)
    }
  }
}
