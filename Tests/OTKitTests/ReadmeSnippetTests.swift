import Foundation
import OTKitTestSupport
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
