import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural
import Testing

@testable import OTKitTabular

@Suite("OT classifier and transformer")
struct StudyModelTests {
  /// The study's simulated 2-class data, well separated, split by alternating instances.
  static func wellSeparated(classes: Int = 2, seed: UInt64 = 11) -> (train: SequenceData, test: SequenceData) {
    ClassGaussians.study(classes: classes, separation: 3).simulate(instances: 90, tokens: 20, seed: seed).alternatingSplit()
  }

  static func fastTransformer(pretrained: Bool = false) -> TransformerSettings {
    var s = TransformerSettings.study
    s.epochs = 60
    s.pretrained = pretrained
    s.pretrainEpochs = 60
    return s
  }

  @Test("Synthetic 2-class, well separated: instance accuracy >= 0.98 for the OT classifier, the transformer and the pretrained transformer")
  func syntheticAccuracy() throws {
    let (train, test) = Self.wellSeparated()
    let ot = OTClassifier()
    try ot.fit(train)
    #expect(try ot.evaluate(test).accuracy >= 0.98)
    let transformer = TabularTransformer(settings: Self.fastTransformer())
    try transformer.fit(train, trace: true)
    let t = try transformer.evaluate(test)
    #expect(t.accuracy >= 0.98, "\(t.accuracy)")
    #expect(t.pointAccuracy > 0.9)
    let pretrained = TabularTransformer(settings: Self.fastTransformer(pretrained: true))
    try pretrained.fit(train, trace: true)
    #expect(try pretrained.evaluate(test).accuracy >= 0.98)
    // The trace holds the start and the best epoch; the metrics are finite and ordered.
    let metrics = try #require(try transformer.recorder?.metrics())
    #expect(metrics.total.points == train.points.rows)
    #expect(metrics.total.wasserstein <= metrics.total.transformerDistance + 1e-9)
    #expect(metrics.total.normalizedEfficiency > 0 && metrics.total.normalizedEfficiency <= 1 + 1e-12)
    #expect(metrics.total.efficiency <= metrics.total.normalizedEfficiency)
  }

  @Test("The pretrained variant's head is frozen: training leaves it as pretraining made it")
  func frozenHead() throws {
    let (train, _) = Self.wellSeparated()
    var settings = Self.fastTransformer(pretrained: true)
    settings.epochs = 3
    let model = TabularTransformer(settings: settings)
    try model.fit(train)
    let network = try #require(model.network)
    #expect(network.head.parameters.allSatisfy { !$0.isTrainable })
    #expect(network.blocks[0].parameters.allSatisfy { $0.isTrainable })
    // Pretraining alone, from the same seed, gives the same head.
    let reference = TabularTransformerNetwork(settings: settings, inputs: 2, classes: 2)
    _ = try model.pretrainHead(reference, points: train.points.rows, classes: 2)
    #expect(zip(reference.head.parameters, network.head.parameters).allSatisfy { $0.value == $1.value })
    #expect(model.dummies?.means.count == 2)
  }

  @Test("OT classifier: pairs match real points to dummy draws optimally, class by class")
  func pairs() throws {
    let (train, _) = Self.wellSeparated()
    let dummies = try ClassGaussians.dummies(classes: 2, dimension: 2)
    var g = SeededGenerator(seed: 1)
    let pairs = try OTClassifier.pairs(train, dummies: dummies, assignmentBatchSize: nil, generator: &g)
    #expect(pairs.inputs.rows == train.points.rows)
    // Every target lies near its class's dummy mean (radius 6 on the circle), not the other's.
    let labels = train.pointLabels
    var near = 0
    for i in 0..<pairs.targets.rows {
      let mu = dummies.means[labels[i]]
      if (pow(pairs.targets[i, 0] - mu[0], 2) + pow(pairs.targets[i, 1] - mu[1], 2)).squareRoot() < 5 { near += 1 }
    }
    #expect(near == pairs.targets.rows)
    // Batches of 10 instances keep every point once.
    var g2 = SeededGenerator(seed: 1)
    let batched = try OTClassifier.pairs(train, dummies: dummies, assignmentBatchSize: 10, generator: &g2)
    #expect(batched.inputs.rows == train.points.rows)
  }

  @Test("OT classifier: an instance's scores are the normalized product of its tokens' scores")
  func instanceScores() throws {
    let (train, test) = Self.wellSeparated()
    let model = OTClassifier()
    try model.fit(train)
    let points = try model.predictPointProbabilities(test)
    let instances = try model.predictProbabilities(test)
    for i in [0, 7, 20] {
      var logs = [0.0, 0.0]
      for t in 0..<test.tokens { for c in 0..<2 { logs[c] += Foundation.log(points[i * test.tokens + t, c]) } }
      let expected = 1 / (1 + Foundation.exp(logs[1] - logs[0]))
      #expect(abs(instances[i, 0] - expected) < 1e-9)
    }
    // Prediction standardizes with the training statistics: shifting the test data moves the predictions.
    let shifted = SequenceData(points: test.points + Matrix(row: [100, 0]), tokens: test.tokens, labels: test.labels, classLabels: test.classLabels)
    #expect(try model.predictProbabilities(shifted) != instances)
  }

