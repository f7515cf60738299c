import ArgumentParser
import OTKitExperiments

/// The help of a reproduction option, from the library, with the reproductions that take it.
func reproductionHelp(_ option: String) -> ArgumentHelp {
  let takers = Experiment.taking(option)
  let help = takers.lazy.compactMap { $0.options.first { $0.name == option }?.help }.first ?? ""
  return ArgumentHelp("\(help) (\(takers.map(\.rawValue).joined(separator: ", ")))")
}

/// The flags of the tabular study and of the reproductions that read a data file.
struct TabularReproduceOptions: ParsableArguments {
  @Option(help: reproductionHelp("data")) var data: String?
  @Option(help: reproductionHelp("repetitions")) var repetitions: String?
  @Option(help: reproductionHelp("separations")) var separations: String?
  @Option(help: reproductionHelp("norm")) var norm: String?
  @Option(help: reproductionHelp("epochs")) var epochs: String?
  @Option(help: reproductionHelp("seed")) var seed: String?

  var given: [(String, String?)] {
    [("data", data), ("repetitions", repetitions), ("separations", separations), ("norm", norm), ("epochs", epochs), ("seed", seed)]
  }
}

/// The flags of the sorting study and its trained sorter.
struct SortingReproduceOptions: ParsableArguments {
  @Option(help: reproductionHelp("lengths")) var lengths: String?
  @Option(help: reproductionHelp("depths")) var depths: String?
  @Option(help: reproductionHelp("lambda")) var lambda: String?
  @Option(help: reproductionHelp("gamma-ratio")) var gammaRatio: String?
  @Option(help: reproductionHelp("sink-values")) var sinkValues: String?
  @Option(help: reproductionHelp("sink-modes")) var sinkModes: String?
  @Option(help: reproductionHelp("dimensions")) var dimensions: String?
  @Flag(help: reproductionHelp("full-grid")) var fullGrid = false
  @Flag(help: reproductionHelp("trained")) var trained = false
  @Option(help: reproductionHelp("seeds")) var seeds: String?
  @Option(help: reproductionHelp("first-seed")) var firstSeed: String?
  @Option(help: reproductionHelp("steps")) var steps: String?
  @Option(help: reproductionHelp("prompts")) var prompts: String?
  @Option(help: reproductionHelp("eval-lengths")) var evalLengths: String?
  @Option(help: reproductionHelp("test-lists")) var testLists: String?
  @Option(help: reproductionHelp("train-batch")) var trainBatch: String?
  @Flag(help: reproductionHelp("no-author-quirks")) var noAuthorQuirks = false
  @Option(help: reproductionHelp("trained-runs")) var trainedRuns: String?

  var given: [(String, String?)] {
    [
      ("lengths", lengths), ("depths", depths), ("lambda", lambda), ("gamma-ratio", gammaRatio), ("sink-values", sinkValues),
      ("sink-modes", sinkModes), ("dimensions", dimensions), ("full-grid", fullGrid ? "true" : nil), ("trained", trained ? "true" : nil),
      ("seeds", seeds), ("first-seed", firstSeed), ("steps", steps), ("prompts", prompts), ("eval-lengths", evalLengths),
      ("test-lists", testLists), ("train-batch", trainBatch), ("no-author-quirks", noAuthorQuirks ? "true" : nil), ("trained-runs", trainedRuns),
    ]
  }
}
