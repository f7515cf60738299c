import Foundation
import OTKitCore
import OTKitData
import Testing

@testable import OTKitTabular

@Suite("Tabular models: one fit, evaluate and record path")
struct TabularModelTests {
  static func data() -> (LabeledData, LabeledData) {
    var rng = SeededGenerator(seed: 9)
    var x = Matrix<Double>(rows: 80, columns: 4)
    var labels: [Int] = []
    for i in 0..<80 {
      let c = i % 2
      labels.append(c)
      for j in 0..<4 { x[i, j] = (c == 0 ? -2 : 2) + rng.normal() * 0.5 }
    }
    let data = LabeledData(features: x, labels: labels, classLabels: ["a", "b"], featureNames: ["w", "x", "y", "z"])
    return data.split(testFraction: 0.25, seed: 0)
  }

  @Test("Every kind fits, evaluates both parts, names itself and hands back its classifier", arguments: ["mlp", "ot", "transformer", "pretrained"])
  func everyKind(name: String) throws {
    let (train, test) = Self.data()
    var transformer = TransformerSettings.study
    transformer.epochs = 60
    transformer.pretrainEpochs = 20
    var ot = OTClassifierSettings()
    ot.epochs = 8
    var mlp = MLPSettings()
    mlp.epochs = 8
    let model: TabularModel =
      switch name {
      case "mlp": .mlp(mlp)
      case "ot": .ot(ot)
      case "pretrained": .pretrained(transformer)
      default: .transformer(transformer)
      }
    #expect(model.name == name)
    let (sTrain, sTest) = (try SequenceData(train, tokenDimension: 2), try SequenceData(test, tokenDimension: 2))
    let outcome = try model.seeded(3).fit(
      train: train, sequenceTrain: name == "mlp" ? try SequenceData(train) : sTrain,
      sequenceTest: name == "mlp" ? try SequenceData(test) : sTest, trace: name == "transformer")
    #expect(outcome.model == name)
    #expect(outcome.test.accuracy >= 0.9 && outcome.train.accuracy >= 0.9)
    #expect(outcome.classifier?.configuration?.model == name)
    #expect((outcome.metrics != nil) == (name == "transformer"))
    #expect(!outcome.description.isEmpty)
  }

  @Test("The MLP needs the table rows")
  func mlpNeedsRows() throws {
    let (train, test) = Self.data()
    #expect(throws: TabularModelError.self) {
      try TabularModel.mlp(MLPSettings()).fit(sequenceTrain: try SequenceData(train), sequenceTest: try SequenceData(test))
    }
  }

  @Test("The defaults are the tuned settings; the study's are one property away")
  func transformerDefaults() {
    let defaults = TransformerSettings(), study = TransformerSettings.study
    #expect(defaults.batchSize == 64 && defaults.feedForward == 64 && defaults.headUnits == 16)
    #expect(defaults.headDropout == 0.1 && defaults.validationFraction == 0.1)
    #expect(study.batchSize == nil && study.feedForward == 32 && study.headUnits == 8)
    #expect(study.headDropout == 0.4 && study.validationFraction == 0)
    #expect(defaults.heads == study.heads && defaults.normPlacement == study.normPlacement && defaults.learningRate == study.learningRate)
  }

  @Test("Predictions: counts, accuracy against labels (numbers match numerically) and the CSV")
  func predictions() {
    let p = Predictions(classLabels: ["1", "2"], probabilities: Matrix(rows: 3, columns: 2, elements: [0.9, 0.1, 0.2, 0.8, 0.6, 0.4]))
    #expect(p.predicted == [0, 1, 0] && p.counts == [2, 1])
    #expect(p.accuracy(against: ["1.0", "2", "2"]) == 2.0 / 3.0)
    #expect(p.accuracy(against: []) == nil)
    #expect(p.csv == "predicted,p_1,p_2\n1,0.9,0.1\n2,0.2,0.8\n1,0.6,0.4\n")
  }
}
