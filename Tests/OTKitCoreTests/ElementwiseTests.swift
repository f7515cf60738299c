import Foundation
import Testing
@testable import OTKitCore

@Suite("Element-wise kernels and reductions")
struct ElementwiseTests {
  @Test("Vectorized exp is within 2 ulp of libm", arguments: [-745.0, -708.5, -300.0, -20.0, -1.0, 0.0, 1.0, 20.0, 300.0, 709.0])
  func expAccuracy(center: Double) {
    var rng = SeededGenerator(seed: UInt64(bitPattern: Int64(center)))
    let x = (0..<1001).map { _ in center + rng.uniform() - 0.5 }
    let y = Kernels.exp(x)
    for (xi, yi) in zip(x, y) {
      let expected = Foundation.exp(xi)
      if expected < Double.leastNormalMagnitude {
        #expect(abs(yi - expected) <= 2 * Double.leastNonzeroMagnitude)
      } else {
        #expect(abs(yi - expected) <= 2 * expected.ulp, "exp(\(xi)) = \(yi), libm \(expected)")
      }
    }
  }

  @Test("exp at the edges")
  func expEdges() {
    let y = Kernels.exp([-Double.infinity, .infinity, .nan, 710, -746, 0, -0.0])
    #expect(y[0] == 0)
    #expect(y[1] == .infinity)
    #expect(y[2].isNaN)
    #expect(y[3] == .infinity)
    #expect(y[4] == 0)
    #expect(y[5] == 1 && y[6] == 1)
    let f = Kernels.exp([-Float.infinity, .infinity, .nan, 89, -105, 0])
    #expect(f[0] == 0 && f[1] == .infinity && f[2].isNaN && f[3] == .infinity && f[4] == 0 && f[5] == 1)
  }

  @Test("Float exp is within 2 ulp of libm")
  func floatExp() {
    var rng = SeededGenerator(seed: 2)
    let x = (0..<5000).map { _ in Float(rng.uniform() * 180 - 95) }
    let y = Kernels.exp(x)
    for (xi, yi) in zip(x, y) {
      let expected = Foundation.exp(xi)
      if expected < Float.leastNormalMagnitude {
        #expect(abs(yi - expected) <= 2 * Float.leastNonzeroMagnitude)
      } else {
        #expect(abs(yi - expected) <= 2 * expected.ulp, "expf(\(xi))")
      }
    }
  }

