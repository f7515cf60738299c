import ArgumentParser
import OTKit

@main
struct OTKitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "otkit",
    abstract: "Optimal transport and attention as transport.",
    discussion: """
      OTKit solves optimal transport problems, computes attention through its transport \
      anchors, and trains and studies tabular models with OT metrics. Input files are CSV \
      (a header is optional) or NPY. Environment: OTKIT_THREADS sets the threads, OTKIT_BLAS \
      (auto, system, portable) chooses the matrix-product path.
      """,
    version: OTKitInfo.version,
    subcommands: [
      InfoCommand.self, TransportCommand.self, AttentionCommand.self, TrainCommand.self,
      PredictCommand.self, ReproduceCommand.self, AlignCommand.self,
    ]
  )
}
