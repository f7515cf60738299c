import Testing
import OTKit

/// The README's example, compiled and run so that it cannot rot.
@Test("The README example runs")
func readmeExample() throws {
  var rng = SeededGenerator(seed: 0)
  let x: Matrix<Double> = rng.normalMatrix(rows: 200, columns: 16)
  let y: Matrix<Double> = rng.normalMatrix(rows: 300, columns: 16, mean: 1, standardDeviation: 1)

  // A problem is validated once: NaN, negative or unequal masses are typed errors.
  let problem = try TransportProblem(source: x, target: y)   // uniform weights, squared Euclidean
  let result = NetworkSimplex().solve(problem)
  print(result.status, result.cost, result.certificate.holds)

  // Uniform weights and n == m: the assignment solver, much faster.
  let same = try TransportProblem(source: x, target: rng.normalMatrix(rows: 200, columns: 16))
  let assignment = try AssignmentSolver().solve(same)
  print(assignment.permutation![0...4])

  // 1-D, any weights, O((n + m) log(n + m)); Wasserstein distances.
  let w2 = try Wasserstein.distance(x.columns(0..<1), y.columns(0..<1), p: 2)

  // Entropic OT: log-domain Sinkhorn that neither overflows nor underflows, in Double or Float.
  let sinkhorn = Sinkhorn(epsilon: .relative(0.01, to: .max), tolerance: 1e-9)
  let entropic = sinkhorn.solve(problem)
  print(entropic.status, entropic.cost, entropic.regularizedCost, entropic.errorHistory.count)
  let pv = entropic.applyPlan([Double](repeating: 1, count: 300))      // P v without forming P
  let grads = entropic.gradients(for: problem)                           // d OT_eps / d x, d a, ...
  let divergence = try sinkhorn.divergence(x, y)                         // debiased Sinkhorn divergence
  // Small epsilon: Sinkhorn-Newton-Sparse converges where Sinkhorn crawls.
  let small = try TransportProblem(source: x.rows(0..<60), target: y.rows(0..<60))
  let newton = SinkhornNewtonSparse(epsilon: .relative(0.002, to: .max), tolerance: 1e-10).solve(small)
  #expect(result.status == .optimal && assignment.status == .optimal && w2 >= 0)
  #expect(entropic.status == .converged && pv.count == 200 && grads.sourceWeights.count == 200)
  #expect(divergence.value >= 0 && newton.status == .converged)
}
