import ArgumentParser
import Foundation
import OTKit
import OTKitExperiments

extension LayerAlignment.WordAttention: ExpressibleByArgument {}
extension LayerAlignment.WordCost: ExpressibleByArgument {}
extension LayerAlignment.Queries: ExpressibleByArgument {}

/// `otkit align`: the layer-wise alignment study on dumps of a real model (seed 001, §7.5).
struct AlignCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "align",
    abstract: "Measure, layer by layer, how a language model's attention aligns translated words, and how close it is to optimal transport.",
    discussion: """
      Each DIRECTORY holds one sentence pair as NumPy files: attentions.npy [layers, heads, T, T] \
      (self-attention over the joint sequence) or [layers, heads, T_target, T_source] \
      (cross-attention), hidden.npy [layers + 1, T, H] (optional: without it only the cosine \
      is measured), segment.npy [T] (0 source, 1 target, -1 special), word_ids.npy [T] (word \
      of each token in its sentence, -1 special) and gold.npy [k, 2] (source word, target \
      word). From Hugging Face transformers: output_attentions=True, output_hidden_states=True, \
      the stacked tensors of one pair, the tokenizer's word_ids(). Per layer: the cosine of \
      the word-level attention (heads averaged, cropped to the gold words) with the identity, \
      tr A / (|A|_F sqrt k); the share of gold pairs on the support (> 1e-4) of the OT plan \
      between the words' hidden states; the Pearson correlation of the attention with the \
      row-normalized plan and their Frobenius distance. Means over pairs with the author's \
      band (1.282 standard errors). Defaults follow the author's E4-E6; E1 is \
      --word-attention sum-l1 --word-cost sum --no-crop.
      """
  )

  @Argument(help: "Dump directories, one sentence pair each.")
  var directories: [String]

  @Option(help: "Token to word attention: sum-l1 (sum, rows L1-normalized; E1) or mean-l2 (mean, rows L2-normalized; E4, E5).")
  var wordAttention: LayerAlignment.WordAttention = .meanL2

  @Option(help: "Word costs from hidden states: sum (of the word pieces; E1) or mean-pairwise (mean over word-piece pairs; E6).")
  var wordCost: LayerAlignment.WordCost = .meanPairwise

  @Option(help: ArgumentHelp("The ground cost between vectors: \(GroundCost.names.joined(separator: ", ")) ('squared' is sqeuclidean).", valueName: "cost"))
  var distance: GroundCost = .euclidean

  @Option(help: "Self-attention rows: target (target words attend to source words; E1) or source (E5). Cross-attention rows are always the target.")
  var queries: LayerAlignment.Queries = .target

  @Flag(inversion: .prefixedNo, help: "Crop the attention and the OT problem to the gold words (k x k; E4-E6); --no-crop keeps every word (E1).")
  var crop = true

  @Option(help: "Entropic OT with this lambda instead of exact OT.")
  var lambda: Double?

  @Option(help: "The hidden state whose plan every layer's attention is compared with, or 'input' for each layer's input state.")
  var planState: String = "1"

  @Option(help: "Write the per-layer means to this CSV file.")
  var output: String?

  @Option(help: "Write an HTML report with the per-layer curves.")
  var report: String?

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func planStateValue() throws -> Int? {
    if planState == "input" { return nil }
    guard let value = Int(planState), value >= 0 else { throw ValidationError("--plan-state must be a state index (0 for the embeddings) or 'input', got \"\(planState)\"") }
    return value
  }

  func validate() throws {
    guard !directories.isEmpty else { throw ValidationError("give at least one dump directory") }
    if let lambda { guard lambda > 0 && lambda.isFinite else { throw ValidationError("--lambda must be positive") } }
    _ = try planStateValue()
  }

  func run() throws {
    let start = DispatchTime.now().uptimeNanoseconds
    var options = LayerAlignment.Options()
    (options.wordAttention, options.wordCost, options.distance, options.queries) = (wordAttention, wordCost, distance, queries)
    (options.cropToGold, options.lambda, options.planState) = (crop, lambda, try planStateValue())
    let bar = ProgressBar(total: directories.count)
    let summaries: [LayerAlignment.Summary]
    do {
      summaries = try LayerAlignment.analyze(
        directories: directories, options: options, progress: ReproductionProgress { done, _, message in bar.update(done: done, message: message) })
    } catch let error as DataError {
      throw CLIError(error.description)
    } catch {
      throw CLIError("\(error)")
    }
    bar.finish()
    let (header, rows) = AlignmentReport.layerTable(summaries)
    print("Layer-wise alignment of \(directories.count) sentence pair(s): attention \(wordAttention.rawValue), word costs \(wordCost.rawValue) (\(distance.name)), \(crop ? "cropped to the gold words" : "all words"), \(lambda.map { "entropic OT, λ = \($0)" } ?? "exact OT").")
    print(TextTable(header: header, rows: rows).render())
    if let output {
      do {
        try AtomicFile.write(AlignmentReport.csv(summaries), to: output)
      } catch {
        throw CLIError("\(output): cannot write the CSV: \(error.localizedDescription)")
      }
      print("wrote: \(output)")
    }
    if let report {
      try reported { try AlignmentReport.report(summaries, command: "otkit " + CommandLine.arguments.dropFirst().joined(separator: " ")).write(to: report) }
      print("report: \(report)")
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if json {
      print(JSONValue.object([
        "command": .string("align"), "pairs": .number(Double(directories.count)),
        "layers": JSONValue(encoding: summaries), "seconds": .number(seconds),
      ]).serialized())
    }
  }
}
