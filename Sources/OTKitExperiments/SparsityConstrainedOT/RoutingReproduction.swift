import OTKitData
import OTKitReport

/// `otkit reproduce routing`: top-k routing of digits to experts with balanced loads (spec
/// regularized-ot.md §6.2): softmax top-2 against sparsity-constrained OT, tokens choosing
/// experts and experts choosing tokens, with L-BFGS and with V-MoE's 20 Adam steps.
///
/// - Complexity: a few semi-dual solves on `tokens x experts` similarities.
public struct RoutingReproduction: Reproduction {
  public static let experiment = Experiment.routing

  public struct Settings: ReproductionSettings {
    /// The digits CSV (label column `label`).
    public var data = "../shared/data/digits.csv"
    public var routing = TopKRouting.Settings()

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      s.routing.tokens = 128
      return s
    }

    public static let options = [ReproductionOption("data", "The digits CSV file (label column label).")]

    public mutating func set(_ option: String, to text: String) throws {
      guard option == "data" else { throw ReproductionError.notAnOption(option) }
      data = text
    }
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  /// - Throws: `DataError` when the file cannot be read as labelled data.
  public func run(progress: ReproductionProgress) throws -> [TopKRouting.Routing] {
    let table = try CSV.read(settings.data, options: CSVReadOptions(label: .name("label")))
    return try TopKRouting.run(tokens: TopKRouting.tokens(table.features, settings.routing), settings: settings.routing)
  }

  public func report(_ routings: [TopKRouting.Routing]) -> Report {
    let s = settings.routing
    var report = Report(title: "Top-k routing with balanced loads (spec §6.2)")
    report.paragraph("Up to \(s.tokens) digits (\(settings.data)), z-scored, a fixed random router to \(s.experts) experts, cost -softmax, gamma \(NumberFormat.general(s.gamma)); capacity \(s.capacity).")
    let header = ["router", "optimizer", "max/mean load", "max/mean mass", "experts/token (max, mean)", "max tokens/expert", "no expert", "row error", "column error", "status"]
    let rows = routings.map { r in
      [r.router, r.optimizer, NumberFormat.fixed(r.maxOverMeanLoad, 3), NumberFormat.fixed(r.maxOverMeanMass, 3),
       "\(r.maxExpertsPerToken), \(NumberFormat.fixed(r.meanExpertsPerToken, 2))", String(r.maxTokensPerExpert), NumberFormat.fixed(r.tokensWithoutExpert, 3),
       NumberFormat.scientific(r.rowMarginalError, 1), NumberFormat.scientific(r.columnMarginalError, 1), r.status]
    }
    report.table(header: header, rows: rows, caption: "\(s.experts) experts")
    report.paragraph("Loads count the tokens with a non-zero plan entry at an expert; errors are relative to the total mass (tokens).")
    return report
  }
}
