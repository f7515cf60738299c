import Foundation

/// The data of `otkit train`: a labelled CSV file read, split into stratified training and
/// test parts, and laid out as instances of tokens.
public struct TrainingSplit {
  public var labelled: LabeledData
  public var train: LabeledData
  public var test: LabeledData
  public var sequenceTrain: SequenceData
  public var sequenceTest: SequenceData

  /// Reads `file` (its `label` column by name or 0-based index; `classes`: the rows of the
  /// first k labels), splits it (`testFraction`, `seed`) and makes tokens of
  /// `tokenDimension` columns (`nil`: one token per row).
  ///
  /// - Throws: `DataError` naming the file; ``TabularModelError`` when the rows are too few
  ///   to split.
  public init(
    file: String, label: String, dropInvalid: Bool = false, classes: Int? = nil, testFraction: Double, seed: UInt64, tokenDimension: Int?
  ) throws {
    let table = try CSV.read(file, options: CSVReadOptions(label: .init(parsing: label), dropInvalidRows: dropInvalid))
    labelled = try LabeledData(table: table, file: file, classes: classes)
    (train, test) = labelled.split(testFraction: testFraction, seed: seed)
    guard train.count > 0, test.count > 0 else {
      throw TabularModelError("\(file): \(labelled.count) rows are too few to split into training and test parts")
    }
    do {
      sequenceTrain = try SequenceData(train, tokenDimension: tokenDimension)
      sequenceTest = try SequenceData(test, tokenDimension: tokenDimension)
    } catch var error as DataError {
      error.file = file
      throw error
    }
  }

  /// Trains `model` on the training part and evaluates it on both parts; a model that cannot
  /// fit this data names the file.
  ///
  /// - Throws: ``TabularModelError`` naming the file, `MemoryError`, an error of training.
  public func fit(_ model: TabularModel, file: String, trace: Bool, showsProgress: Bool) throws -> TrainingOutcome {
    do {
      return try model.fit(train: train, sequenceTrain: sequenceTrain, sequenceTest: sequenceTest, trace: trace, showsProgress: showsProgress)
    } catch let error as TabularModelError {
      throw TabularModelError("\(file): \(error)")
    }
  }
}
