import Foundation
import OTKitCore
import OTKitNeural

/// A classifier's predictions for table rows: the class probabilities, the predicted
/// classes, and the CSV file `otkit predict --output` writes.
public struct Predictions: Sendable {
  /// The class labels, in the model's order.
  public let classLabels: [String]
  /// One row of class probabilities per data row.
  public let probabilities: Matrix<Double>
  /// The predicted class index of each row.
  public let predicted: [Int]

  public init(classLabels: [String], probabilities: Matrix<Double>) {
    precondition(probabilities.columns == classLabels.count, "one probability per class")
    self.classLabels = classLabels
    self.probabilities = probabilities
    self.predicted = argmaxRows(probabilities)
  }

  /// The rows predicted for each class.
  public var counts: [Int] {
    var counts = [Int](repeating: 0, count: classLabels.count)
    for p in predicted { counts[p] += 1 }
    return counts
  }

  /// The share of rows whose predicted label is the given one; labels match numerically
  /// when both are numbers (`"1"` and `"1.0"`). `nil` for no rows.
  public func accuracy(against labels: [String]) -> Double? {
    guard !labels.isEmpty else { return nil }
    func same(_ a: String, _ b: String) -> Bool {
      if let x = Double(a), let y = Double(b) { return x == y }
      return a == b
    }
    let right = zip(predicted, labels).filter { same(classLabels[$0], $1) }.count
    return Double(right) / Double(labels.count)
  }

  /// The CSV text: a header `predicted,p_<label>...`, then per row the predicted label and
  /// each class's probability.
  public var csv: String {
    var lines = ["predicted," + classLabels.map { "p_\($0)" }.joined(separator: ",")]
    lines.reserveCapacity(predicted.count + 1)
    for i in 0..<predicted.count {
      lines.append(classLabels[predicted[i]] + "," + (0..<classLabels.count).map { "\(probabilities[i, $0])" }.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes ``csv`` to a file (atomically: `AtomicFile`).
  ///
  /// - Throws: ``TabularModelError`` naming the file when it cannot be written.
  public func writeCSV(to path: String) throws {
    do {
      try AtomicFile.write(csv, to: path)
    } catch let error as AtomicFileError {
      throw TabularModelError(error.description)
    }
  }
}
