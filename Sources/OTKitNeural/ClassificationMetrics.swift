import OTKitAutograd
import OTKitCore

/// Accuracy, recall per class and the confusion matrix of integer predictions.
///
/// - Complexity: `O(count + classes^2)`.
public struct ClassificationMetrics: Sendable, Equatable, Codable {
  /// `confusion[true][predicted]`: how many of class `true` were predicted as `predicted`.
  public var confusion: [[Int]]

  public init(predicted: [Int], labels: [Int], classes: Int) {
    precondition(predicted.count == labels.count, "\(predicted.count) predictions for \(labels.count) labels")
    var confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    for (p, y) in zip(predicted, labels) {
      precondition(p >= 0 && p < classes && y >= 0 && y < classes, "Class outside 0..<\(classes)")
      confusion[y][p] += 1
    }
    self.confusion = confusion
  }

  public var classes: Int { confusion.count }
  public var count: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

  /// The fraction predicted correctly (0 when there is nothing to predict).
  public var accuracy: Double {
    let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
    return count > 0 ? Double(correct) / Double(count) : 0
  }

  /// Per class, the fraction of its members predicted as it, or nil for a class with no
  /// members here (its recall is undefined, not 0).
  public var definedRecall: [Double?] {
    (0..<classes).map { c in
      let total = confusion[c].reduce(0, +)
      return total > 0 ? Double(confusion[c][c]) / Double(total) : nil
    }
  }

  /// Per class, the fraction of its members predicted as it (NaN-free: 0 for an absent
  /// class; ``definedRecall`` tells an absent class from a recall of 0).
  public var recall: [Double] {
    (0..<classes).map { c in
      let total = confusion[c].reduce(0, +)
      return total > 0 ? Double(confusion[c][c]) / Double(total) : 0
    }
  }

  /// Per class, the fraction of predictions of it that are right (0 when never predicted).
  public var precision: [Double] {
    (0..<classes).map { c in
      let total = (0..<classes).reduce(0) { $0 + confusion[$1][c] }
      return total > 0 ? Double(confusion[c][c]) / Double(total) : 0
    }
  }
}

/// The index of the largest value of each row (the first on ties).
public func argmaxRows(_ m: Matrix<Double>) -> [Int] {
  (0..<m.rows).map { i in
    var best = 0
    for j in 1..<max(m.columns, 1) where m[i, j] > m[i, best] { best = j }
    return best
  }
}
