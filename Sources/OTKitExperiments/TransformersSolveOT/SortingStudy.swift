import OTKitCore
import Foundation
import OTKitReport

/// `otkit reproduce sorting`: the depth study of the transformer with fixed weights that
/// runs dual gradient descent on entropic OT (H. Daneshmand, arXiv 2410.19931): the
/// distance of its readout to the row-normalized Sinkhorn plan at every depth, the entropic
/// floor, the author's six-number example and, with `trained`, the trained sorter of the
/// author's Fig. 2 with its prompt ablations over seeds.
///
/// - Complexity: one forward pass per curve to the largest depth (``SortingDepthStudy``),
///   5,000 layers for the example, and `prompts · seeds` training runs with `trained`.
public struct SortingStudy: Reproduction {
  public static let experiment = Experiment.sorting

  /// The trained sorter's options, runs and summaries (trained now or read from files).
  public struct Trained: Encodable {
    public var options: TrainedSorterStudy.Options
    public var runs: [TrainedSorterStudy.Run]
    public var summaries: [TrainedSorterStudy.Summary]
  }

  /// The author's six-number example, as the JSON has it.
  public struct Example: Encodable {
    public var x: [Double]
    public var sortedReadout: [Double]
    public var finalError: Double
    public var layers: Int
  }

  public struct Result: Encodable {
    public var curves: [SortingDepthStudy.Curve]
    public var example: Example
    public var trained: Trained?
    /// The study's full example (readouts and plan, for the heat maps).
    public var sortingExample: SortingExample

    enum CodingKeys: String, CodingKey { case curves, example, trained }
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    let curves = settings.curves
    // One curve at a time: about 50 n^2 bytes (the references' plans and costs, the prompt's
    // attention; measured 128 MB at n = 1600).
    let n = curves.map(\.n).max() ?? 0
    try MemoryBudget.check(
      MemoryBudget.bytes(50, n, n, scalar: 1), for: "the depth study's curves of n = \(n)", wayOut: "shorter lists (--lengths)")
    let depth = settings.depths.last!
    let saved = settings.trainedRuns.isEmpty ? nil : try TrainedSorterStudy.saved(settings.trainedRuns)
    let trainedOptions = saved?.options ?? (settings.trained ? settings.trainedStudy : nil)
    let trainingSteps = saved == nil ? trainedOptions.map { $0.prompts.count * $0.seeds.count * $0.training.steps } ?? 0 : 0
    let total = curves.count * depth + 5000 + trainingSteps
    var results: [SortingDepthStudy.Curve] = []
    for (index, setting) in curves.enumerated() {
      let base = index * depth
      results.append(try SortingDepthStudy.run(
        setting, depth: depth, seed: settings.seed, extraDepths: Set(settings.depths), progress: progress.part(from: base, of: total)))
    }
    let example = try SortingExample.run(layers: 5000, every: 1000, seed: settings.seed)
    var done = curves.count * depth + 5000
    progress(done, of: total, "example")
    var trained: Trained?
    if let saved {
      trained = Trained(options: saved.options, runs: saved.runs, summaries: TrainedSorterStudy.summaries(saved.runs, lengths: saved.options.lengths))
    } else if let trainedOptions {
      let (runs, summaries) = try TrainedSorterStudy.run(trainedOptions, progress: progress.part(from: done, of: total))
      trained = Trained(options: trainedOptions, runs: runs, summaries: summaries)
      done = total
    }
    let summary = Example(
      x: example.x, sortedReadout: example.sortedReadout, finalError: example.finalError, layers: example.readouts.last?.depth ?? 0)
    return Result(curves: results, example: summary, trained: trained, sortingExample: example)
  }

  public func report(_ result: Result) -> Report {
    var report = Report(title: "Transformers that solve optimal transport (seed 001)")
    report.paragraph("The readout's distance |M - P̄_λ|_F to the row-normalized Sinkhorn plan against depth; floor = |P̄_λ - Π*|_F; stated bound slope -1/2.")
    SortingReport.html(result.curves, depths: settings.depths, example: result.sortingExample, into: &report)
    if let trained = result.trained {
      TrainedSorterReport.html(
        runs: trained.runs, summaries: trained.summaries, lengths: trained.options.lengths, training: trained.options.training, into: &report)
    }
    return report
  }

  public func legacyFields(_ result: Result) -> [String: JSONValue] {
    [
      "curves": JSONValue(encoding: result.curves),
      "example": JSONValue(encoding: result.example),
      "trained": result.trained.map { JSONValue(encoding: $0) } ?? .null,
    ]
  }
}
