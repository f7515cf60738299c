import Testing
@testable import OTKitCore

@Suite("Matrix products")
struct GEMMTests {
  // Shapes (m, n, k): empty, one, and sizes that are not multiples of the register tile
  // (5 x 4 for Double), of the cache blocks (kc = 256, mc = 100) or of each other.
  static let shapes: [(Int, Int, Int)] = [
    (0, 0, 0), (0, 5, 3), (4, 0, 3), (3, 4, 0), (1, 1, 1), (1, 7, 1), (7, 1, 9), (5, 4, 3),
    (6, 9, 11), (13, 17, 19), (101, 33, 257), (37, 130, 300), (203, 9, 64), (64, 64, 64),
  ]

  @Test("All transpose forms agree with the naive product", arguments: shapes, [false, true])
  func doubleProducts(shape: (Int, Int, Int), transposeA: Bool) {
    let (m, n, k) = shape
    var rng = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
    for transposeB in [false, true] {
      let a: Matrix<Double> = rng.normalMatrix(rows: transposeA ? k : m, columns: transposeA ? m : k)
      let b: Matrix<Double> = rng.normalMatrix(rows: transposeB ? n : k, columns: transposeB ? k : n)
      let expected = Reference.product(a, b, transposeA: transposeA, transposeB: transposeB)
      for backend in availableBackends {
        var c = Matrix<Double>(rows: m, columns: n, repeating: .nan)
        Kernels.gemm(alpha: 1, a, transposeA: transposeA, b, transposeB: transposeB, beta: 0, into: &c, backend: backend)
        #expect(c.rows == m && c.columns == n)
        #expect(maxRelativeError(c, expected) < 1e-12, "backend \(backend) shape \(shape) tA \(transposeA) tB \(transposeB)")
      }
    }
  }

