import OTKitCore
import OTKitTabular
import Testing

@Suite("Stratified splits")
struct StratifiedSplitTests {
  @Test("Stratified splits keep each class's share", arguments: [0.2, 0.25, 0.5])
  func stratified(fraction: Double) {
    let labels = Array(repeating: 0, count: 500) + Array(repeating: 1, count: 300) + Array(repeating: 2, count: 7)
    var rng = SeededGenerator(seed: 0)
    let split = StratifiedSplit(labels: labels, testFraction: fraction, generator: &rng)
    #expect(Set(split.train).isDisjoint(with: split.test))
    #expect((split.train + split.test).sorted() == Array(0..<labels.count))
    for (label, count) in [(0, 500), (1, 300), (2, 7)] {
      let inTest = split.test.filter { labels[$0] == label }.count
      #expect(inTest == Int((fraction * Double(count)).rounded()))
    }
    var again = SeededGenerator(seed: 0)
    #expect(StratifiedSplit(labels: labels, testFraction: fraction, generator: &again) == split)
  }
}
