import Foundation
import Testing

@testable import OTKitCore

/// The thin SVD by one-sided Jacobi: reconstruction, orthonormal factors, a known rank,
/// known singular values.
@Suite("Singular value decomposition")
struct SVDTests {
  static func maxAbs(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.elements, b.elements).map { abs($0 - $1) }.max() ?? 0
  }

  @Test("Reconstructs to 1e-12 with orthonormal factors and descending values",
        arguments: [(1, 1), (5, 3), (3, 5), (16, 16), (40, 7), (7, 40), (64, 64)])
  func reconstruction(shape: (Int, Int)) {
    var g = SeededGenerator(seed: UInt64(shape.0 * 100 + shape.1))
    let a: Matrix<Double> = g.normalMatrix(rows: shape.0, columns: shape.1)
    let svd = a.singularValueDecomposition()
    let k = min(shape.0, shape.1)
    #expect(svd.values.count == k && svd.u.shape == (shape.0, k) && svd.v.shape == (shape.1, k))
    #expect(Self.maxAbs(svd.reconstruction(), a) < 1e-12)
    #expect(zip(svd.values, svd.values.dropFirst()).allSatisfy { $0 >= $1 } && svd.values.allSatisfy { $0 >= 0 })
    let uu = Matrix.product(svd.u, svd.u, transposeA: true), vv = Matrix.product(svd.v, svd.v, transposeA: true)
    #expect(Self.maxAbs(uu, .identity(k)) < 1e-12)
    #expect(Self.maxAbs(vv, .identity(k)) < 1e-12)
  }

  @Test("A product of rank r has r singular values and a truncation residual at round-off")
  func rank() {
    var g = SeededGenerator(seed: 3)
    let (left, right): (Matrix<Double>, Matrix<Double>) = (g.normalMatrix(rows: 30, columns: 4), g.normalMatrix(rows: 20, columns: 4))
    let a = Matrix.product(left, right, transposeB: true)
    let svd = a.singularValueDecomposition()
    #expect(svd.numericalRank() == 4)
    #expect(svd.truncationResidual(rank: 4) < 1e-13)
    #expect(svd.truncationResidual(rank: 3) > 1e-3)
    #expect(Self.maxAbs(svd.reconstruction(rank: 4), a) < 1e-12)
    #expect(svd.effectiveRank > 1 && svd.effectiveRank < 4 + 1e-9)
  }

  @Test("Known values: a diagonal's magnitudes, sorted; a rank-one matrix; the zero matrix")
  func known() {
    let d = Matrix<Double>([[0, 0, 0], [0, -3, 0], [0, 0, 2], [0, 0, 0]])
    let svd = d.singularValueDecomposition()
    #expect(svd.values == [3, 2, 0])
    #expect(svd.numericalRank() == 2)
    #expect(Self.maxAbs(svd.reconstruction(), d) == 0)
    let one = Matrix<Double>(rows: 5, columns: 4) { i, j in Double(i + 1) * Double(j - 2) }
    let r1 = one.singularValueDecomposition()
    #expect(abs(r1.effectiveRank - 1) < 1e-12 && abs(r1.stableRank - 1) < 1e-12)
    let expected = (55.0 * 6.0).squareRoot()  // |(1..5)| |(-2, -1, 0, 1)|
    #expect(abs(r1.values[0] - expected) < 1e-12 * expected)
    let zero = Matrix<Double>(rows: 3, columns: 2).singularValueDecomposition()
    #expect(zero.values == [0, 0] && zero.effectiveRank == 0 && zero.stableRank == 0 && zero.truncationResidual(rank: 0) == 0)
  }

  @Test("Equal singular values: an orthogonal matrix times 2 has effective rank n")
  func orthogonal() {
    var g = SeededGenerator(seed: 9)
    let (q, _) = (g.normalMatrix(rows: 6, columns: 6) as Matrix<Double>).qrDecomposition()
    let svd = (q * 2).singularValueDecomposition()
    #expect(svd.values.allSatisfy { abs($0 - 2) < 1e-13 })
    #expect(abs(svd.effectiveRank - 6) < 1e-10 && abs(svd.stableRank - 6) < 1e-10)
  }

  @Test("Tiny singular values: the ranks stay finite when squares underflow")
  func tiny() {
    let a = Matrix<Double>([[1e-170, 0], [0, 3e-171]])
    let svd = a.singularValueDecomposition()
    #expect(svd.effectiveRank.isFinite && svd.effectiveRank > 1 && svd.effectiveRank < 2)
    #expect(abs(svd.stableRank - (1 + 0.09)) < 1e-12)
    #expect(abs(svd.truncationResidual(rank: 1) - (0.09 / 1.09).squareRoot()) < 1e-12)
  }
}
