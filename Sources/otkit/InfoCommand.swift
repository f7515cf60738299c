import ArgumentParser
import Foundation
import OTKit

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show the version, the matrix-product path and the threads in use.",
    discussion: """
      With --benchmark, also times the core kernels (matrix products on both paths, \
      log-sum-exp, pairwise distances) on built-in random data and checks that the two \
      product paths agree.
      """
  )

  @Flag(help: "Time the core kernels on built-in data.")
  var benchmark = false

  @Option(help: "Matrix size for --benchmark.")
  var size = 1024

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func run() throws {
    let environment = OTKitInfo.Environment()
    for line in environment.lines { print(line) }
    guard case .object(var report) = JSONValue(encoding: environment) else { return }
    if benchmark {
      let results = KernelBenchmark(size: size).run { print($0) }
      report["benchmark"] = JSONValue(encoding: results)
    }
    if json { print(JSONValue.object(report).serialized()) }
  }
}
