import OTKitCore
import Testing

@Suite("Sample statistics")
struct SampleStatisticsTests {
  @Test("Mean, deviation (n - 1), standard error and interval of a sample")
  func sample() {
    let s = SampleStatistics([1, 2, 3, 4])
    #expect(s.count == 4 && s.mean == 2.5)
    #expect(abs(s.variance - 5.0 / 3) < 1e-15 && abs(s.deviation - (5.0 / 3).squareRoot()) < 1e-15)
    #expect(abs(s.standardError - (5.0 / 12).squareRoot()) < 1e-15)
    #expect(abs(s.interval(z: 1.96).upperBound - (2.5 + 1.96 * (5.0 / 12).squareRoot())) < 1e-15)
  }

  @Test("One convention: non-finite values left out, no spread for one value, NaN mean for none")
  func convention() {
    let one = SampleStatistics([2, .nan, .infinity])
    #expect(one.count == 1 && one.mean == 2 && one.deviation == 0 && one.standardError == 0)
    let none = SampleStatistics([.nan])
    #expect(none.count == 0 && none.mean.isNaN && none.deviation == 0)
  }
}
