import ArgumentParser
import Foundation
import OTKit
import OTKitExperiments

struct TrainCommand: ParsableCommand, TrainingRunCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a classifier on a CSV data set and report its test accuracy.",
    discussion: """
      DATA is a CSV file with a label column (--label, by name or 0-based index). The rows \
      are split into training and test parts, stratified by class (--test-fraction, --seed); \
      features are standardized with the training statistics. --classes k keeps the rows \
      whose label is one of the first k labels in sorted order.

      Models: mlp (Adam, mini-batches); ot, the OT classifier of the tabular OT study (dummy \
      class Gaussians, exact assignment per class, an MLP map; --hidden sets the map); \
      transformer, the study's transformer (encoder blocks, per-token head, RMSprop; \
      mini-batches of 64, feed-forward 64, a 16-unit head with dropout 0.1 and a 10% \
      validation split unless --study-settings asks for the study's full batch, \
      feed-forward 32 and 8-unit head with dropout 0.4); pretrained, the transformer whose head is pretrained on the dummy classes and \
      frozen. For ot, transformer and pretrained a row is a sequence of tokens of \
      --token-dim consecutive columns (default: the whole row is one token); --layout \
      feature makes each feature a token (transformer only). --trace records how the \
      encoder moves the training points and reports the OT metrics of training; --report \
      writes a self-contained HTML report. Early stopping restores the best weights. A \
      progress bar is drawn on standard error when it is a terminal.
      """
  )

  @Argument(help: "The data set (CSV).")
  var data: String

  @Option(help: "The label column: a name from the header or a 0-based index.")
  var label: String

  @Option(help: ArgumentHelp("The model: \(TabularModel.names.joined(separator: ", ")).", valueName: "model"))
  var model = "mlp"

  @Option(help: "Keep the rows of the first k labels in sorted order.")
  var classes: Int?

  @Option(name: .customLong("token-dim"), help: "Columns per token for ot, transformer and pretrained (default: all, one token per row).")
  var tokenDimension: Int?

  @Option(help: "The transformer's tokens: sequence (of --token-dim columns) or feature (one token per feature).")
  var layout: TokenLayout = .sequence

  @Option(help: "The hidden widths of the MLP or of the OT classifier's map, comma-separated (default 32,32 for mlp, 64,64 for ot).")
  var hidden: String?

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

  @Option(help: ArgumentHelp("The transformer's attention anchor: \(AttentionAnchor.names.joined(separator: ", ")).", valueName: "anchor"))
  var anchor = "softmax"

  @Option(help: "The entmax alpha of --anchor entmax (> 1).")
  var alpha: Double = 1.5

  @Option(help: "The Sinkhorn normalizations of --anchor sinkhorn (rows first).")
  var iterations: Int = 5

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

  /// The library's anchor of --anchor and its parameters.
  var chosenAnchor: AttentionAnchor? { AttentionAnchor(name: anchor, parameters: .init(alpha: alpha, iterations: iterations)) }

  /// Whether --model is a transformer (plain or pretrained).
  var isTransformer: Bool { model == "transformer" || model == "pretrained" }

  func hiddenWidths() throws -> [Int]? {
    guard let hidden else { return nil }
    let widths = try parseList(
      hidden, option: "--hidden", must: "integers from 1 to \(TabularModelLimits.width)", { Int($0) },
      where: { (1...TabularModelLimits.width).contains($0) })
    guard widths.count <= TabularModelLimits.depth else { throw ValidationError("--hidden takes at most \(TabularModelLimits.depth) widths") }
    return widths
  }

  func validate() throws {
    guard TabularModel.names.contains(model) else { throw ValidationError("--model must be one of \(TabularModel.names.joined(separator: ", ")) (got \(model))") }
    guard chosenAnchor != nil else { throw ValidationError("--anchor must be one of \(AttentionAnchor.names.joined(separator: ", ")) (got \(anchor))") }
    _ = try hiddenWidths()
    if let batchSize, batchSize < 0 { throw ValidationError("--batch-size must be positive (0: full batch)") }
    guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--learning-rate must be positive") }
    guard testFraction > 0 && testFraction < 1 else { throw ValidationError("--test-fraction must lie in (0, 1)") }
    if let validationFraction, !(validationFraction >= 0 && validationFraction < 1) { throw ValidationError("--validation-fraction must lie in [0, 1)") }
    if let patience, patience < 1 { throw ValidationError("--patience must be positive") }
    if let classes, classes < 2 { throw ValidationError("--classes must be at least 2") }
    if let tokenDimension, tokenDimension < 1 { throw ValidationError("--token-dim must be positive") }
    guard blocks >= 1, heads >= 1, (feedForward ?? 1) >= 1 else { throw ValidationError("--blocks, --heads and --feed-forward must be positive") }
    // The limits of a saved model's configuration, so that what trains also loads.
    guard blocks <= TabularModelLimits.depth else { throw ValidationError("--blocks must be at most \(TabularModelLimits.depth)") }
    guard heads <= TabularModelLimits.heads else { throw ValidationError("--heads must be at most \(TabularModelLimits.heads)") }
    guard (feedForward ?? 1) <= TabularModelLimits.width else { throw ValidationError("--feed-forward must be at most \(TabularModelLimits.width)") }
    if let headDropout, !(headDropout >= 0 && headDropout < 1) { throw ValidationError("--head-dropout must lie in [0, 1)") }
    if studySettings && !isTransformer {
      throw ValidationError("--study-settings applies to --model transformer or pretrained")
    }
    guard alpha > 1 && alpha.isFinite else { throw ValidationError("--alpha must be greater than 1") }
    guard iterations >= 1 else { throw ValidationError("--iterations must be positive") }
    if trace && !isTransformer {
      throw ValidationError("--trace records the encoder's trajectory: use it with --model transformer or pretrained")
    }
    if trace && layout == .feature { throw ValidationError("--trace needs --layout sequence") }
    if tokenDimension != nil && model == "mlp" { throw ValidationError("--token-dim applies to --model ot, transformer and pretrained") }
  }

  func run() throws {
    let labelled: LabeledData
    do {
      let table = try CSV.read(
        data, options: CSVReadOptions(label: .init(parsing: label), dropInvalidRows: dropInvalid))
      labelled = try LabeledData(table: table, file: data, classes: classes)
    } catch let error as DataError {
      throw CLIError(error.trainingDescription)
    }
    let (train, test) = labelled.split(testFraction: testFraction, seed: seed)
    guard train.count > 0, test.count > 0 else {
      throw CLIError("\(data): \(labelled.count) rows are too few to split into training and test parts")
    }
    let sequenceTrain: SequenceData, sequenceTest: SequenceData
    do {
      sequenceTrain = try SequenceData(train, tokenDimension: tokenDimension)
      sequenceTest = try SequenceData(test, tokenDimension: tokenDimension)
    } catch var error as DataError {
      error.file = data
      throw CLIError(error.trainingDescription)
    }
    let fitted: FittedModel
    do {
      fitted = try fit(train: train, test: test, sequenceTrain: sequenceTrain, sequenceTest: sequenceTest)
    } catch let error as TabularModelError {
      // A model that cannot fit this data (one coordinate for circle dummies): name the file.
      throw CLIError("\(data): \(error)")
    }
    let outcome = fitted.outcome
    if let save {
      do {
        try fitted.classifier.save(to: save)
      } catch {
        throw CLIError("\(error)")
      }
    }
    if let report {
      do {
        try StudyReport.training(
          outcome, train: sequenceTrain, command: "otkit " + CommandLine.arguments.dropFirst().joined(separator: " "),
          dataName: (data as NSString).lastPathComponent
        ).write(to: report)
      } catch {
        throw CLIError("\(error)")
      }
    }
    let recall = outcome.test.instances.definedRecall
    print("model: \(outcome.description)")
    print("data: \(data), \(labelled.count) rows, \(labelled.featureNames.count) features, classes \(labelled.classLabels.joined(separator: ", ")); train \(train.count), test \(test.count)")
    print("epochs: \(outcome.history.epochs)\(outcome.history.stoppedEarly ? " (early stop)" : ""), best \(outcome.history.bestEpoch + 1)")
    print("train accuracy: \(String(format: "%.4f", outcome.train.accuracy))")
    print("test accuracy: \(String(format: "%.4f", outcome.test.accuracy))" + (sequenceTest.tokens > 1 || isTransformer ? " (instances), \(String(format: "%.4f", outcome.test.pointAccuracy)) (points)" : ""))
    print("test recall: " + zip(labelled.classLabels, recall).map { "\($0) \($1.map { String(format: "%.4f", $0) } ?? "undefined (no test rows)")" }.joined(separator: ", "))
    print("confusion (rows true, columns predicted): \(outcome.test.instances.confusion)")
    print("train time: \(String(format: "%.3f", outcome.history.seconds)) s")
    if let metrics = outcome.metrics {
      print("OT metrics of training (P_0 to best epoch \(metrics.epoch + 1)): " + metrics.total.figures.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", "))
    }
    if let save { print("saved: \(save)") }
    if let report { print("report: \(report)") }
    if json {
      let report = TrainingReport(
        outcome: outcome, classLabels: labelled.classLabels, trainRows: train.count, testRows: test.count,
        tokens: sequenceTrain.tokens, seed: seed, saved: save, report: report, hidden: fitted.hidden)
      print(((try? JSONValueEncoder.encode(report)) ?? .null).serialized())
    }
  }

  struct FittedModel {
    var classifier: any TabularClassifier
    var outcome: TrainingOutcome
    var hidden: [Int]?
  }

  /// The model of the options, with its settings.
  func chosenModel() throws -> TabularModel {
    var c = TabularModel.Changes()
    (c.hidden, c.dummies, c.blocks, c.heads, c.feedForward, c.headDropout) = (try hiddenWidths(), dummies, blocks, heads, feedForward, headDropout)
    (c.studySettings, c.anchor, c.norm, c.layout, c.batchSize) = (studySettings, chosenAnchor, norm, layout, batchSize)
    (c.learningRate, c.validationFraction, c.patience, c.epochs, c.seed) = (learningRate, validationFraction, patience, epochs, seed)
    return TabularModel(name: model, changes: c)!
  }

  func fit(train: LabeledData, test: LabeledData, sequenceTrain: SequenceData, sequenceTest: SequenceData) throws -> FittedModel {
    let choice = try chosenModel()
    let outcome = try choice.fit(
      train: train, sequenceTrain: sequenceTrain, sequenceTest: sequenceTest, trace: trace, showsProgress: true)
    return FittedModel(classifier: outcome.classifier!, outcome: outcome, hidden: choice.hiddenWidths)
  }
}

