import ArgumentParser
import Foundation
import OTKit

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show the version, the matrix-product path and the threads in use.",
    discussion: """
      With --benchmark, also times the core kernels (matrix products on both paths, \
      log-sum-exp, pairwise distances) on built-in random data and checks that the two \
      product paths agree.
      """
  )

  @Flag(help: "Time the core kernels on built-in data.")
  var benchmark = false

  @Option(help: "Matrix size for --benchmark.")
  var size = 1024

  @OptionGroup var printing: OutputOptions
  var json: Bool { printing.json }

  func run() throws {
    var report: [String: JSONValue] = [
      "version": .string(OTKitInfo.version),
      "backend": .string(KernelBackend.current.rawValue),
      "requestedBackend": .string(KernelBackend.requested),
      "threads": .number(Double(Parallel.threads)),
      "processors": .number(Double(Parallel.processorCount)),
    ]
    var lines = [
      "OTKit \(OTKitInfo.version)",
      "matrix products: \(KernelBackend.current.rawValue) (OTKIT_BLAS=\(KernelBackend.requested))",
      "threads: \(Parallel.threads) of \(Parallel.processorCount) processors (OTKIT_THREADS)",
      "vector kernels: \(VectorKernels.name) (OTKIT_VECTOR_KERNELS)",
    ]
    report["vectorKernels"] = .string(VectorKernels.name)
    if let blas = SystemBLAS.shared {
      lines.append("system BLAS: \(blas.path)")
      report["blasLibrary"] = .string(blas.path)
      if let config = blas.configuration {
        lines.append("  configuration: \(config)")
        report["blasConfiguration"] = .string(config)
      }
      if let core = blas.coreName {
        lines.append("  core: \(core)")
        report["blasCore"] = .string(core)
      }
      if let threads = blas.threads {
        lines.append("  threads: \(threads)")
        report["blasThreads"] = .number(Double(threads))
      }
    } else {
      lines.append("system BLAS: none found (tried \(SystemBLAS.candidates.joined(separator: ", ")))")
    }
    for line in lines { print(line) }
    if benchmark {
      let results = KernelBenchmark(size: size).run { print($0) }
      report["benchmark"] = .object(results)
    }
    if json { print(JSONValue.object(report).serialized()) }
  }
}

/// Times the core kernels on seeded random data.
struct KernelBenchmark {
  var size: Int

  func run(log: (String) -> Void) -> [String: JSONValue] {
    var rng = SeededGenerator(seed: 1)
    let n = size
    let a: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
    let b: Matrix<Double> = rng.normalMatrix(rows: n, columns: n)
    var out: [String: JSONValue] = [:]
    let flops = 2 * Double(n) * Double(n) * Double(n)
    var products: [KernelBackend: Matrix<Double>] = [:]
    for backend in KernelBackend.allCases where backend == .portable || SystemBLAS.shared != nil {
      var c = Matrix<Double>(rows: n, columns: n)
      let seconds = Stopwatch.best(of: 3) {
        Kernels.gemm(alpha: 1, a, b, beta: 0, into: &c, backend: backend)
      }
      products[backend] = c
      let gflops = flops / seconds / 1e9
      log(String(format: "dgemm %d^3 (%@): %.1f ms, %.1f GFLOP/s", n, backend.rawValue, seconds * 1e3, gflops))
      out["gemm_\(backend.rawValue)_gflops"] = .number(gflops)
    }
    if let p = products[.portable], let s = products[.blas] {
      let agree = p.isApproximatelyEqual(to: s, absoluteTolerance: 1e-9 * Double(n), relativeTolerance: 1e-10)
      log("portable and BLAS products agree: \(agree)")
      out["pathsAgree"] = .bool(agree)
    }
    let lseSeconds = Stopwatch.best(of: 3) { _ = a.rowLogSumExp() }
    log(String(format: "row log-sum-exp %dx%d: %.2f ms", n, n, lseSeconds * 1e3))
    out["rowLogSumExpSeconds"] = .number(lseSeconds)
    let x: Matrix<Double> = rng.normalMatrix(rows: 4 * n, columns: 16)
    let distSeconds = Stopwatch.best(of: 3) { _ = Matrix.squaredDistances(x, x) }
    log(String(format: "squared distances %d x %d, d = 16: %.2f ms", 4 * n, 4 * n, distSeconds * 1e3))
    out["squaredDistancesSeconds"] = .number(distSeconds)
    return out
  }
}
