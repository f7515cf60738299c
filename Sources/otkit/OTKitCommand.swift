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
      (auto, system, portable) chooses the matrix-product path, OTKIT_MEMORY_LIMIT (or \
      --memory-limit) the memory it may use.
      """,
    version: OTKitInfo.version,
    subcommands: [
      InfoCommand.self, TransportCommand.self, AttentionCommand.self, TrainCommand.self,
      PredictCommand.self, InspectCommand.self, ReproduceCommand.self, AlignCommand.self,
    ]
  )

  /// Warns of environment variables it cannot use, installs the stop signals' handling and
  /// the allocator tuning, then runs the command; a request that does not fit in memory
  /// exits with status 2.
  static func main() {
    for problem in OTKitEnvironment.problems { Console.error("otkit: warning: \(problem)") }
    StopSignals.install { signal in
      let done = ProgressBar.latest.map { "completed \($0.done) of \($0.total) steps (\($0.message))" } ?? "nothing was completed"
      return "otkit: stopped by \(signal): \(done); no file was left half-written"
    }
    MemoryTuning.retainFreedMemory()
    do {
      var command = try parseAsRoot(Array(CommandLine.arguments.dropFirst()))
      try command.run()
    } catch let error as MemoryError {
      Console.error("Error: \(error)")
      exit(withError: ExitCode(2))
    } catch {
      exit(withError: error)
    }
  }
}
