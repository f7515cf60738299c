import Foundation
import OTKitTestSupport
import Testing
import OTKit

/// The README's example, compiled and run so that it cannot rot: in optimized builds (CI's
/// second pass) and with `OTKIT_HEAVY_TESTS=1`, because its Sinkhorn divergence takes 150 s
/// of a debug build (the self terms `OT_eps(x, x)` and `OT_eps(y, y)` run to Sinkhorn's
/// iteration limit, converging slowly at this epsilon).
@Suite("The README example")
struct ReadmeExampleTests {
  @Test("The README example runs", .enabled(if: TestConditions.heavy, Comment(rawValue: TestConditions.heavyReason)))
  func heavyReadmeExample() throws {
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

    // One call for every solver, as POT's ot.solve; any ground cost (a CostFunction) works with all.
    let auto = try OT.solve(problem)                                        // network simplex here
    let cosine = try OT.solve(source: x, target: y, cost: .cosine,
                              options: SolveOptions(epsilon: .relative(0.05, to: .max)))  // Sinkhorn
    print(auto.summary, cosine.summary)
    #expect(auto.method == .exact && auto.cost == result.cost && cosine.method == .sinkhorn && cosine.status == .converged)
    #expect(result.status == .optimal && assignment.status == .optimal && w2 >= 0)
    #expect(entropic.status == .converged && pv.count == 200 && grads.sourceWeights.count == 200)
    #expect(divergence.value >= 0 && newton.status == .converged)
  }
}

/// The README's neural-network example, with small data around it.
@Test("The README neural-network example runs")
func readmeNeuralExample() throws {
  var data = SeededGenerator(seed: 1)
  let batch: Matrix<Double> = data.normalMatrix(rows: 64, columns: 16)
  let labels = (0..<64).map { $0 % 4 }
  let x: Matrix<Double> = data.normalMatrix(rows: 200, columns: 16)
  let y = (0..<200).map { $0 % 4 }
  let (vx, vy) = (x.rows(0..<40), Array(y[0..<40]))
  let table = CSVTable(
    featureNames: (1...16).map { "x\($0)" }, features: x, labelName: "y", labels: y.map(String.init))
  let (train, test) = try LabeledData(table: table, file: "memory").split(testFraction: 0.2, seed: 0)
  TemporaryFiles.removeAtExit()
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-readme-\(getpid())").path

  var g = SeededGenerator(seed: 0)
  let model = MLP(sizes: [16, 32, 32, 4], generator: &g)
  let graph = Graph()                                       // Graph.inference() records nothing
  let loss = crossEntropy(logits: model(graph.constant(batch)), labels: labels)
  try graph.backward(loss)                                  // gradients land in model.parameters
  Adam(learningRate: 1e-2).step(model.parameters)

  // Or the whole loop: mini-batches, validation, early stopping with best-weights restore,
  // a per-epoch callback and a terminal progress bar.
  let history = try Trainer().fitClassifier(model, optimizer: Adam(), inputs: x, labels: y,
                                            validation: (vx, vy)) { epoch in print(epoch.trainingLoss) }

  // A tabular classifier with standardization, labels and model files (safetensors + JSON).
  let classifier = MLPClassifier()
  try classifier.fit(train)                                 // LabeledData from a CSV table
  try classifier.save(to: directory)                        // model/config.json, model/model.safetensors
  let same = try MLPClassifier.load(from: directory).predict(test.features)
  let original = try classifier.predict(test.features)
  #expect(history.epochs > 0 && same == original)
}

/// The README's regularized-OT example, compiled and run.
@Test("The README's regularized and unbalanced OT example runs")
func readmeRegularizedExample() throws {
  var rng = SeededGenerator(seed: 0)
  let x: Matrix<Double> = rng.normalMatrix(rows: 200, columns: 16)
  let y: Matrix<Double> = rng.normalMatrix(rows: 300, columns: 16, mean: 1, standardDeviation: 1)
  let problem = try TransportProblem(source: x, target: y)
  let entropic = Sinkhorn(epsilon: .relative(0.01, to: .max), tolerance: 1e-9).solve(problem)

  // Quadratically regularized and sparsity-constrained OT (L-BFGS on the semi-dual): exact zeros.
  let quadratic = SmoothTransport(regularizer: .squaredL2(gamma: 1)).solve(problem)
  let capped = SmoothTransport(regularizer: .sparse(gamma: 1, maxNonZeros: 2)).solve(problem)
  print(quadratic.nonZeros, capped.maxNonZerosPerColumn, capped.rowMarginalError)   // honest row error

  // Unbalanced OT: KL (or TV) penalties rho on the marginals, the entropy's reference named.
  var relaxed = Sinkhorn(epsilon: .relative(0.05, to: .mean))
  relaxed.sourcePenalty = .kl(rho: 1)                       // POT's reg_m; OTT's tau: .kl(tau:epsilon:)
  relaxed.targetPenalty = .kl(rho: 1)                       // .hard on one side: semi-relaxed
  relaxed.reference = .product                              // a b^T as POT's default; .ones as OTT
  let heavier = try TransportProblem(source: x, target: y, targetWeights: [Double](repeating: 2.0 / 300, count: 300),
                                     unbalanced: true)
  print(relaxed.solve(heavier).unbalanced!.transportedMass)

  // Sinkhorn is accelerated by default (adaptive over-relaxation with a safeguard); Anderson too.
  var anderson = Sinkhorn(epsilon: .relative(0.01, to: .max))
  anderson.acceleration = .anderson(memory: 5, ridge: 1e-2)
  print(anderson.solve(problem).acceleration!)

  // Soft sorting and ranking (OTT-JAX's soft_sort) with exact gradients; sliced Wasserstein;
  // barycenters; the entropic map applied to new points.
  let ranks = try SoftSort(epsilon: 0.01).ranks([3, 1, 2])
  print(ranks.values, ranks.pullback([1, 0, 0]))            // on the tape: tensor.softSorted(.ranks())
  let sliced = try SlicedWasserstein.distance(x, y, directions: SlicedWasserstein.randomDirections(count: 50, dimension: 16))
  let center = try Barycenter.freeSupport([(x, nil), (y, nil)], start: x.rows(0..<20))
  let moved = entropic.transport(x.rows(0..<5), target: y)
  print(sliced.distance, center.status, moved.rows)

  #expect(quadratic.status == .converged && capped.maxNonZerosPerColumn <= 2)
  #expect(ranks.values.count == 3 && center.points!.rows == 20)
}
