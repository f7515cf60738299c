import OTKitCore

extension TransportResult {
  public var sparsePlan: SparsePlan? { plan }

  /// The exact solution's lines, with its optimality certificate.
  public func reportLines(for problem: TransportProblem) -> [String] {
    let c = certificate
    let dual = c.dualFeasibilityChecked ? "min reduced cost \(c.minimumReducedCost)" : "dual feasibility not checked (\(problem.n) x \(problem.m) pairs)"
    return [
      "method: \(method) (\(method.solverName))", "status: \(status)", "cost: \(cost)",
      "n: \(problem.n), m: \(problem.m), plan entries: \(plan.nonZeroCount)", "iterations: \(iterations)", "marginal error: \(c.marginalError)",
      "certificate: \(c.holds ? "holds" : "FAILS") (\(dual), slackness \(c.complementarySlackness), duality gap \(c.dualityGap))",
    ]
  }
}

extension EntropicResult {
  /// The entropic solution's lines: epsilon, both costs, the acceleration and, for
  /// unbalanced problems, the penalties and the transported mass.
  public func reportLines(for problem: TransportProblem) -> [String] {
    var lines = [
      "method: \(method) (\(method.solverName), \(precision)\(online ? ", online costs" : ""))", "status: \(status)", "epsilon: \(epsilon)",
      "cost: \(cost) (linear <P, C>)", "regularized cost: \(regularizedCost)", "n: \(problem.n), m: \(problem.m)", "iterations: \(iterations)",
    ]
    if let a = acceleration, a.mode != "none" {
      lines.append("acceleration: \(a.mode), omega \(a.omega), \(a.acceleratedIterations) accelerated iterations, \(a.fallbacks) safeguard fallbacks")
    }
    lines.append("marginal error: \(marginalError)\(unbalanced == nil ? "" : " (to the marginals the penalties ask for)")")
    if let u = unbalanced {
      lines.append("penalties: source \(u.sourcePenalty), target \(u.targetPenalty), reference \(u.reference.rawValue)")
      lines.append("transported mass: \(u.transportedMass) (source total \(problem.totalMass), target total \(problem.targetWeights.reduce(0, +)))")
      lines.append("marginal divergences: source \(u.sourceDivergence), target \(u.targetDivergence)")
    }
    return lines
  }
}

extension RegularizedResult {
  public var sparsePlan: SparsePlan? { plan }

  /// The regularized solution's lines: the regularizer, both costs, the dual's value, the
  /// plan's sparsity and both marginal errors.
  public func reportLines(for problem: TransportProblem) -> [String] {
    [
      "method: \(method) (\(method.solverName), \(formulation.rawValue), \(precision))", "status: \(status) (L-BFGS: \(optimizerStatus.rawValue))",
      "regularizer: \(regularizer)", "cost: \(cost) (linear <P, C>)", "regularized cost: \(regularizedCost)",
      "\(formulation.rawValue) objective: \(objective)",
      "n: \(problem.n), m: \(problem.m), plan entries: \(nonZeros) (at most \(maxNonZerosPerColumn) per column)",
      "iterations: \(iterations) (\(evaluations) evaluations)",
      "marginal error: \(marginalError) (rows \(rowMarginalError), columns \(columnMarginalError))",
    ]
  }
}
