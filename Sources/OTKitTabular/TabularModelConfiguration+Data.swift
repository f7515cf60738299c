import OTKitCore
import OTKitData

extension TabularModelConfiguration {
  /// The data of a CSV file for this model: the label column (`label`, else the model's own
  /// when the file's header has it) and the model's features, picked by name from a header
  /// (or, without one, the file's columns when there are exactly as many).
  ///
  /// - Throws: `DataError` for a file that cannot be read; ``TabularModelError`` naming the
  ///   file for a feature it lacks or a column count that does not fit.
  /// - Complexity: O(size of the file).
  public func read(_ path: String, label: String?) throws -> (features: Matrix<Double>, labels: [String]?) {
    let table: CSVTable
    if let label {
      table = try CSV.read(path, options: CSVReadOptions(label: .init(parsing: label)))
    } else if let labelName {
      do {
        table = try CSV.read(path, options: CSVReadOptions(label: .name(labelName)))
      } catch let error as DataError {
        guard case .unknownLabelColumn = error.kind else { throw error }
        table = try CSV.read(path)
      }
    } else {
      table = try CSV.read(path)
    }
    guard table.hadHeader else {
      guard table.features.columns == featureNames.count else {
        throw TabularModelError("\(path): has \(table.features.columns) feature columns, the model needs \(featureNames.count)")
      }
      return (table.features, table.labels)
    }
    let columns = try featureNames.map { name in
      guard let index = table.featureNames.firstIndex(of: name) else {
        throw TabularModelError("\(path): has no column \"\(name)\", a feature of the model (its features: \(featureNames.joined(separator: ", ")))")
      }
      return index
    }
    return (columns == Array(0..<table.features.columns) ? table.features : table.features.columns(at: columns), table.labels)
  }
}

extension TabularClassifier {
  /// The predictions of the rows of `features` (raw, as read), checked: a row whose values
  /// take the model beyond `Double` (1e300 where it was trained on units) has no
  /// probabilities, and is an error naming the row, never NaN in the output.
  ///
  /// - Throws: ``TabularModelError`` naming `file` and the row; an unfitted model's error.
  public func predictions(_ features: Matrix<Double>, file: String) throws -> Predictions {
    guard let configuration else { throw TabularModelError("the model is not fitted") }
    let probabilities = try predictProbabilities(features)
    for i in 0..<probabilities.rows where !(0..<probabilities.columns).allSatisfy({ probabilities[i, $0].isFinite }) {
      let largest = (0..<features.columns).map { abs(features[i, $0]) }.max() ?? 0
      throw TabularModelError("\(file): data row \(i + 1): the model's probabilities overflow for this row (its largest value is \(largest)); such values are outside what the model can represent")
    }
    return Predictions(classLabels: configuration.classLabels, probabilities: probabilities)
  }
}
