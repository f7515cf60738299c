import Foundation
import OTKit
import OTKitExperiments
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Swift code of every DocC getting-started article, run as tests. The last test checks
/// that each article's code blocks are, verbatim, the code between the markers below: an
/// article cannot drift from code that compiles and runs.
@Suite("DocC articles")
struct DocSnippetTests {
  @Test("OTKit's getting-started article runs")
  func oTKit() throws {
    // BEGIN OTKit
    var rng = SeededGenerator(seed: 0)
    let x: Matrix<Double> = rng.normalMatrix(rows: 20, columns: 2)
    let y: Matrix<Double> = rng.normalMatrix(rows: 30, columns: 2, mean: 1, standardDeviation: 1)
    let solution = try OT.solve(source: x, target: y)
    print(solution.summary)
    let attention = TransportAttention(anchor: .sparsemax)
    let weights = attention.weights(queries: x, keys: x)
    print(AttentionDiagnostics(weights: weights, scores: attention.scores(queries: x, keys: x), temperature: 2).zeroFraction)
    // END OTKit
  }

  @Test("OTKitCore's getting-started article runs")
  func oTKitCore() throws {
    // BEGIN OTKitCore
    var rng = SeededGenerator(seed: 2)
    let a: Matrix<Double> = rng.normalMatrix(rows: 4, columns: 3)
    let b: Matrix<Double> = rng.normalMatrix(rows: 3, columns: 5)
    let c = Matrix.product(a, b)
    print(c.rows, c.columns, c.rowLogSumExp())
    let square: Matrix<Double> = rng.normalMatrix(rows: 4, columns: 4)
    let (q, r) = square.qrDecomposition()
    print(Matrix.product(q, q, transposeA: true), r[3, 0])
    // END OTKitCore
  }

  @Test("OTKitData's getting-started article runs")
  func oTKitData() throws {
    // BEGIN OTKitData
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-doc-\(getpid()).npy").path
    let m = Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
    try NPY.write(m, to: path)
    let back: Matrix<Double> = try NPY.readMatrix(path)
    print(back == m)
    try FileManager.default.removeItem(atPath: path)
    // END OTKitData
  }

  @Test("OTKitTransport's getting-started article runs")
  func oTKitTransport() throws {
    // BEGIN OTKitTransport
    var rng = SeededGenerator(seed: 0)
    let x: Matrix<Double> = rng.normalMatrix(rows: 50, columns: 3)
    let y: Matrix<Double> = rng.normalMatrix(rows: 50, columns: 3, mean: 1, standardDeviation: 1)
    let problem = try TransportProblem(source: x, target: y)
    let exact = try OT.solve(problem)
    print(exact.method, exact.status, exact.cost)
    let options = SolveOptions(epsilon: .relative(0.05, to: .max), tolerance: 1e-9)
    let entropic = try OT.solve(problem, method: .sinkhorn, options: options)
    print(entropic.status, entropic.cost, entropic.marginalError)
    let cosine = try TransportProblem(source: x, target: y, cost: .cosine)
    let manhattan = try TransportProblem(source: x, target: y, cost: .minkowski(p: 1, q: 1))
    print(try OT.solve(cosine, method: .exact).cost, try OT.solve(manhattan, method: .exact).cost)
    // END OTKitTransport
  }

  @Test("OTKitAttention's getting-started article runs")
  func oTKitAttention() throws {
    // BEGIN OTKitAttention
    var rng = SeededGenerator(seed: 1)
    let q: Matrix<Double> = rng.normalMatrix(rows: 8, columns: 4)
    let k: Matrix<Double> = rng.normalMatrix(rows: 8, columns: 4)
    let v: Matrix<Double> = rng.normalMatrix(rows: 8, columns: 2)
    let attention = TransportAttention(anchor: .entmax(alpha: 1.5))
    let (weights, output) = attention(queries: q, keys: k, values: v)
    print(weights.rowSums(), output.rows)
    let sinkhorn = TransportAttention(anchor: .sinkhorn(SinkhornAnchorSettings(iterations: 50)))
    let plan = sinkhorn.weights(queries: q, keys: k)
    print(plan.columnSums())
    let scores = attention.scores(queries: q, keys: k)
    let diagnostics = AttentionDiagnostics(weights: weights, scores: scores, temperature: 2)
    print(diagnostics.entropy, diagnostics.zeroFraction, diagnostics.oneSidedGap)
    // END OTKitAttention
  }

