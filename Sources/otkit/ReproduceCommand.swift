import ArgumentParser
import Foundation
import OTKitExperiments
import OTKit

/// `otkit reproduce NAME`: runs a registered reproduction (``Experiment``) and prints its
/// report. The flags only map onto the reproduction's settings; the defaults, grids and the
/// study itself live in the library.
struct ReproduceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reproduce",
    abstract: "Reproduce a paper's study: the tables, figures and numbers of every registered reproduction.",
    discussion: "The reproductions (otkit reproduce --list; --list --json adds every default setting):\n\n"
      + Experiment.allCases.map { "\($0.rawValue): \($0.summary) [\($0.paper.reference)]" }.joined(separator: "\n\n")
      + "\n\nEach option applies to the reproductions that name it; --set OPTION=VALUE reaches any option of any reproduction."
  )

  @Argument(help: "The reproduction (otkit reproduce --list names them all).")
  var experiment: Experiment = .synthetic

  @Flag(help: "List the registered reproductions with their papers and exit.")
  var list = false

  @Flag(help: "Run the reproduction's quick settings (seconds; for smoke runs), options still apply.")
  var quick = false

  @Option(name: .customLong("set"), help: ArgumentHelp("An option of the reproduction as OPTION=VALUE (repeatable), for options without a flag of their own.", valueName: "option=value"))
  var settings: [String] = []

  @OptionGroup(title: "Seed 000 (synthetic, beed), routing")
  var tabular: TabularReproduceOptions

  @OptionGroup(title: "Seed 001 (sorting)")
  var sorting: SortingReproduceOptions

  @Option(help: "Write a self-contained HTML report (tables and figures) to this file.")
  var report: String?

  @Option(help: "Write the report's figures as SVG files into this folder (NAME-1.svg, NAME-2.svg, ...; docs/papers embeds them).")
  var figures: String?

  @OptionGroup var printing: OutputOptions

  /// The options given, as the library names them.
  func options() throws -> [(name: String, value: String)] {
    let pairs = try settings.map { text -> (name: String, value: String) in
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw ValidationError("--set takes OPTION=VALUE (got \(text))")
      }
      return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
    return (tabular.given + sorting.given).compactMap { name, value in value.map { (name, $0) } } + pairs
  }

  func prepared() throws -> PreparedReproduction {
    do {
      return try experiment.prepare(options: try options(), quick: quick)
    } catch let error as ReproductionError {
      throw ValidationError(error.description)
    }
  }

  func validate() throws {
    if !list { _ = try prepared() }
  }

  func run() throws {
    if list { return print(printing.json ? Experiment.listingJSON.serialized() : Experiment.listingText) }
    let bar = ProgressAdapter()
    let output: ReproductionOutput
    do {
      output = try prepared().run(progress: ReproductionProgress { done, total, message in bar.update(done, total, message) })
    } catch let error as ReproductionError {
      throw CLIError(error.description)
    } catch let error as DataError {
      throw CLIError("\(error.trainingDescription) (the data: pass --data PATH)")
    }
    bar.finish()
    print(output.report.text())
    print("\ntotal time: \(String(format: "%.1f", output.seconds)) s")
    if let report {
      var document = Report(title: "OTKit: " + output.report.title)
      document.paragraph("\(output.experiment.paper.title) (\(output.experiment.paper.reference)).")
      document.code("otkit " + CommandLine.arguments.dropFirst().joined(separator: " "))
      document.append(output.report)
      try reported { try document.write(to: report) }
      print("report: \(report)")
    }
    if let figures {
      print("figures: \(try reported { try output.report.writeFigures(to: figures, prefix: output.experiment.rawValue) }.count) in \(figures)")
    }
    if printing.json { print(output.envelope.serialized()) }
  }
}

extension Experiment: ExpressibleByArgument {}

/// Draws the progress bar of a reproduction once it reports its total.
final class ProgressAdapter: @unchecked Sendable {
  private var bar: ProgressBar?
  private let lock = NSLock()

  func update(_ done: Int, _ total: Int, _ message: String) {
    lock.lock()
    defer { lock.unlock() }
    if bar == nil || bar?.total != max(total, 1) { bar = ProgressBar(total: total) }
    bar?.update(done: done, message: message)
  }

  func finish() {
    lock.lock()
    defer { lock.unlock() }
    bar?.finish()
  }
}
