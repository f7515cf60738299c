import OTKitAutograd
import OTKitCore
import OTKitTransport

extension MixtureOfExperts {
  /// How a transport router's solve ended, for the caller's accounting.
  public struct TransportSolve: Sendable, Equatable {
    public var status: SolverStatus
    public var iterations: Int
  }

  /// The balanced entropic plan of the router's scores (``SinkhornRouting``): plain
  /// log-domain Sinkhorn (no acceleration) for `settings.iterations` iterations at most, with
  /// costs `-C` for `C` the softmax or the logits. `differentiable` records it on the tape by
  /// the settings' gradient (the plan is a constant when it is `detached`).
  ///
  /// - Returns: `nil` when the scores are not finite.
  /// - Complexity: `O(m n)` per iteration; the same per iteration backward when unrolled,
  ///   `O(m n)` per conjugate-gradient step when implicit.
  static func sinkhornPlan(
    logits: Tensor, probabilities: Tensor, settings: SinkhornRouting, differentiable: Bool
  ) -> (plan: Tensor, solve: TransportSolve)? {
    let compatibility = settings.compatibility == .softmax ? probabilities : logits
    var solver = Sinkhorn(epsilon: .absolute(settings.epsilon), tolerance: settings.tolerance, maxIterations: settings.iterations)
    solver.acceleration = .none
    solver.domain = .log
    guard differentiable, settings.gradient != .detached else {
      guard let problem = try? TransportProblem(cost: compatibility.value.map { -$0 }) else { return nil }
      let result = solver.solve(problem)
      return (logits.graph.constant(result.densePlan()), TransportSolve(status: result.status, iterations: result.iterations))
    }
    let gradient: TransportGradient = settings.gradient == .unrolled ? .unrolled : .implicit
    guard let plan = try? TransportLoss.entropicPlan(costs: -compatibility, solver: solver, gradient: gradient) else { return nil }
    return (plan.plan, TransportSolve(status: plan.status, iterations: plan.iterations))
  }
}
