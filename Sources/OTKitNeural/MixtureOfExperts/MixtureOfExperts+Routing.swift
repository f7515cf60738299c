import OTKitAutograd
import OTKitCore

extension MixtureOfExperts {
  /// The experts and gates of one pass.
  struct Decision {
    /// Each token's experts, best first.
    var choices: [[Int]]
    /// `m x n`; only the chosen entries are read.
    var gates: Tensor
    var solve: TransportSolve?
  }

  /// Picks experts and gates by ``routing`` (see ``ExpertRouting``); a transport router
  /// whose scores are not finite falls back to softmax top-`k` for the pass.
  ///
  /// - Complexity: `O(m n log n)` for the choices plus the router's solve.
  func route(logits: Tensor, probabilities: Tensor, training: Bool, random: inout SeededGenerator) -> Decision {
    let graph = logits.graph
    switch routing {
    case .softmaxTopK(let noise):
      guard training, noise > 0 else { return softmaxDecision(probabilities) }
      let perturbation = random.normalMatrix(rows: logits.rows, columns: logits.columns, mean: 0, standardDeviation: noise)
      return softmaxDecision((logits + graph.constant(perturbation)).softmax())
    case .balancedAssignment:
      let experts = training ? Self.balancedAssignment(scores: logits.value) : nil
      let choices = experts?.map { [$0] } ?? Self.choices(probabilities: logits.value, topK: 1)
      return Decision(choices: choices, gates: logits.sigmoid(), solve: nil)
    case .sinkhornExperts(let settings):
      guard training, let (plan, solve) = Self.sinkhornPlan(
        logits: logits, probabilities: probabilities, settings: settings, differentiable: false)
      else { return softmaxDecision(probabilities) }
      let choices = Self.choices(probabilities: plan.value, topK: topK)
      return Decision(choices: choices, gates: renormalized(probabilities, over: choices, keepingSingle: true), solve: solve)
    case .selectiveSinkhorn(let settings, let fraction):
      guard training, random.uniform() < fraction, let (plan, solve) = Self.sinkhornPlan(
        logits: logits, probabilities: probabilities, settings: settings, differentiable: true)
      else { return softmaxDecision(probabilities) }
      let choices = Self.choices(probabilities: plan.value, topK: topK)
      return Decision(choices: choices, gates: renormalized(plan, over: choices, keepingSingle: false), solve: solve)
    case .sparseTransport(let gamma):
      guard let (choices, gates, solve) = Self.sparseTransportGates(probabilities: probabilities, topK: topK, gamma: gamma)
      else { return softmaxDecision(probabilities) }
      return Decision(choices: choices, gates: gates, solve: solve)
    }
  }

  /// Softmax top-`k` of `probabilities`.
  func softmaxDecision(_ probabilities: Tensor) -> Decision {
    let choices = Self.choices(probabilities: probabilities.value, topK: topK)
    return Decision(choices: choices, gates: renormalized(probabilities, over: choices, keepingSingle: true), solve: nil)
  }

  /// `w` renormalized over each token's choices; with one choice each and `keepingSingle`,
  /// `w` itself (Switch's top-1 gate).
  func renormalized(_ w: Tensor, over choices: [[Int]], keepingSingle: Bool) -> Tensor {
    if keepingSingle && choices.allSatisfy({ $0.count == 1 }) { return w }
    var chosen = Matrix<Double>(rows: w.rows, columns: w.columns)
    for (i, experts) in choices.enumerated() { for e in experts { chosen[i, e] = 1 } }
    return w / (w * w.graph.constant(chosen)).sum(.columns)
  }
}