  @Test("The AVX kernels give the portable exponentials bit for bit, and the same sums and softmax", arguments: [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1027])
  func vectorKernels(count: Int) {
    var rng = SeededGenerator(seed: UInt64(count))
    let specials: [Double] = [-.infinity, .infinity, .nan, 710, -746, 709.9, -745.2, 0, -0.0, -104.5, 88.9]
    let x = (0..<count).map { i in i < specials.count && count > 20 ? specials[i] : rng.uniform() * 1500 - 750 }
    let xf = x.map(Float.init)
    var native = [Double](repeating: 0, count: count), portable = native
    var nativeF = [Float](repeating: 0, count: count), portableF = nativeF
    x.withUnsafeBufferPointer { xp in
      let base = xp.baseAddress ?? UnsafePointer(bitPattern: 8)!
      VectorExp.dispatchedExp(base, &native, count: count)
      VectorExp.exp(base, &portable, count: count)
    }
    xf.withUnsafeBufferPointer { xp in
      let base = xp.baseAddress ?? UnsafePointer(bitPattern: 8)!
      VectorExp.dispatchedExp(base, &nativeF, count: count)
      VectorExp.exp(base, &portableF, count: count)
    }
    #expect(zip(native, portable).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    #expect(zip(nativeF, portableF).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    // Sums and softmax on finite scores of moderate range.
    let s = (0..<count).map { _ in rng.uniform() * 40 - 20 }
    let sf = s.map(Float.init)
    let (sumNative, sumPortable) = s.withUnsafeBufferPointer { p in
      let base = p.baseAddress ?? UnsafePointer(bitPattern: 8)!
      return (VectorExp.dispatchedSumExp(base, count: count, shift: 3), VectorExp.sumExp(base, count: count, shift: 3))
    }
    #expect(abs(sumNative - sumPortable) <= 1e-14 * sumPortable)
    let (sumNativeF, sumPortableF) = sf.withUnsafeBufferPointer { p in
      let base = p.baseAddress ?? UnsafePointer(bitPattern: 8)!
      return (VectorExp.dispatchedSumExp(base, count: count, shift: 3), VectorExp.sumExp(base, count: count, shift: 3))
    }
    #expect(abs(sumNativeF - sumPortableF) <= 1e-5 * sumPortableF)
    var rowNative = s, rowPortable = s
    var rowNativeF = sf, rowPortableF = sf
    VectorExp.dispatchedSoftmax(&rowNative, count: count)
    VectorExp.softmax(&rowPortable, count: count, lanes: SIMD4<Double>.self, exp: VectorExp.exp)
    VectorExp.dispatchedSoftmax(&rowNativeF, count: count)
    VectorExp.softmax(&rowPortableF, count: count, lanes: SIMD8<Float>.self, exp: VectorExp.expNonPositive)
    #expect(zip(rowNative, rowPortable).allSatisfy { abs($0 - $1) <= 1e-14 * $1 })
    #expect(zip(rowNativeF, rowPortableF).allSatisfy { abs($0 - $1) <= 1e-5 * $1 })
    if count > 0 { #expect(abs(rowNative.reduce(0, +) - 1) < 1e-13) }
  }

  @Test("Broadcasting arithmetic matches the element-wise definition")
  func broadcasting() {
    var rng = SeededGenerator(seed: 4)
    let a: Matrix<Double> = rng.normalMatrix(rows: 5, columns: 7)
    let row: Matrix<Double> = rng.normalMatrix(rows: 1, columns: 7)
    let column: Matrix<Double> = rng.normalMatrix(rows: 5, columns: 1)
    let scalar = Matrix<Double>(rows: 1, columns: 1, repeating: 3)
    let sum = a + row
    let difference = a - column
    let product = column * row  // outer product by broadcasting both
    let quotient = a / scalar
    for i in 0..<5 {
      for j in 0..<7 {
        #expect(sum[i, j] == a[i, j] + row[0, j])
        #expect(difference[i, j] == a[i, j] - column[i, 0])
        #expect(product[i, j] == column[i, 0] * row[0, j])
        #expect(quotient[i, j] == a[i, j] / 3)
      }
    }
    #expect((a * 2 - a).isApproximatelyEqual(to: a))
    #expect((-a + a) == Matrix(rows: 5, columns: 7))
    var b = a
    b += row
    #expect(b == sum)
    #expect(Matrix<Double>.broadcastShape((5, 7), (5, 6)) == nil)
    #expect(Matrix<Double>.broadcastShape((1, 7), (5, 1))! == (5, 7))
  }

  @Test("Reductions agree with the naive loops", arguments: [(0, 0), (0, 4), (4, 0), (1, 1), (3, 5), (97, 31), (1200, 40)])
  func reductions(shape: (Int, Int)) {
    let (m, n) = shape
    var rng = SeededGenerator(seed: 6)
    let a: Matrix<Double> = rng.normalMatrix(rows: m, columns: n)
    let rowSums = a.rowSums(), columnSums = a.columnSums()
    let rowMax = a.rowMaxima(), columnMax = a.columnMaxima()
    let rowMin = a.rowMinima(), columnMin = a.columnMinima()
    for i in 0..<m {
      let row = a.row(i)
      #expect(isClose(rowSums[i], row.reduce(0, +)))
      #expect(rowMax[i] == (row.max() ?? -.infinity))
      #expect(rowMin[i] == (row.min() ?? .infinity))
      #expect(isClose(a.rowMeans()[i], row.isEmpty ? .nan : row.reduce(0, +) / Double(n)) || n == 0)
    }
    for j in 0..<n {
      let column = a.column(j)
      #expect(isClose(columnSums[j], column.reduce(0, +)))
      #expect(columnMax[j] == (column.max() ?? -.infinity))
      #expect(columnMin[j] == (column.min() ?? .infinity))
    }
    #expect(isClose(a.sum(), a.elements.reduce(0, +)))
    #expect(a.max() == (a.elements.max() ?? -.infinity))
    #expect(a.min() == (a.elements.min() ?? .infinity))
    if m * n > 0 { #expect(isClose(a.mean(), a.elements.reduce(0, +) / Double(m * n))) }
  }

  @Test("A NaN makes its row's and column's maximum NaN")
  func nanReductions() {
    let a = Matrix<Double>([[1, .nan], [3, 4]])
    #expect(a.rowMaxima()[0].isNaN && a.rowMaxima()[1] == 4)
    #expect(a.columnMaxima()[0] == 3 && a.columnMaxima()[1].isNaN)
    #expect(a.rowMinima()[0].isNaN && a.columnMinima()[1].isNaN)
  }

  @Test("Squared distances agree with the direct form and are never negative", arguments: [(0, 3, 2), (1, 1, 1), (5, 7, 3), (130, 41, 16), (33, 33, 0)])
  func distances(shape: (Int, Int, Int)) {
    let (n, m, d) = shape
    var rng = SeededGenerator(seed: 10)
    let x: Matrix<Double> = rng.normalMatrix(rows: n, columns: d)
    let y: Matrix<Double> = rng.normalMatrix(rows: m, columns: d)
    for backend in availableBackends {
      let dist = withBackend(backend) { Matrix.squaredDistances(x, y) }
      let expected = Reference.squaredDistances(x, y)
      #expect(dist.rows == n && dist.columns == m)
      #expect(dist.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-12, relativeTolerance: 1e-12))
      #expect(dist.elements.allSatisfy { $0 >= 0 })
    }
    // A point's distance to itself is clamped to zero, not a tiny negative.
    let self_ = Matrix.squaredDistances(x, x)
    for i in 0..<n { #expect(self_[i, i] >= 0 && self_[i, i] < 1e-12) }
  }

  @Test("Transpose, slices and gathers")
  func slicing() {
    var rng = SeededGenerator(seed: 1)
    for (m, n) in [(0, 0), (1, 5), (5, 1), (33, 70), (64, 64)] {
      let a: Matrix<Double> = rng.normalMatrix(rows: m, columns: n)
      let t = a.transposed()
      #expect(t == Reference.transpose(a))
      #expect(t.transposed() == a)
    }
    let a = Matrix<Double>(rows: 4, columns: 3) { i, j in Double(10 * i + j) }
    #expect(a.row(2) == [20, 21, 22])
    #expect(a.column(1) == [1, 11, 21, 31])
    #expect(a.rows(1..<3) == Matrix([[10, 11, 12], [20, 21, 22]]))
    #expect(a.columns(1..<3) == Matrix([[1, 2], [11, 12], [21, 22], [31, 32]]))
    #expect(a.rows(at: [3, 0, 3]) == Matrix([[30, 31, 32], [0, 1, 2], [30, 31, 32]]))
    #expect(a.columns(at: [2, 0]) == Matrix([[2, 0], [12, 10], [22, 20], [32, 30]]))
    #expect(a.rows(0..<1).appendingRows(a.rows(3..<4)) == a.rows(at: [0, 3]))
    #expect(a.reshaped(rows: 3, columns: 4).elements == a.elements)
    #expect(Matrix<Double>.identity(2) == Matrix([[1, 0], [0, 1]]))
    #expect(Matrix<Float>(a)[3, 2] == 32)
  }

  @Test("Parallel ranges cover every index exactly once", arguments: [0, 1, 7, 1000, 100_003])
  func parallelCoverage(count: Int) {
    var hits = [Int](repeating: 0, count: count)
    hits.withUnsafeMutableBufferPointer { p in
      Parallel.forEachRange(count: count, cost: 1) { range in
        for i in range { p[i] += 1 }
      }
    }
    #expect(hits.allSatisfy { $0 == 1 })
    let ranges = Parallel.workerRanges(count: count, cost: 100)
    #expect(ranges.reduce(0) { $0 + $1.count } == count)
    #expect(ranges.allSatisfy { !$0.isEmpty })
  }
}
