import ArgumentParser
import Foundation
import OTKit
import OTKitExperiments

struct TrainCommand: ParsableCommand, TrainingRunCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a classifier on a CSV data set and report its test accuracy.",
    discussion: """
      DATA is a CSV file with a label column (--label, by name or 0-based index). The rows are split into training and test parts, \
      stratified by class (--test-fraction, --seed); features are standardized with the training statistics. --classes k keeps the \
      rows whose label is one of the first k labels in sorted order.

      Models: mlp (Adam, mini-batches); ot, the OT classifier of the tabular OT study (dummy class Gaussians, exact assignment per \
      class, an MLP map; --hidden sets the map); transformer, the study's transformer (encoder blocks, per-token head, RMSprop; \
      mini-batches of 64, feed-forward 64, a 16-unit head with dropout 0.1 and a 10% validation split unless --study-settings asks for \
      the study's full batch, feed-forward 32 and 8-unit head with dropout 0.4); pretrained, the transformer whose head is pretrained \
      on the dummy classes and frozen. For ot, transformer and pretrained a row is a sequence of tokens of --token-dim consecutive \
      columns (default: the whole row is one token); --layout feature makes each feature a token (transformer only). --trace records \
      how the encoder moves the training points and reports the OT metrics of training; --report writes a self-contained HTML report. \
      Early stopping restores the best weights. A progress bar is drawn on standard error when it is a terminal.
      """
  )

  @Argument(help: "The data set (CSV).")
  var data: String

  @Option(help: "The label column: a name from the header or a 0-based index.")
  var label: String

  @Option(name: .customLong("model"), help: "The model: \(LibraryName<TabularModel>.listed).")
  var modelName = LibraryName<TabularModel>("mlp")
  var model: String { modelName.description }

  @Option(help: "Keep the rows of the first k labels in sorted order.")
  var classes: Int?

  @Option(name: .customLong("token-dim"), help: "Columns per token for ot, transformer and pretrained (default: all, one token per row).")
  var tokenDimension: Int?

  @Option(help: "The transformer's tokens: sequence (of --token-dim columns) or feature (one token per feature).")
  var layout: TokenLayout = .sequence

  @Option(help: "The hidden widths of the MLP or of the OT classifier's map, comma-separated (default 32,32 for mlp, 64,64 for ot).")
  var hidden: ArgumentList<Int>?

  @Option(help: "Where the dummy class means sit (ot, pretrained): automatic, circle or simplex.")
  var dummies: DummyPlacement = .automatic

  @Option(help: "Encoder blocks of the transformer.")
  var blocks: Int = 1

  @Option(help: "Attention heads of the transformer.")
  var heads: Int = 10

  @Option(help: "The transformer's feed-forward width (default 64; 32 with --study-settings).")
  var feedForward: Int?

  @Option(help: "The dropout of the transformer's per-token head (default 0.1; 0.4 with --study-settings).")
  var headDropout: Double?

  @Flag(help: "Start the transformer from the study's original settings (full batch, feed-forward 32, an 8-unit head with dropout 0.4, no validation split) instead of the defaults.")
  var studySettings = false

  @Option(help: "The transformer's attention anchor: \(LibraryName<AttentionAnchor>.listed); a comma-separated list gives one per head.")
  var anchor = LibraryNames<AttentionAnchor>(["softmax"])

  @Option(help: "The entmax alpha of --anchor entmax (> 1).")
  var alpha: Double = 1.5

  @Option(help: "The Sinkhorn normalizations of --anchor sinkhorn (rows first).")
  var iterations: Int = 5

  @Option(help: "The transformer's attention temperature, a multiplier of sqrt(key size) (> 0; default 1).")
  var temperature: Double?

  @Flag(help: "Every head of the transformer learns its temperature (from the fixed one).")
  var learnTemperature = false

  @Option(help: "ALiBi's slope gamma: the locality cost -gamma |i - j| on the transformer's scores (>= 0).")
  var alibi: Double?

  @Option(help: "The link of the transformer's evidence kernel: exp or power:Q (0 <= Q < 1: exact zeros).")
  var link: AttentionLink = .exp

  @Option(help: "The scores' unary fields: chart (as projected), interaction (quotiented out) or field (plus a learned column field per head).")
  var unary: UnaryRegime = .chart

  @Option(help: "The transformer's carrier (full, causal, window:R): one for every block or one per block, comma-separated (staged depth).")
  var carrier: ArgumentList<AttentionCarrier>?

  @Option(help: "Every head learns a soft window of keys (an adaptive carrier) starting at this width in tokens.")
  var adaptiveWindow: Double?

  @Flag(help: "Log every head's gradient structure after every epoch: the advantage form against the tape, the advantage spread, the estimate's variance with and without the baseline (transformer).")
  var logGradientStructure = false

  @Option(help: "Where the transformer normalizes: post (the study's, LN(f(x) + x)) or pre (x + f(LN(x))).")
  var norm: NormPlacement = .post

  @Option(help: "Rows (mlp) or instances (transformer) per step; 0: full batch. Default 64 (full batch for the transformer with --study-settings); ot uses a tenth of its training pairs.")
  var batchSize: Int?

  @Option(help: "The learning rate (Adam for mlp and ot, RMSprop for the transformer).")
  var learningRate: Double = 1e-2

  @Option(help: "The stratified share of the rows kept for testing.")
  var testFraction: Double = 0.2

  @Option(help: "The stratified share of the training rows held out for early stopping (0: monitor the training loss). Default 0.1 (0 for the transformer with --study-settings).")
  var validationFraction: Double?

  @Option(help: "Epochs without improvement before early stopping (default 20, 10 for ot).")
  var patience: Int?

  @Option(help: "The weight of the entropic Monge gap of the OT classifier's map beside its regression loss (ot; 0: none).")
  var mongeGap: Double?

  @Flag(help: "Record the trajectory of the training points through the encoder and report the OT metrics of training (transformer, pretrained).")
  var trace = false

  @Option(help: "Save the trained model into this directory (config.json and model.safetensors).")
  var save: String?

  @Flag(help: "Skip rows with a missing or non-numeric value instead of failing.")
  var dropInvalid = false

  @OptionGroup(title: "Training")
  var training: TrainingRunOptions

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  /// The library's anchors of --anchor and their parameters.
  var chosenAnchors: [AttentionAnchor] {
    anchor.names.map { AttentionAnchor(name: $0, parameters: .init(alpha: alpha, iterations: iterations))! }
  }

  /// Whether --model is a transformer (plain or pretrained).
  var isTransformer: Bool { model == "transformer" || model == "pretrained" }

  func validate() throws {
    do {
      try changes().check(model: model)
    } catch let error as TabularModel.InvalidChange {
      throw ValidationError("--" + error.setting.replacing(/[A-Z]/) { "-" + $0.output.lowercased() } + " " + error.reason)
    }
    guard testFraction > 0 && testFraction < 1 else { throw ValidationError("--test-fraction must lie in (0, 1)") }
    if let classes, classes < 2 { throw ValidationError("--classes must be at least 2") }
    if let tokenDimension, tokenDimension < 1 { throw ValidationError("--token-dim must be positive") }
    if trace && !isTransformer { throw ValidationError("--trace records the encoder's trajectory: use it with --model transformer or pretrained") }
    if trace && layout == .feature { throw ValidationError("--trace needs --layout sequence") }
    if logGradientStructure && !isTransformer {
      throw ValidationError("--log-gradient-structure reads the attention heads: use it with --model transformer or pretrained")
    }
    if tokenDimension != nil && model == "mlp" { throw ValidationError("--token-dim applies to --model ot, transformer and pretrained") }
  }

  func run() throws {
    let split: TrainingSplit
    do {
      split = try TrainingSplit(
        file: data, label: label, dropInvalid: dropInvalid, classes: classes, testFraction: testFraction, seed: seed, tokenDimension: tokenDimension)
    } catch let error as DataError {
      throw CLIError(error.trainingDescription)
    } catch {
      throw CLIError("\(error)")
    }
    let choice = try chosenModel()
    let outcome = try reported { try split.fit(choice, file: data, trace: trace, showsProgress: true) }
    if let save, let classifier = outcome.classifier { try reported { try classifier.save(to: save) } }
    if let report {
      try reported {
        try StudyReport.training(
          outcome, train: split.sequenceTrain, command: "otkit " + CommandLine.arguments.dropFirst().joined(separator: " "),
          dataName: (data as NSString).lastPathComponent
        ).write(to: report)
      }
    }
    let summary = TrainingReport(
      outcome: outcome, classLabels: split.labelled.classLabels, trainRows: split.train.count, testRows: split.test.count,
      tokens: split.sequenceTrain.tokens, seed: seed, saved: save, report: report, hidden: choice.hiddenWidths)
    for line in summary.lines(data: data, rows: split.labelled.count, features: split.labelled.featureNames.count) { print(line) }
    if json { print(JSONValue(encoding: summary).serialized()) }
  }

  /// The model of the options, with its settings.
  func chosenModel() throws -> TabularModel { TabularModel(name: model, changes: changes())! }

  /// The options' changes of the model's default settings.
  func changes() -> TabularModel.Changes {
    var c = TabularModel.Changes()
    (c.hidden, c.dummies, c.blocks, c.heads, c.feedForward, c.headDropout) = (hidden?.values, dummies, blocks, heads, feedForward, headDropout)
    (c.studySettings, c.anchor, c.norm, c.layout, c.batchSize) = (studySettings, chosenAnchors[0], norm, layout, batchSize)
    (c.temperature, c.learnsTemperature, c.alibi) = (temperature, learnTemperature, alibi)
    c.logsGradientStructure = logGradientStructure
    c.regime = AttentionRegime(link: link, unary: unary, carriers: carrier?.values ?? [], adaptiveWidth: adaptiveWindow)
    c.headAnchors = chosenAnchors.count > 1 ? chosenAnchors : nil
    (c.learningRate, c.validationFraction, c.patience, c.epochs, c.seed, c.mongeGap) = (learningRate, validationFraction, patience, epochs, seed, mongeGap)
    return c
  }
}

extension TokenLayout: ExpressibleByArgument {}
extension UnaryRegime: ExpressibleByArgument {}
extension NormPlacement: ExpressibleByArgument {}
extension DummyPlacement: ExpressibleByArgument {}
