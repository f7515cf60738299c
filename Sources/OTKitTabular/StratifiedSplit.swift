import OTKitCore

/// A stratified train/test split: each class keeps its share in both parts.
public struct StratifiedSplit: Sendable, Equatable {
  /// Indices of the training rows, ascending.
  public var train: [Int]
  /// Indices of the test rows, ascending.
  public var test: [Int]

  /// Splits the rows with the given labels so that each class sends
  /// `round(testFraction * classCount)` of its rows, chosen at random, to the test part
  /// (at least one when the class has two or more rows and `testFraction > 0`, and never
  /// all of them).
  ///
  /// - Complexity: `O(n log n)`.
  @inlinable
  public init<Label: Hashable & Comparable>(
    labels: [Label], testFraction: Double, generator: inout SeededGenerator
  ) {
    precondition(testFraction >= 0 && testFraction < 1, "testFraction must lie in [0, 1)")
    var byClass: [Label: [Int]] = [:]
    for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
    var train: [Int] = []
    var test: [Int] = []
    for label in byClass.keys.sorted() {
      var members = byClass[label]!
      generator.shuffle(&members)
      var count = Int((testFraction * Double(members.count)).rounded())
      if testFraction > 0 && members.count >= 2 { count = Swift.max(count, 1) }
      count = Swift.min(count, members.count - 1)
      count = Swift.max(count, 0)
      test.append(contentsOf: members[0..<count])
      train.append(contentsOf: members[count...])
    }
    self.train = train.sorted()
    self.test = test.sorted()
  }
}
