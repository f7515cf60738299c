import ArgumentParser
import Foundation
import OTKit

struct ReproduceCommand: ParsableCommand, TrainingRunCommand {
  static let configuration = CommandConfiguration(
    commandName: "reproduce",
    abstract: "Reproduce the tables of the tabular OT study (seed 000) and the studies of transformers that solve OT (seed 001).",
    discussion: """
      synthetic (the default): Gaussian classes in the plane (90 instances of 20 tokens, \\
      covariance 2I, 2 and 3 classes, every other instance for training) at several \\
      separations; the transformer, the pretrained transformer and the OT classifier, \\
      accuracy per instance and per point, fit time, and the OT metrics of training, mean \\
      and standard deviation over --repetitions. beed: the EEG data (--data, default \\
      ../shared/data/beed.csv), 2, 3 and 4 classes, 80/20 stratified: accuracy and fit time \\
      of the OT classifier, the transformer and the MLP. --report writes a self-contained \\
      HTML report with the tables and the figures of one run per class count. sorting: the \
      transformer with fixed weights that runs dual gradient descent on entropic OT (arXiv \
      2410.19931): the distance of its readout to the row-normalized Sinkhorn plan at every \
      depth for --lengths, --lambda, --gamma-ratio, --sink-values, --sink-modes and \
      --dimensions (or --full-grid), the entropic floor, layers to 1e-3, the fitted slope, \
      Sinkhorn iterations for the same error, and the author's six-number example; --report \
      adds the curves on log axes and the readout heat maps; --trained adds the trained \
      sorter of the author's Fig. 2 with its prompt ablations over seeds. sparse-ot, routing, \
      unbalanced, acceleration: the checks of regularized OT (spec regularized-ot.md §6): \
      sparsity-constrained OT between exact and quadratic OT; top-k routing of digits to \
      experts with balanced loads (--data, default ../shared/data/digits.csv); unbalanced \
      OT declining outliers; accelerated Sinkhorn and its safeguard. sns: the benchmark cases \
      of Sinkhorn-Newton-Sparse (a random assignment at a small epsilon, W1 and W2 between \
      discretized densities), iterations and time against Sinkhorn's. alignment: the \
      synthetic translation task of seed 001 (concepts, a reordered and rotated second \
      language, function words, a split word, context shift and anisotropy): the OT accuracy \
      of the embeddings against noise and shift, an encoder trained to name each token's \
      concept measured layer by layer as a language model (cosine with the identity, OT \
      accuracy, correlation with the plan), and the fixed-weight transformer on the same \
      embeddings; real models go through otkit align.
      """
  )

  enum Experiment: String, ExpressibleByArgument, CaseIterable {
    case synthetic, beed, sorting, alignment
    case sparseOT = "sparse-ot", routing, unbalanced, acceleration, sns
  }

  @Argument(help: "The experiment: synthetic, beed (seed 000), sorting or alignment (seed 001), sparse-ot, routing, unbalanced, acceleration or sns (regularized OT and Sinkhorn-Newton-Sparse, seed 003).")
  var experiment: Experiment = .synthetic

  @Option(name: .customLong("data"), help: "The BEED CSV file (label column y; the beed experiment), or the digits CSV (the routing experiment). (default: ../shared/data/beed.csv, ../shared/data/digits.csv)")
  var dataOption: String?

  /// The data file: --data or the default beside the repository.
  var data: String { dataOption ?? (experiment == .routing ? "../shared/data/digits.csv" : "../shared/data/beed.csv") }
  var dataGiven: Bool { dataOption != nil }

  @Option(help: "Repetitions (new data or new splits) per setting.")
  var repetitions: Int?

  @Option(help: "The separations of the simulated classes, comma-separated.")
  var separations: String = "1,2,3"

  @Option(help: "Where the transformers normalize: post (the study's) or pre.")
  var norm: NormPlacement = .post

  @OptionGroup(title: "Sorting (seed 001)")
  var sorting: SortingOptions

  @OptionGroup(title: "Training")
  var training: TrainingRunOptions

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func separationValues() throws -> [Double] {
    try parseList(separations, option: "--separations", must: "positive numbers", { Double($0) }, where: { $0 > 0 && $0.isFinite })
  }

  func validate() throws {
    _ = try separationValues()
    if let repetitions, repetitions < 1 { throw ValidationError("--repetitions must be positive") }
    if dataGiven && experiment != .beed && experiment != .routing {
      throw ValidationError("--data applies to the beed and routing experiments (otkit reproduce beed --data FILE)")
    }
    if experiment == .sorting {
      try sorting.validate()
    } else if let option = sorting.given {
      throw ValidationError("\(option) applies to the sorting experiment (otkit reproduce sorting \(option) ...)")
    }
  }