extension TokenLayout: ExpressibleByArgument {}
extension NormPlacement: ExpressibleByArgument {}
extension DummyPlacement: ExpressibleByArgument {}

struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Predict classes with a model saved by otkit train --save.",
    discussion: """
      DATA is a CSV file. With a header, the model's feature columns are picked by name and, \
      when the model's label column is present, the accuracy is reported; without one, the \
      file must hold exactly the model's features in order (or name the label column with \
      --label). --output writes one row per data row: the predicted label and the \
      probability of each class.
      """
  )

  @Argument(help: "The model directory.")
  var model: String

  @Argument(help: "The data (CSV).")
  var data: String

  @Option(help: "Write the predictions to this CSV file.")
  var output: String?

  @Option(help: "The label column, to report accuracy (default: the model's label column when the header has it).")
  var label: String?

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func run() throws {
    let classifier: any TabularClassifier
    let config: TabularModelConfiguration
    do {
      classifier = try TabularModels.load(from: model)
      guard let c = classifier.configuration else { throw TabularModelError("the model is not fitted") }
      config = c
    } catch {
      throw CLIError("\(error)")
    }
    let features: Matrix<Double>
    var labels: [String]?
    do {
      // The label column: the one given, else the model's when the file's header has it.
      var table: CSVTable
      if let label {
        table = try CSV.read(data, options: CSVReadOptions(label: .init(parsing: label)))
      } else if let name = config.labelName {
        do {
          table = try CSV.read(data, options: CSVReadOptions(label: .name(name)))
        } catch let error as DataError {
          guard case .unknownLabelColumn = error.kind else { throw error }
          table = try CSV.read(data)
        }
      } else {
        table = try CSV.read(data)
      }
      labels = table.labels
      if table.hadHeader {
        var columns: [Int] = []
        for name in config.featureNames {
          guard let index = table.featureNames.firstIndex(of: name) else {
            throw CLIError("\(data): has no column \"\(name)\", a feature of the model (its features: \(config.featureNames.joined(separator: ", ")))")
          }
          columns.append(index)
        }
        features = columns == Array(0..<table.features.columns) ? table.features : table.features.columns(at: columns)
      } else {
        guard table.features.columns == config.featureNames.count else {
          throw CLIError("\(data): has \(table.features.columns) feature columns, the model needs \(config.featureNames.count)")
        }
        features = table.features
      }
    } catch let error as DataError {
      throw CLIError(error.trainingDescription)
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let probabilities = try classifier.predictProbabilities(features)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    // A row whose values take the model beyond Double (1e300 where it was trained on
    // units) has no probabilities: an error naming the row, never NaN in the output.
    for i in 0..<probabilities.rows where !(0..<probabilities.columns).allSatisfy({ probabilities[i, $0].isFinite }) {
      let largest = (0..<features.columns).map { abs(features[i, $0]) }.max() ?? 0
      throw CLIError("\(data): data row \(i + 1): the model's probabilities overflow for this row (its largest value is \(largest)); such values are outside what the model can represent")
    }
    let predictions = Predictions(classLabels: config.classLabels, probabilities: probabilities)
    let (predicted, classLabels) = (predictions.predicted, predictions.classLabels)
    let accuracy = labels.flatMap { predictions.accuracy(against: $0) }
    if let output {
      do {
        try predictions.writeCSV(to: output)
      } catch {
        throw CLIError("\(error)")
      }
    }
    let counts = predictions.counts
    print("model: \(model) (\(config.model), classes \(classLabels.joined(separator: ", ")))")
    print("rows: \(predicted.count); predicted per class: " + zip(classLabels, counts).map { "\($0) \($1)" }.joined(separator: ", "))
    if let accuracy { print("accuracy: \(String(format: "%.4f", accuracy))") }
    if let output { print("predictions: \(output)") }
    if json {
      let object: [String: JSONValue] = [
        "model": .string(config.model), "rows": .number(Double(predicted.count)),
        "accuracy": accuracy.map { .number($0) } ?? .null,
        "counts": .array(counts.map { .number(Double($0)) }),
        "classLabels": .array(classLabels.map { .string($0) }),
        "seconds": .number(seconds),
      ]
      print(JSONValue.object(object).serialized())
    }
  }
}
