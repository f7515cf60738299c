import Foundation
@testable import OTKitCore

/// Naive reference implementations the kernels are checked against.
enum Reference {
  static func product<T: MatrixScalar>(
    _ a: Matrix<T>, _ b: Matrix<T>, transposeA: Bool, transposeB: Bool
  ) -> Matrix<T> {
    let opA = transposeA ? transpose(a) : a
    let opB = transposeB ? transpose(b) : b
    var c = Matrix<T>(rows: opA.rows, columns: opB.columns)
    for i in 0..<opA.rows {
      for j in 0..<opB.columns {
        var s = 0.0
        for p in 0..<opA.columns { s += Double(opA[i, p]) * Double(opB[p, j]) }
        c[i, j] = T(s)
      }
    }
    return c
  }

  static func transpose<T: MatrixScalar>(_ a: Matrix<T>) -> Matrix<T> {
    Matrix(rows: a.columns, columns: a.rows) { i, j in a[j, i] }
  }

  static func logSumExp(_ values: [Double]) -> Double {
    guard let m = values.max(), m.isFinite else { return values.max() ?? -.infinity }
    return m + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - m) })
  }

  static func squaredDistances(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    Matrix(rows: x.rows, columns: y.rows) { i, j in
      (0..<x.columns).reduce(0.0) { $0 + (x[i, $1] - y[j, $1]) * (x[i, $1] - y[j, $1]) }
    }
  }
}

/// Runs `body` with the given product backend, scoped to the calling task: a process-wide
/// switch would change the products of the tests that run beside it.
func withBackend<R>(_ backend: KernelBackend, _ body: () throws -> R) rethrows -> R {
  try KernelBackend.withPreferred(backend, body)
}

/// The backends available here: always the portable kernels, and the system BLAS if loaded.
let availableBackends: [KernelBackend] =
  SystemBLAS.shared == nil ? [.portable] : [.portable, .blas]

func maxRelativeError<T: MatrixScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Double {
  precondition(a.rows == b.rows && a.columns == b.columns)
  var scale = 1.0
  for x in b.elements { scale = max(scale, abs(Double(x))) }
  var worst = 0.0
  for (x, y) in zip(a.elements, b.elements) { worst = max(worst, abs(Double(x) - Double(y)) / scale) }
  return worst
}
