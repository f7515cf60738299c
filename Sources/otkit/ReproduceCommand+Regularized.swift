import ArgumentParser
import Foundation
import OTKit

extension ReproduceCommand {
  /// `otkit reproduce sparse-ot | routing | unbalanced | acceleration`: the checks of
  /// regularized OT (spec regularized-ot.md §6.1-6.5).
  func runRegularized(command: String, start: UInt64) throws {
    var document = HTMLReport(title: "OTKit: regularized OT (\(experiment.rawValue))")
    document.code(command)
    let payload: JSONValue
    func f(_ v: Double, _ format: String = "%.6f") -> String { v.isFinite ? String(format: format, v) : "inf" }
    switch experiment {
    case .sparseOT:
      let s = try SparseTransportStudy.run()
      print("Sparsity-constrained OT (spec §6.1, §6.3): 40 x 40 deterministic points, squared Euclidean costs, uniform weights; exact OT (network simplex) \(f(s.exactCost)).")
      print("The semi-dual at each gamma and cap k on non-zeros per column (L-BFGS to a 1e-9 marginal tolerance; iterations to SciPy's function tolerance 1e-10):")
      let header = ["gamma", "k", "semi-dual", "iterations", "max non-zeros/column", "non-zeros", "row error", "status"]
      let rows = s.rows.map { r in
        [f(r.gamma, "%g"), r.maxNonZeros.map(String.init) ?? "none (quadratic)", f(r.semiDual), String(r.iterations), String(r.maxNonZerosPerColumn),
         String(r.nonZeros), f(r.rowMarginalError, "%.2e"), r.status]
      }
      print(TextTable(header: header, rows: rows).render())
      print("k = 1 against exact OT + gamma/(2n): \(f(s.rows.first?.semiDual ?? .nan)) vs \(f(s.exactCost + 1.0 / 80)); the dual at gamma 1, k 2: \(f(s.dualGamma1K2)) (a relaxation at most the semi-dual).")
      print("Sparsity (§6.3): the quadratic plan (gamma 1) has \(s.quadraticNonZeros) non-zeros of \(s.entries); Sinkhorn's (epsilon = 1/40) has \(s.sinkhornPositive) positive entries, \(s.sinkhornNonZeros) above 1e-12 of its largest.")
      document.heading("Sparsity-constrained OT (spec §6.1, §6.3)")
      document.table(header: header, rows: rows, caption: "Exact OT \(f(s.exactCost)); dual at gamma 1, k 2: \(f(s.dualGamma1K2))")
      payload = (try? JSONValueEncoder.encode(s)) ?? .null
    case .routing:
      let table: CSVTable
      do {
        table = try CSV.read(data, options: CSVReadOptions(label: .name("label")))
      } catch let error as DataError {
        throw CLIError("\(error.trainingDescription) (the digits data: pass --data PATH)")
      }
      let settings = TopKRouting.Settings()
      let tokens = TopKRouting.tokens(table.features, settings)
      let routings = try TopKRouting.run(tokens: tokens, settings: settings)
      print("Top-k routing (spec §6.2): \(tokens.rows) digits (\(data)), z-scored, a fixed random router to \(settings.experts) experts, cost -softmax, gamma \(settings.gamma); capacity \(settings.capacity).")
      let header = ["router", "optimizer", "max/mean load", "max/mean mass", "experts/token (max, mean)", "max tokens/expert", "no expert", "row error", "column error", "status"]
      let rows = routings.map { r in
        [r.router, r.optimizer, f(r.maxOverMeanLoad, "%.3f"), f(r.maxOverMeanMass, "%.3f"), "\(r.maxExpertsPerToken), \(f(r.meanExpertsPerToken, "%.2f"))",
         String(r.maxTokensPerExpert), f(r.tokensWithoutExpert, "%.3f"), f(r.rowMarginalError, "%.1e"), f(r.columnMarginalError, "%.1e"), r.status]
      }
      print(TextTable(header: header, rows: rows).render())
      print("Loads count the tokens with a non-zero plan entry at an expert; errors are relative to the total mass (tokens).")
      document.heading("Top-k routing with balanced loads (spec §6.2)")
      document.table(header: header, rows: rows, caption: "\(tokens.rows) digits, \(settings.experts) experts")
      payload = (try? JSONValueEncoder.encode(routings)) ?? .null
    case .unbalanced:
      let settings = UnbalancedOutliers.Settings()
      let s = try UnbalancedOutliers.run(settings)
      print("Unbalanced OT and outliers (spec §6.4): \(settings.points) points N(0, I) against the same with \(Int(settings.outlierShare * 100))% moved \(f(settings.distance, "%g")) away (outlier mass \(f(s.outlierWeight, "%.3f"))); KL penalties rho x mean(C) on both sides, epsilon \(f(s.epsilon, "%.4f")) (\(f(settings.epsilon, "%g")) mean(C)).")
      let header = ["rho / mean(C)", "reference", "mass to outliers", "transported mass", "iterations", "status", "scaling vs log domain"]
      let rows = s.rows.map { r in
        [r.rho.isFinite ? f(r.rho, "%g") : "inf (balanced)", r.reference, f(r.outlierMass, "%.4f"), f(r.transportedMass, "%.4f"), String(r.iterations), r.status, f(r.domainGap, "%.1e")]
      }
      print(TextTable(header: header, rows: rows).render())
      print("The reference changes the plan: largest difference between R = a b^T and R = 1 at each finite rho: " + s.referenceGaps.map { f($0, "%.2e") }.joined(separator: ", ") + ".")
      document.heading("Unbalanced OT declines outliers (spec §6.4)")
      document.table(header: header, rows: rows)
      var chart = SVGChart(title: "Mass sent to the outlier cluster", xLabel: "rho / mean(C)", yLabel: "mass")
      chart.logX = true
      for (k, reference) in EntropicReference.allCases.enumerated() {
        let finite = s.rows.filter { $0.reference == reference.rawValue && $0.rho.isFinite }
        chart.addLine(x: finite.map(\.rho), y: finite.map(\.outlierMass), color: SVGChart.palette[k], label: "reference \(reference.rawValue)")
      }
      document.figures([chart])
      payload = (try? JSONValueEncoder.encode(s)) ?? .null
    case .sns:
      let settings = SparseNewtonStudy.Settings()
      let bar = ProgressBar(total: 15)
      var done = 0
      let rows = try SparseNewtonStudy.run(settings) { message in
        bar.update(done: done, message: message)
        done += 1
      }
      bar.finish()
      print("Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024): L1 marginal tolerance \(f(settings.tolerance, "%g")) of the mass; random assignment: uniform costs in [0, 1], epsilon \(f(settings.assignmentEpsilon, "%g")); W1 and W2: densities on a grid, epsilon \(f(settings.densityEpsilon, "%g")) max(C).")
      let header = ["problem", "solver", "iterations", "Newton steps", "Hessian entries", "seconds", "cost", "marginal error", "status"]
      let table = rows.map { r in
        [r.problem, r.solver, String(r.iterations), String(r.newtonSteps), String(r.hessianNonZeros), f(r.seconds, "%.3f"),
         f(r.cost, "%.6f"), f(r.marginalError, "%.1e"), r.status]
      }
      print(TextTable(header: header, rows: table).render())
      document.heading("Sinkhorn-Newton-Sparse against Sinkhorn")
      document.table(header: header, rows: table)
      payload = (try? JSONValueEncoder.encode(rows)) ?? .null
    default:
      let s = try AccelerationStudy.run()
      print("Accelerated Sinkhorn (spec §6.5): 400 points built like §6.1's, L1 marginal error 1e-3, epsilon relative to std(C).")
      let header = ["epsilon / std(C)", "acceleration", "iterations", "status", "final omega", "safeguard fallbacks"]
      let rows = s.rows.map { r in [f(r.epsilon, "%g"), r.acceleration, String(r.iterations), r.status, f(r.omega, "%.3f"), String(r.fallbacks)] }
      print(TextTable(header: header, rows: rows).render())
      print("\nThe safeguard across a sweep of constant over-relaxation at epsilon \(f(s.sweep.first?.epsilon ?? .nan, "%g")) std(C):")
      let sweepRows = s.sweep.map { r in [r.acceleration, String(r.iterations), r.status, f(r.omega, "%.3f"), String(r.fallbacks)] }
      print(TextTable(header: ["acceleration", "iterations", "status", "final omega", "fallbacks"], rows: sweepRows).render())
      document.heading("Accelerated Sinkhorn (spec §6.5)")
      document.table(header: header, rows: rows)
      document.table(header: ["acceleration", "iterations", "status", "final omega", "fallbacks"], rows: sweepRows, caption: "The omega sweep")
      var chart = SVGChart(title: "Iterations against constant omega", xLabel: "omega", yLabel: "iterations")
      chart.addLine(x: s.sweepOmegas, y: s.sweep.map { Double($0.iterations) }, color: SVGChart.palette[0], label: "momentum")
      document.figures([chart])
      payload = (try? JSONValueEncoder.encode(s)) ?? .null
    }
    let seconds = try finish(start: start, document: document)
    if json { print(JSONValue.object(["experiment": .string(experiment.rawValue), "seconds": .number(seconds), "result": payload]).serialized()) }
  }
}