  func run() throws {
    let command = "otkit " + CommandLine.arguments.dropFirst().joined(separator: " ")
    let summaries: [Study.Summary]
    var document = HTMLReport(title: "OTKit: reproducing the tabular OT study (\(experiment.rawValue))")
    let start = DispatchTime.now().uptimeNanoseconds
    switch experiment {
    case .sorting:
      return try runSorting(command: command, start: start)
    case .alignment:
      return try runAlignment(command: command, start: start)
    case .sparseOT, .routing, .unbalanced, .acceleration, .sns:
      return try runRegularized(command: command, start: start)
    case .synthetic:
      var settings = Study.SyntheticSettings()
      settings.separations = try separationValues()
      settings.repetitions = repetitions ?? 3
      settings.seed = seed
      settings.transformer.epochs = epochs
      settings.transformer.placement = norm
      settings.ot.epochs = epochs
      let total = settings.classes.count * settings.separations.count * settings.repetitions * 3
      let bar = ProgressBar(total: total)
      let keep = settings.separations[settings.separations.count / 2]
      let (runs, examples) = try Study.synthetic(settings, keepExamples: report == nil ? nil : keep) { done, _, message in
        bar.update(done: done, message: message)
      }
      bar.finish()
      summaries = Study.summarize(runs, variance: settings.variance)
      print("Simulation study: \(settings.instances) instances of \(settings.tokens) tokens in R^2, covariance \(settings.variance) I, every other instance for training; \(settings.repetitions) repetitions.")
      printTables(summaries)
      if report != nil {
        StudyReport.synthetic(summaries, examples: examples, settings: settings, command: command, into: &document)
      }
    case .beed:
      let table: CSVTable
      do {
        table = try CSV.read(data, options: CSVReadOptions(label: .name("y")))
      } catch let error as DataError {
        throw CLIError("\(error.trainingDescription) (the BEED data: pass --data PATH)")
      }
      var settings = Study.RealSettings()
      settings.repetitions = repetitions ?? 1
      settings.seed = seed
      settings.transformer.epochs = epochs
      settings.transformer.placement = norm
      settings.ot.epochs = epochs
      settings.mlp.epochs = epochs
      let bar = ProgressBar(total: settings.classes.count * settings.repetitions * settings.models.count)
      let runs = try Study.real(table, file: data, settings: settings) { done, _, message in bar.update(done: done, message: message) }
      bar.finish()
      summaries = Study.summarize(runs)
      print("BEED (\(data)): 80/20 stratified split, seed \(seed), \(settings.repetitions) repetition(s); one token of 16 features per row.")
      printTables(summaries)
      if report != nil { StudyReport.real(summaries, command: command, into: &document) }
    }
    let seconds = try finish(start: start, document: document)
    if json {
      let rows: [JSONValue] = summaries.map { s in
        var object: [String: JSONValue] = [
          "model": .string(s.model), "classes": .number(Double(s.classes)), "runs": .number(Double(s.runs)),
          "accuracy": .number(s.accuracy.mean), "accuracySD": .number(s.accuracy.deviation),
          "pointAccuracy": .number(s.pointAccuracy.mean), "pointAccuracySD": .number(s.pointAccuracy.deviation),
          "trainSeconds": .number(s.seconds.mean), "trainSecondsSD": .number(s.seconds.deviation),
        ]
        if let separation = s.separation { object["separation"] = .number(separation) }
        if let gauss = s.gaussDist { object["gaussDist"] = .number(gauss) }
        for (name, value) in s.metrics {
          object[name] = .number(value.mean)
          object[name + "SD"] = .number(value.deviation)
        }
        return .object(object)
      }
      print(JSONValue.object(["experiment": .string(experiment.rawValue), "rows": .array(rows), "seconds": .number(seconds)]).serialized())
    }
  }

  /// Prints the total time, writes the report when one was asked for, and returns the
  /// seconds since `start`.
  func finish(start: UInt64, document: @autoclosure () -> HTMLReport) throws -> Double {
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("total time: \(String(format: "%.1f", seconds)) s")
    if let report {
      do {
        try document().write(to: report)
      } catch {
        throw CLIError("\(error)")
      }
      print("report: \(report)")
    }
    return seconds
  }

  func printTables(_ summaries: [Study.Summary]) {
    let header = ["classes", "separation", "gauss_dist", "model", "accuracy", "point accuracy", "fit seconds"]
    let rows = summaries.map { s in
      [String(s.classes), s.separation.map { String(format: "%g", $0) } ?? "-", s.gaussDist.map { String(format: "%.2f", $0) } ?? "-", s.model,
       s.accuracy.formatted(3), s.pointAccuracy.formatted(3), s.seconds.formatted(2)]
    }
    print(TextTable(header: header, rows: rows).render())
    let withMetrics = summaries.filter { !$0.metrics.isEmpty }
    guard !withMetrics.isEmpty else { return }
    let names = ["transformerDistance", "wasserstein", "mongeGap", "optimality", "matching", "transformerCost", "efficiency", "normalizedEfficiency"]
    print("\nOT metrics of training (total over classes, mean ± sd):")
    let metricRows = withMetrics.map { s in
      [String(s.classes), s.separation.map { String(format: "%g", $0) } ?? "-", s.model]
        + names.map { name in s.metrics[name].map { $0.formatted(["optimality", "matching", "efficiency", "normalizedEfficiency"].contains(name) ? 3 : 1) } ?? "-" }
    }
    print(TextTable(header: ["classes", "separation", "model", "TD", "W", "Monge gap", "optimality", "matching", "cost", "efficiency", "norm. eff."], rows: metricRows).render())
  }
}

/// A plain-text table with aligned columns.
struct TextTable {
  var header: [String]
  var rows: [[String]]

  func render() -> String {
    let widths = header.indices.map { j in ([header[j]] + rows.map { $0[j] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { j, c in c.padding(toLength: widths[j], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
  }
}

/// The HTML of `otkit reproduce --report`.