  @Test("Float products agree with the naive product", arguments: shapes)
  func floatProducts(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SeededGenerator(seed: 99)
    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
      let a: Matrix<Float> = rng.normalMatrix(rows: transposeA ? k : m, columns: transposeA ? m : k)
      let b: Matrix<Float> = rng.normalMatrix(rows: transposeB ? n : k, columns: transposeB ? k : n)
      let expected = Reference.product(a, b, transposeA: transposeA, transposeB: transposeB)
      for backend in availableBackends {
        var c = Matrix<Float>(rows: m, columns: n)
        Kernels.gemm(alpha: 1, a, transposeA: transposeA, b, transposeB: transposeB, beta: 0, into: &c, backend: backend)
        #expect(maxRelativeError(c, expected) < 2e-5 * Double(max(k, 1)).squareRoot())
      }
    }
  }

  @Test("alpha and beta scale and accumulate", arguments: [(0.0, 1.0), (2.0, 0.0), (-0.5, 1.0), (1.5, -2.0), (0.0, 0.0)])
  func alphaBeta(alpha: Double, beta: Double) {
    var rng = SeededGenerator(seed: 3)
    let a: Matrix<Double> = rng.normalMatrix(rows: 23, columns: 300)
    let b: Matrix<Double> = rng.normalMatrix(rows: 300, columns: 11)
    let c0: Matrix<Double> = rng.normalMatrix(rows: 23, columns: 11)
    let expected = alpha * Reference.product(a, b, transposeA: false, transposeB: false) + beta * c0
    for backend in availableBackends {
      var c = c0
      Kernels.gemm(alpha: alpha, a, b, beta: beta, into: &c, backend: backend)
      #expect(maxRelativeError(c, expected) < 1e-12)
    }
  }

  @Test("beta = 0 ignores NaN in the output")
  func betaZeroIgnoresOldContents() {
    let a = Matrix<Double>([[1, 2], [3, 4]])
    for backend in availableBackends {
      var c = Matrix<Double>(rows: 2, columns: 2, repeating: .nan)
      Kernels.gemm(alpha: 1, a, a, beta: 0, into: &c, backend: backend)
      #expect(c == Matrix([[7, 10], [15, 22]]))
    }
  }

  @Test("Strided operands through the raw interface")
  func stridedOperands() {
    // A 3 x 2 block inside a 3 x 5 buffer times a 2 x 2 block inside a 2 x 4 buffer.
    let a: [Double] = [1, 2, 9, 9, 9, 3, 4, 9, 9, 9, 5, 6, 9, 9, 9]
    let b: [Double] = [1, 0, 9, 9, 0, 1, 9, 9]
    var c = [Double](repeating: -1, count: 3 * 3)
    var shape = GEMMShape(m: 3, n: 2, k: 2)
    shape.lda = 5
    shape.ldb = 4
    shape.ldc = 3
    for backend in availableBackends {
      Kernels.gemm(shape, alpha: 1, a: a, b: b, beta: 0, c: &c, backend: backend)
      #expect(c == [1, 2, -1, 3, 4, -1, 5, 6, -1])
    }
  }

  /// Products the small-operand kernels take (op(B) at most 64 x 64 with whole vectors of
  /// columns; `A^T B` with a long shared dimension split over threads): every form, every
  /// register-tile tail of rows and column vectors, alpha and beta, strided buffers.
  static let smallShapes: [(Int, Int, Int)] = [
    (1, 16, 16), (7, 8, 3), (1031, 16, 16), (517, 64, 16), (133, 48, 64), (61, 32, 300), (21, 16, 700), (13, 24, 1),
  ]

  @Test("Small-operand products agree with the naive product", arguments: smallShapes)
  func smallProducts(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SeededGenerator(seed: UInt64(m + n + k))
    for (transposeA, transposeB) in [(false, false), (false, true), (true, false)] {
      for (alpha, beta) in [(1.0, 0.0), (-0.5, 2.0)] {
        let a: Matrix<Double> = rng.normalMatrix(rows: transposeA ? k : m, columns: transposeA ? m : k)
        let b: Matrix<Double> = rng.normalMatrix(rows: transposeB ? n : k, columns: transposeB ? k : n)
        let c0: Matrix<Double> = rng.normalMatrix(rows: m, columns: n)
        let expected = alpha * Reference.product(a, b, transposeA: transposeA, transposeB: transposeB) + beta * c0
        var c = beta == 0 ? Matrix<Double>(rows: m, columns: n, repeating: .nan) : c0
        Kernels.gemm(alpha: alpha, a, transposeA: transposeA, b, transposeB: transposeB, beta: beta, into: &c)
        #expect(maxRelativeError(c, expected) < 1e-12, "shape \(shape) tA \(transposeA) tB \(transposeB) alpha \(alpha)")
        let af = Matrix<Float>(rows: a.rows, columns: a.columns) { Float(a[$0, $1]) }
        let bf = Matrix<Float>(rows: b.rows, columns: b.columns) { Float(b[$0, $1]) }
        var cf = Matrix<Float>(rows: m, columns: n) { Float(c0[$0, $1]) }
        Kernels.gemm(alpha: Float(alpha), af, transposeA: transposeA, bf, transposeB: transposeB, beta: Float(beta), into: &cf)
        let expectedFloat = Matrix<Float>(rows: m, columns: n) { Float(expected[$0, $1]) }
        #expect(maxRelativeError(cf, expectedFloat) < 2e-5 * Double(k).squareRoot(), "Float shape \(shape)")
      }
      if VectorKernels.width > 0 && !(transposeA && m > SmallGEMM.limit) && !(!transposeA && k > SmallGEMM.limit) {
        let shape = GEMMShape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        for size in [8, 4] where n % (VectorKernels.width / size) == 0 {
          #expect(SmallGEMM.accepts(shape, scalarSize: size))
        }
      }
    }
  }

  @Test("Small-operand products through strided buffers")
  func smallStrided() {
    // C (5 x 8 inside rows of 11) = A (5 x 3 inside rows of 4) * B (3 x 8 inside rows of 10),
    // and the same with A stored transposed (3 x 5 inside rows of 6).
    var rng = SeededGenerator(seed: 8)
    let a: [Double] = (0..<20).map { _ in rng.normal() }
    let at: [Double] = (0..<18).map { _ in rng.normal() }
    let b: [Double] = (0..<30).map { _ in rng.normal() }
    for transposeA in [false, true] {
      var shape = GEMMShape(m: 5, n: 8, k: 3, transposeA: transposeA)
      shape.lda = transposeA ? 6 : 4
      shape.ldb = 10
      shape.ldc = 11
      var c = [Double](repeating: -1, count: 5 * 11)
      Kernels.gemm(shape, alpha: 1, a: transposeA ? at : a, b: b, beta: 0, c: &c)
      for i in 0..<5 {
        for j in 0..<11 {
          let expected = j < 8
            ? (0..<3).reduce(0.0) { $0 + (transposeA ? at[$1 * 6 + i] : a[i * 4 + $1]) * b[$1 * 10 + j] } : -1
          #expect(abs(c[i * 11 + j] - expected) < 1e-12)
        }
      }
    }
  }

  @Test("The affine map x w + bias, fused or not", arguments: [(517, 16, 16), (33, 64, 64), (9, 5, 3), (4, 16, 0), (0, 16, 16)])
  func affine(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SeededGenerator(seed: UInt64(m + 7 * n + k))
    let x: Matrix<Double> = rng.normalMatrix(rows: m, columns: k)
    let w: Matrix<Double> = rng.normalMatrix(rows: k, columns: n)
    let bias = (0..<n).map { Double($0) - 2.5 }
    let expected = Matrix<Double>(rows: m, columns: n) { i, j in
      bias[j] + (0..<k).reduce(0.0) { $0 + x[i, $1] * w[$1, j] }
    }
    #expect(maxRelativeError(Kernels.affine(x, w, bias: bias), expected) < 1e-12)
    let xf = Matrix<Float>(rows: m, columns: k) { Float(x[$0, $1]) }
    let wf = Matrix<Float>(rows: k, columns: n) { Float(w[$0, $1]) }
    let expectedFloat = Matrix<Float>(rows: m, columns: n) { Float(expected[$0, $1]) }
    #expect(maxRelativeError(Kernels.affine(xf, wf, bias: bias.map(Float.init)), expectedFloat) < 1e-5)
  }

  @Test("Matrix.product and its conveniences")
  func conveniences() {
    let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
    let b = Matrix<Double>([[1, 0], [0, 1], [1, 1]])
    #expect(a.multiplied(by: b) == Matrix([[4, 5], [10, 11]]))
    #expect(a.multiplied(byTransposeOf: a) == Matrix([[14, 32], [32, 77]]))
    #expect(a.transposeMultiplied(by: a) == Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    #expect(a.multiplied(byVector: [1, 1, 1]) == [6, 15])
    #expect(a.transposeMultiplied(byVector: [1, -1]) == [-3, -3, -3])
  }

  @Test("The backend follows setPreferred")
  func backendSelection() {
    withBackend(.portable) { #expect(KernelBackend.current == .portable) }
    withBackend(.blas) {
      #expect(KernelBackend.current == (SystemBLAS.shared == nil ? .portable : .blas))
    }
  }
}
