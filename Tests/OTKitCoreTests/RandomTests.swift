import Foundation
import Testing
@testable import OTKitCore

@Suite("Seeded random numbers")
struct RandomTests {
  @Test("The stream is fixed by the seed, on every platform")
  func goldenStream() {
    // xoshiro256** seeded by SplitMix64 from 0: the first outputs are part of the
    // reproducibility promise; a change here changes every seeded result users have.
    var rng = SeededGenerator(seed: 0)
    let first = (0..<3).map { _ in rng.next() }
    var again = SeededGenerator(seed: 0)
    #expect((0..<3).map { _ in again.next() } == first)
    var other = SeededGenerator(seed: 1)
    #expect(other.next() != first[0])
    // SplitMix64(0) state words and the xoshiro256** output formula, computed independently.
    var x: UInt64 = 0
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    _ = splitMix()
    let s1 = splitMix()
    let rotated = ((s1 &* 5) << 7) | ((s1 &* 5) >> 57)
    #expect(first[0] == rotated &* 9)
  }

  @Test("Uniform and normal samples have the right moments")
  func moments() {
    var rng = SeededGenerator(seed: 123)
    let n = 200_000
    let u = (0..<n).map { _ in rng.uniform() }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
    let uMean = u.reduce(0, +) / Double(n)
    #expect(abs(uMean - 0.5) < 0.005)
    let z = (0..<n).map { _ in rng.normal() }
    let mean = z.reduce(0, +) / Double(n)
    let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    #expect(abs(mean) < 0.01)
    #expect(abs(variance - 1) < 0.01)
    let within1 = Double(z.filter { abs($0) < 1 }.count) / Double(n)
    #expect(abs(within1 - 0.6827) < 0.005)
  }

  @Test("Bounded integers are unbiased and in range")
  func integers() {
    var rng = SeededGenerator(seed: 9)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 { counts[rng.integer(below: 7)] += 1 }
    #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
  }

  @Test("Permutations are permutations, and shuffles are seeded")
  func permutations() {
    var rng = SeededGenerator(seed: 5)
    for n in [0, 1, 2, 10, 1000] {
      let p = rng.permutation(n)
      #expect(p.sorted() == Array(0..<n))
    }
    var a = SeededGenerator(seed: 77), b = SeededGenerator(seed: 77)
    #expect(a.permutation(50) == b.permutation(50))
  }

  @Test("Multivariate normal samples have the requested mean and covariance")
  func multivariateNormal() throws {
    var rng = SeededGenerator(seed: 31)
    let covariance = Matrix<Double>([[2, 0.8, 0], [0.8, 1, -0.3], [0, -0.3, 0.5]])
    let mean = [1.0, -2.0, 0.5]
    let n = 100_000
    let x = try rng.multivariateNormal(mean: mean, covariance: covariance, count: n)
    let sampleMean = x.columnMeans()
    for j in 0..<3 { #expect(abs(sampleMean[j] - mean[j]) < 0.02) }
    let centered = x - Matrix(row: sampleMean)
    let sampleCovariance = centered.transposeMultiplied(by: centered) / Double(n - 1)
    #expect(sampleCovariance.isApproximatelyEqual(to: covariance, absoluteTolerance: 0.03, relativeTolerance: 0))
  }

  @Test("Degenerate and invalid covariances")
  func covarianceErrors() throws {
    var rng = SeededGenerator(seed: 1)
    // Rank one: x2 = x1. Semi-definite, so sampling works and the two coordinates agree.
    let singular = Matrix<Double>([[1, 1], [1, 1]])
    let x = try rng.multivariateNormal(mean: [0, 0], covariance: singular, count: 10)
    for i in 0..<10 { #expect(abs(x[i, 0] - x[i, 1]) < 1e-12) }
    #expect(throws: LinearAlgebraError.notPositiveSemiDefinite(column: 1)) {
      try rng.multivariateNormal(mean: [0, 0], covariance: Matrix([[1, 2], [2, 1]]), count: 1)
    }
    #expect(throws: LinearAlgebraError.notSymmetric(row: 1, column: 0)) {
      try rng.multivariateNormal(mean: [0, 0], covariance: Matrix([[1, 0], [0.5, 1]]), count: 1)
    }
    #expect(throws: LinearAlgebraError.self) {
      try rng.multivariateNormal(mean: [0, 0, 0], covariance: singular, count: 1)
    }
  }

  @Test("Cholesky factors reproduce the matrix")
  func cholesky() throws {
    var rng = SeededGenerator(seed: 4)
    let b: Matrix<Double> = rng.normalMatrix(rows: 12, columns: 12)
    let spd = b.multiplied(byTransposeOf: b) + Matrix.identity(12)
    let l = try spd.cholesky()
    #expect(l.multiplied(byTransposeOf: l).isApproximatelyEqual(to: spd, absoluteTolerance: 1e-12))
    for i in 0..<12 { for j in (i + 1)..<12 { #expect(l[i, j] == 0) } }
  }

  @Test("Deterministic log is within 1 ulp of libm")
  func deterministicLog() {
    var rng = SeededGenerator(seed: 17)
    for _ in 0..<20_000 {
      let x = Foundation.exp(rng.uniform() * 1400 - 700)
      let expected = Foundation.log(x)
      #expect(abs(DeterministicMath.log(x) - expected) <= expected.ulp)
    }
    for x in [1.0, 2.0, 0.5, 1e-300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude] {
      #expect(abs(DeterministicMath.log(x) - Foundation.log(x)) <= Foundation.log(x).ulp)
    }
    #expect(DeterministicMath.log(0) == -.infinity)
    #expect(DeterministicMath.log(-1).isNaN)
  }
}
