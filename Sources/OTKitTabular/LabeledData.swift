import Foundation
import OTKitCore
import OTKitData

/// Rows of features with integer class labels `0..<classes`, and the text of each class.
public struct LabeledData: Sendable, Equatable {
  public var features: Matrix<Double>
  /// One class index per row.
  public var labels: [Int]
  /// The label text of each class index, in sorted order.
  public var classLabels: [String]
  public var featureNames: [String]
  public var labelName: String?

  public init(features: Matrix<Double>, labels: [Int], classLabels: [String], featureNames: [String], labelName: String? = nil) {
    precondition(features.rows == labels.count, "\(labels.count) labels for \(features.rows) rows")
    self.features = features
    self.labels = labels
    self.classLabels = classLabels
    self.featureNames = featureNames
    self.labelName = labelName
  }

  /// The labelled rows of a CSV table; class indices follow the sorted label texts
  /// (numerically when every label is a number).
  ///
  /// - Parameters:
  ///   - classes: keep only the rows whose label is one of the first `classes` labels in
  ///     sorted order (the study's k-class tasks).
  /// - Throws: `DataError` when the table has no label column, fewer than two classes, or
  ///   fewer than `classes` labels.
  public init(table: CSVTable, file: String, classes: Int? = nil) throws {
    guard let labels = table.labels else {
      throw DataError(.noLabelColumn, file: file)
    }
    let sorted = Self.sortedLabels(Set(labels))
    if let classes {
      guard classes >= 2 else { throw DataError(.classCount(requested: classes, available: sorted), file: file) }
      guard classes <= sorted.count else {
        throw DataError(.classCount(requested: classes, available: sorted), file: file)
      }
    }
    let kept = Array(sorted.prefix(classes ?? sorted.count))
    guard kept.count >= 2 else {
      throw DataError(.invalid("has only one class (\(kept.first ?? "")) in its label column \(table.labelName ?? "")"), file: file)
    }
    let index = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
    var rows: [Int] = []
    var y: [Int] = []
    for (i, label) in labels.enumerated() {
      if let c = index[label] {
        rows.append(i)
        y.append(c)
      }
    }
    self.init(
      features: rows.count == table.rowCount ? table.features : table.features.rows(at: rows), labels: y,
      classLabels: kept, featureNames: table.featureNames, labelName: table.labelName)
  }

  /// Label texts sorted numerically when all are numbers, else lexicographically.
  public static func sortedLabels(_ labels: Set<String>) -> [String] {
    let numbers = labels.map { Double($0.trimmingCharacters(in: .whitespaces)) }
    if numbers.allSatisfy({ $0 != nil }) {
      return labels.sorted { (Double($0.trimmingCharacters(in: .whitespaces))!, $0) < (Double($1.trimmingCharacters(in: .whitespaces))!, $1) }
    }
    return labels.sorted()
  }

  public var count: Int { labels.count }
  public var classCount: Int { classLabels.count }

  /// The rows at `indices`.
  public func subset(_ indices: [Int]) -> LabeledData {
    LabeledData(
      features: features.rows(at: indices), labels: indices.map { labels[$0] }, classLabels: classLabels,
      featureNames: featureNames, labelName: labelName)
  }

  /// A stratified split into training and test parts.
  public func split(testFraction: Double, seed: UInt64) -> (train: LabeledData, test: LabeledData) {
    var generator = SeededGenerator(seed: seed)
    let split = StratifiedSplit(labels: labels, testFraction: testFraction, generator: &generator)
    return (subset(split.train), subset(split.test))
  }
}
