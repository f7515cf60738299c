import OTKitCore
import OTKitData
import OTKitNeural
import OTKitReport
import OTKitTabular

/// `otkit reproduce beed`: the real-data study of the tabular OT paper (arXiv 2512.09530)
/// on the Bangalore EEG Epilepsy Dataset: the first 2, 3 and 4 classes, 80/20 stratified,
/// accuracy and fit time of the OT classifier, the transformer and the MLP.
///
/// - Complexity: `classes · repetitions · 3` model fits on up to 8,000 rows.
public struct BEEDStudy: Reproduction {
  public static let experiment = Experiment.beed

  public struct Settings: ReproductionSettings, TabularRunSettings, Equatable {
    /// The BEED CSV file (label column `y`).
    public var data = "../shared/data/beed.csv"
    public var repetitions = 1
    public var seed: UInt64 = 0
    public var epochs = 200
    public var norm: NormPlacement = .post
    /// The class counts: the first k labels.
    public var classes = [2, 3, 4]
    /// An evenly spaced subsample of this many rows (0: every row).
    public var rows = 0

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.epochs, s.classes, s.rows) = (2, [2], 400)
      return s
    }

    public static let options = [
      ReproductionOption("data", "The BEED CSV file (label column y)."),
      ReproductionOption("repetitions", "Repetitions (new splits)."),
      ReproductionOption("seed", "The seed of the split and the models."),
      ReproductionOption("epochs", "The most epochs of every model."),
      ReproductionOption("norm", "Where the transformer normalizes: post (the study's) or pre."),
      ReproductionOption("classes", "The class counts (the first k labels), comma-separated."),
      ReproductionOption("rows", "An evenly spaced subsample of this many rows (0: every row)."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      if try setRunOption(option, to: text) { return }
      switch option {
      case "data": data = text
      case "classes": classes = try OptionText.list(text, option: option, must: "integers from 2 to 1000", { Int($0) }, where: { (2...1000).contains($0) })
      case "rows": rows = try OptionText.integer(text, option: option, in: 0...Int.max)
      default: throw ReproductionError.notAnOption(option)
      }
    }

    var study: Study.RealSettings {
      var s = Study.RealSettings()
      (s.repetitions, s.seed, s.classes) = (repetitions, seed, classes)
      s.transformer.epochs = epochs
      s.transformer.normPlacement = norm
      s.ot.epochs = epochs
      s.mlp.epochs = epochs
      return s
    }
  }

  public struct Result: Encodable {
    public var summaries: [Study.Summary]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  /// - Throws: `DataError` when the file cannot be read as labelled data.
  public func run(progress: ReproductionProgress) throws -> Result {
    var table = try CSV.read(settings.data, options: CSVReadOptions(label: .name("y")))
    if settings.rows > 0 && settings.rows < table.rowCount { table = Self.subsample(table, rows: settings.rows) }
    let runs = try Study.real(table, file: settings.data, settings: settings.study, progress: progress)
    return Result(summaries: Study.summarize(runs))
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "The tabular OT study: BEED")
    report.paragraph("BEED (\(settings.data)): 80/20 stratified split, seed \(settings.seed), \(settings.repetitions) repetition(s); one token of 16 features per row.")
    StudyReport.real(result.summaries, into: &report)
    return report
  }

  public func legacyFields(_ result: Result) -> [String: JSONValue] {
    ["rows": .array(result.summaries.map(\.flatRow))]
  }

  /// Every `rowCount / rows`-th row of `table`.
  static func subsample(_ table: CSVTable, rows: Int) -> CSVTable {
    let picked = (0..<rows).map { $0 * table.rowCount / rows }
    var features = Matrix<Double>(rows: rows, columns: table.features.columns)
    for (i, row) in picked.enumerated() {
      for j in 0..<features.columns { features[i, j] = table.features[row, j] }
    }
    return CSVTable(
      featureNames: table.featureNames, features: features, labelName: table.labelName, labels: table.labels.map { labels in picked.map { labels[$0] } },
      hadHeader: table.hadHeader)
  }
}
