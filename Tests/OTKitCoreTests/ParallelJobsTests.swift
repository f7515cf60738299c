import Foundation
import OTKitCore
import Testing

@Suite("Independent jobs on the workers")
struct ParallelJobsTests {
  struct Failure: Error, Equatable { var job: Int }

  @Test("Results come back in job order, each job sees one thread, and equal a run one after the other", arguments: [1, 2, 4])
  func order(threads: Int) throws {
    let results = try Parallel.withThreads(threads) {
      try Parallel.independentJobs(9) { i -> [Double] in
        var g = SeededGenerator(seed: UInt64(i))
        let x: Matrix<Double> = g.normalMatrix(rows: 40, columns: 30)
        return [Double(i), Double(Parallel.threads), Matrix.product(x, x, transposeB: true).elements.reduce(0, +)]
      }
    }
    #expect(results.map { Int($0[0]) } == Array(0..<9) && results.allSatisfy { $0[1] == 1 })
    let sequential = (0..<9).map { i -> Double in
      var g = SeededGenerator(seed: UInt64(i))
      let x: Matrix<Double> = g.normalMatrix(rows: 40, columns: 30)
      return Parallel.withThreads(1) { Matrix.product(x, x, transposeB: true).elements.reduce(0, +) }
    }
    #expect(results.map { $0[2] } == sequential)
  }

  @Test("The first failing job in job order is the one thrown")
  func failure() {
    #expect(throws: Failure(job: 3)) {
      try Parallel.withThreads(2) {
        try Parallel.independentJobs(8) { i -> Int in
          if i == 3 || i == 6 { throw Failure(job: i) }
          return i
        }
      }
    }
    #expect((try? Parallel.independentJobs(0) { $0 }) == [])
  }
}
