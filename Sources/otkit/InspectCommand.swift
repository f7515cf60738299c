import ArgumentParser
import Foundation
import OTKit

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Read attention as transport off a saved transformer, head by head, on data.",
    discussion: """
      MODEL is a transformer saved by otkit train --save; DATA a CSV file as otkit predict \
      reads it. On the first --instances instances, every head of the chosen blocks is read \
      as transport (entropy, zeros, distance from doubly stochastic and from the entropic \
      plan, effective temperature, saturation, seed 002's identities off the tape, context \
      rank, the gauge); --report adds heat maps of the weights.
      """
  )

  @Argument(help: "The model directory.")
  var model: String

  @Argument(help: "The data (CSV).")
  var data: String

  @Option(help: "Inspect this block only (0-based).")
  var block: Int?

  @Option(help: "Inspect this head only (0-based).")
  var head: Int?

  @Option(help: "The instances to run (the first ones of the data).")
  var instances: Int = 16

  @Option(help: "The label column, when the header has one the model does not read.")
  var label: String?

  @Option(help: "The seed of the upstream gradients of the identities.")
  var seed: UInt64 = 0

  @Option(help: "Write an HTML report (the table and heat maps of the weights) to this file.")
  var report: String?

  @OptionGroup var printing: OutputOptions

  func validate() throws {
    guard instances >= 1 else { throw ValidationError("--instances must be positive") }
    if let block, block < 0 { throw ValidationError("--block must be 0 or more") }
    if let head, head < 0 { throw ValidationError("--head must be 0 or more") }
  }

  func run() throws {
    let heads = try reported {
      do {
        return try TabularTransformer.inspect(model: model, data: data, label: label, instances: instances, block: block, head: head, seed: seed)
      } catch let error as DataError {
        throw CLIError(error.trainingDescription)
      }
    }
    for line in HeadInspection.lines(heads, model: model, data: data) { print(line) }
    if let report {
      try reported { try HeadInspection.report(heads, model: model, data: data).write(to: report) }
      print("report: \(report)")
    }
    if printing.json { print(JSONValue(encoding: ["heads": heads]).serialized()) }
  }
}
