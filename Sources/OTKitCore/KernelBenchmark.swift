import Foundation

/// Times the core kernels on seeded random data (`otkit info --benchmark`): the matrix
/// product on every available path (and whether the paths agree), the row log-sum-exp and
/// the pairwise squared distances; each the best of three runs.
///
/// - Complexity: `O(size^3)` for the products.
public struct KernelBenchmark: Sendable {
  public var size: Int

  public init(size: Int) {
    self.size = size
  }

  /// What was measured; it encodes as `gemm_<path>_gflops`, `pathsAgree`,
  /// `rowLogSumExpSeconds` and `squaredDistancesSeconds`.
  public struct Result: Encodable, Sendable {
    public var gflops: [(path: String, value: Double)] = []
    public var pathsAgree: Bool?
    public var rowLogSumExpSeconds = 0.0
    public var squaredDistancesSeconds = 0.0

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: Key.self)
      for (path, value) in gflops { try c.encode(value, forKey: Key(stringValue: "gemm_\(path)_gflops")) }
      try c.encodeIfPresent(pathsAgree, forKey: Key(stringValue: "pathsAgree"))
      try c.encode(rowLogSumExpSeconds, forKey: Key(stringValue: "rowLogSumExpSeconds"))
      try c.encode(squaredDistancesSeconds, forKey: Key(stringValue: "squaredDistancesSeconds"))
    }
  }

  /// Runs the timings, handing each line of the report to `log` as it is measured.
  public func run(log: (String) -> Void) -> Result {
    var rng = SeededGenerator(seed: 1)
    let n = size
    let a: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
    let b: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
    var result = Result()
    let flops = 2 * Double(n) * Double(n) * Double(n)
    var products: [KernelBackend: Matrix<Double>] = [:]
    for backend in KernelBackend.allCases where backend == .portable || SystemBLAS.shared != nil {
      var c = Matrix<Double>(rows: n, columns: n)
      let seconds = Stopwatch.best(of: 3) { Kernels.gemm(alpha: 1, a, b, beta: 0, into: &c, backend: backend) }
      products[backend] = c
      let gflops = flops / seconds / 1e9
      log(String(format: "dgemm %d^3 (%@): %.1f ms, %.1f GFLOP/s", n, backend.rawValue, seconds * 1e3, gflops))
      result.gflops.append((backend.rawValue, gflops))
    }
    if let p = products[.portable], let s = products[.blas] {
      let agree = p.isApproximatelyEqual(to: s, absoluteTolerance: 1e-9 * Double(n), relativeTolerance: 1e-10)
      log("portable and BLAS products agree: \(agree)")
      result.pathsAgree = agree
    }
    result.rowLogSumExpSeconds = Stopwatch.best(of: 3) { _ = a.rowLogSumExp() }
    log(String(format: "row log-sum-exp %dx%d: %.2f ms", n, n, result.rowLogSumExpSeconds * 1e3))
    let x: Matrix<Double> = rng.normalMatrix(rows: 4 * n, columns: 16)
    result.squaredDistancesSeconds = Stopwatch.best(of: 3) { _ = Matrix.squaredDistances(x, x) }
    log(String(format: "squared distances %d x %d, d = 16: %.2f ms", 4 * n, 4 * n, result.squaredDistancesSeconds * 1e3))
    return result
  }
}
