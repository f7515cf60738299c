import ArgumentParser
import Foundation
import OTKit

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Read attention as transport off a saved transformer, head by head, on data.",
    discussion: """
      MODEL is a transformer saved by otkit train --model transformer (or pretrained) --save; \
      DATA a CSV file as otkit predict reads it. The first --instances instances run through \
      the network; for every head of the chosen blocks: entropy, exact zeros, distance from \
      doubly stochastic and from the entropic plan, effective temperature, saturated rows, \
      seed 002's identities off the tape (advantage form, Jacobian = Fisher / T = Hessian of \
      T LSE(s / T)), the context vectors' rank and the gauge of the scores. --report writes \
      the table and the weights' heat maps as HTML.
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
    let transformer = try reported { try TabularTransformer.load(from: model) }
    guard let config = transformer.configuration, let layout = transformer.layout, let settings = config.transformer else {
      throw CLIError("\(model): the model is not fitted")
    }
    if let block, block >= settings.blocks { throw CLIError("--block \(block): the model has \(settings.blocks) block(s)") }
    if let head, head >= settings.heads { throw CLIError("--head \(head): the model has \(settings.heads) head(s)") }
    var heads: [HeadInspection] = []
    do {
      let sequence = try layout.sequence(of: try config.read(data, label: label).features)
      heads = try transformer.inspect(sequence, instances: instances, blocks: block.map { [$0] }, seed: seed)
    } catch let error as DataError {
      throw CLIError(error.trainingDescription)
    } catch let error as TabularModelError {
      throw CLIError("\(data): \(error)")
    }
    heads = heads.filter { head == nil || $0.head == head }
    print("inspection: \(model) on \(data), \(heads.first?.instances ?? 0) instance(s) of \(heads.first?.tokens ?? 0) tokens")
    print(TextTable(header: HeadInspection.tableHeader, rows: heads.map(\.tableRow)).render())
    if let report {
      try reported { try HeadInspection.report(heads, model: model, data: data).write(to: report) }
      print("report: \(report)")
    }
    if printing.json { print(JSONValue(encoding: ["heads": heads]).serialized()) }
  }
}