  @Test("OTKitAutograd's getting-started article runs")
  func oTKitAutograd() throws {
    // BEGIN OTKitAutograd
    let graph = Graph()
    let x = graph.variable(Matrix(rows: 1, columns: 3, elements: [1, 2, 3]))
    let y = (x * x).sum()
    try graph.backward(y)
    print(graph.gradient(of: x) as Any)
    // END OTKitAutograd
  }

  @Test("OTKitNeural's getting-started article runs")
  func oTKitNeural() throws {
    // BEGIN OTKitNeural
    var g = SeededGenerator(seed: 0)
    let model = MLP(sizes: [2, 8, 2], generator: &g)
    let inputs = Matrix<Double>(rows: 4, columns: 2, elements: [0, 0, 0, 1, 1, 0, 1, 1])
    let labels = [0, 1, 1, 0]
    let optimizer = Adam(learningRate: 5e-2)
    for _ in 0..<200 {
      model.zeroGradients()
      let graph = Graph()
      let loss = crossEntropy(logits: model(graph.constant(inputs)), labels: labels)
      try graph.backward(loss)
      optimizer.step(model.parameters)
    }
    print(argmaxRows(model(Graph.inference().constant(inputs)).value))
    // END OTKitNeural
  }

  @Test("OTKitTabular's getting-started article runs")
  func oTKitTabular() throws {
    // BEGIN OTKitTabular
    let gaussians = ClassGaussians.study(classes: 2, separation: 3, variance: 2)
    let data = gaussians.simulate(instances: 40, tokens: 10, seed: 0)
    let (train, test) = data.alternatingSplit()
    var settings = OTClassifierSettings()
    settings.epochs = 20
    let classifier = OTClassifier(settings: settings)
    try classifier.fit(train)
    print(try classifier.evaluate(test).accuracy)
    // END OTKitTabular
  }

  @Test("OTKitExperiments's getting-started article runs")
  func oTKitExperiments() throws {
    // BEGIN OTKitExperiments
    // Every reproduction is registered in `Experiment`; this one with its quick settings,
    // one option changed by name as `otkit reproduce synthetic --epochs 5` would.
    let prepared = try Experiment.synthetic.prepare(options: [("epochs", "5")], quick: true)
    let output = try prepared.run()
    print(output.report.text())
    print(output.envelope.serialized())

    // The same study through its type, with typed settings.
    var settings = SyntheticStudy.Settings.quick
    settings.separations = [2, 3]
    let study = SyntheticStudy(settings: settings)
    let result = try study.run(progress: .silent)
    print(result.summaries.map(\.model), study.report(result).render().count)
    // END OTKitExperiments
  }

  @Test("OTKitReport's getting-started article runs")
  func oTKitReport() throws {
    // BEGIN OTKitReport
    var chart = SVGChart(title: "Loss", xLabel: "epoch", yLabel: "loss")
    chart.addLine(x: [1, 2, 3], y: [1.0, 0.5, 0.3], color: SVGChart.palette[0], label: "training")
    var report = HTMLReport(title: "Training")
    report.heading("Curves")
    report.figures([chart])
    let html = report.render()
    print(html.contains("<svg"))
    // END OTKitReport
  }

  static let modules = ["OTKit", "OTKitCore", "OTKitData", "OTKitTransport", "OTKitAttention", "OTKitAutograd", "OTKitNeural", "OTKitTabular", "OTKitExperiments", "OTKitReport"]

  @Test("Each article's code blocks are the tested code, verbatim", arguments: modules)
  func verbatim(module: String) throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let article = try String(contentsOf: root.appendingPathComponent("Sources/\(module)/\(module).docc/GettingStarted.md"), encoding: .utf8)
    var blocks: [String] = []
    var inside = false
    for line in article.components(separatedBy: "\n") {
      if line == "```swift" { inside = true; continue }
      if line == "```" { inside = false; continue }
      if inside { blocks.append(line) }
    }
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8).components(separatedBy: "\n")
    let begin = try #require(source.firstIndex(of: "    // BEGIN \(module)"))
    let end = try #require(source.firstIndex(of: "    // END \(module)"))
    let tested = source[(begin + 1)..<end].map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : $0 }
    #expect(!blocks.isEmpty)
    #expect(blocks == Array(tested), "\(module)'s article differs from the tested code")
  }
}