  @Test("Dummy classes that do not fit the data are a typed error")
  func badDummies() throws {
    let (train, _) = Self.wellSeparated()
    var settings = OTClassifierSettings()
    settings.dummies = try ClassGaussians.dummies(classes: 3, dimension: 2)
    #expect(throws: TabularModelError.self) { try OTClassifier(settings: settings).fit(train) }
    settings.dummies = ClassGaussians(means: [[0, 0], [1, 1]], covariances: [Matrix([[1, 2], [2, 1]]), Matrix([[1, 0], [0, 1]])])
    #expect(throws: TabularModelError.self) { try OTClassifier(settings: settings).fit(train) }
    var feature = TransformerSettings.study
    feature.layout = .feature
    #expect(throws: TabularModelError.self) { try TabularTransformer(settings: feature).fit(train, trace: true) }
  }

  @Test("Saved OT classifiers and transformers predict the same after loading; other kinds and corrupt files are errors")
  func saveLoad() throws {
    let (train, test) = Self.wellSeparated()
    let rows = test.points.reshaped(rows: test.instances, columns: test.tokens * test.dimension)
    let ot = OTClassifier()
    try ot.fit(train)
    let otDirectory = temporaryDirectory("ot-model")
    try ot.save(to: otDirectory)
    let loadedOT = try TabularModels.load(from: otDirectory)
    #expect(loadedOT is OTClassifier)
    #expect(try loadedOT.predictProbabilities(rows) == (try ot.predictProbabilities(test)))
    var settings = Self.fastTransformer()
    settings.epochs = 5
    let transformer = TabularTransformer(settings: settings)
    try transformer.fit(train)
    let tDirectory = temporaryDirectory("transformer-model")
    try transformer.save(to: tDirectory)
    let loaded = try TabularModels.load(from: tDirectory)
    #expect(loaded.configuration?.model == "transformer")
    #expect(try loaded.predict(rows) == (try transformer.predict(rows)))
    #expect(throws: (any Error).self) { try OTClassifier.load(from: tDirectory) }
    // A truncated parameter file is an error, not a crash.
    let path = otDirectory + "/" + ModelFile.parametersName
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    #expect(throws: (any Error).self) { try TabularModels.load(from: otDirectory) }
    // Rows of the wrong width are a typed error.
    #expect(throws: DataError.self) { try loaded.predictProbabilities(Matrix(rows: 2, columns: 3)) }
  }

  @Test("A transformer with a transport anchor trains, saves and loads with its anchor", arguments: [AttentionAnchor.sparsemax, .sinkhorn(SinkhornAnchorSettings(iterations: 3))])
  func anchoredTransformer(anchor: AttentionAnchor) throws {
    let (train, test) = ClassGaussians.study(classes: 2, separation: 3).simulate(instances: 20, tokens: 6, seed: 3).alternatingSplit()
    var settings = TransformerSettings.study
    settings.epochs = 8
    settings.heads = 2
    settings.anchor = anchor
    let model = TabularTransformer(settings: settings)
    try model.fit(train)
    #expect(model.network?.blocks[0].attention.anchor == anchor)
    let directory = temporaryDirectory("anchored-\(anchor.name)")
    try model.save(to: directory)
    let loaded = try TabularTransformer.load(from: directory)
    #expect(loaded.settings.anchor == anchor)
    let rows = test.points.reshaped(rows: test.instances, columns: test.tokens * test.dimension)
    #expect(try loaded.predictProbabilities(rows) == (try model.predictProbabilities(test)))
  }

  @Test("BEED, 80/20 stratified, seed 0: OT classifier accuracy thresholds", beedPresent, heavy, arguments: [(2, 0.995), (3, 0.97), (4, 0.95)])
  func heavyBEEDOT(classes: Int, threshold: Double) throws {
    let table = try CSV.read(beedPath!, options: CSVReadOptions(label: .name("y")))
    let (train, test) = try LabeledData(table: table, file: beedPath!, classes: classes).split(testFraction: 0.2, seed: 0)
    let model = OTClassifier()
    try model.fit(try SequenceData(train))
    let accuracy = try model.evaluate(try SequenceData(test)).accuracy
    #expect(accuracy >= threshold, "\(classes) classes: \(accuracy)")
  }

  @Test("BEED, 80/20 stratified, seed 0: transformer accuracy thresholds (the default settings, the study's BEED ones)", beedPresent, heavy, arguments: [(2, 0.99), (4, 0.93)])
  func heavyBEEDTransformer(classes: Int, threshold: Double) throws {
    let table = try CSV.read(beedPath!, options: CSVReadOptions(label: .name("y")))
    let (train, test) = try LabeledData(table: table, file: beedPath!, classes: classes).split(testFraction: 0.2, seed: 0)
    let model = TabularTransformer(settings: TransformerSettings())
    try model.fit(try SequenceData(train))
    let accuracy = try model.evaluate(try SequenceData(test)).accuracy
    #expect(accuracy >= threshold, "\(classes) classes: \(accuracy)")
  }
}
