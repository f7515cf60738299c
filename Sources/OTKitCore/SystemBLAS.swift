#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system BLAS loaded at run time with `dlopen`, so that OTKit neither links against one
/// nor needs one to build.
///
/// Only optimized libraries are tried (OpenBLAS, BLIS, MKL, Accelerate): the reference BLAS
/// is slower than the portable kernels. The file named by `OTKIT_BLAS_LIBRARY` is tried
/// first. Products whose dimensions do not fit the library's 32-bit integers fall back to
/// the portable kernels.
public final class SystemBLAS: @unchecked Sendable {
  // The C signatures of cblas_dgemm and cblas_sgemm (row-major CBLAS interface).
  typealias DGEMM = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32,
    UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32
  ) -> Void
  typealias SGEMM = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
    UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
  ) -> Void

  /// The library file that was loaded.
  public let path: String
  /// The library's own description of its build (OpenBLAS's `openblas_get_config`), if any.
  public let configuration: String?
  /// The CPU kernel family the library chose (OpenBLAS's `openblas_get_corename`), if any.
  public let coreName: String?

  private let handle: UnsafeMutableRawPointer
  private let dgemmFunction: DGEMM
  private let sgemmFunction: SGEMM
  private let setThreadsFunction: (@convention(c) (Int32) -> Void)?
  private let getThreadsFunction: (@convention(c) () -> Int32)?

  /// The system BLAS of this process, loaded on first use; `nil` when none can be loaded.
  public static let shared: SystemBLAS? = load()

  /// The library names tried, in order, after `OTKIT_BLAS_LIBRARY`.
  public static let candidates: [String] = {
    #if canImport(Darwin)
    return ["/System/Library/Frameworks/Accelerate.framework/Accelerate"]
    #else
    return [
      "libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libblis.so.4", "libblis.so",
      "libmkl_rt.so.2", "libmkl_rt.so",
    ]
    #endif
  }()

  private init?(path: String) {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
    guard let d = dlsym(handle, "cblas_dgemm"), let s = dlsym(handle, "cblas_sgemm") else {
      dlclose(handle)
      return nil
    }
    self.handle = handle
    self.path = path
    dgemmFunction = unsafeBitCast(d, to: DGEMM.self)
    sgemmFunction = unsafeBitCast(s, to: SGEMM.self)
    let set = dlsym(handle, "openblas_set_num_threads") ?? dlsym(handle, "bli_thread_set_num_threads")
    setThreadsFunction = set.map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self) }
    let get = dlsym(handle, "openblas_get_num_threads")
    getThreadsFunction = get.map { unsafeBitCast($0, to: (@convention(c) () -> Int32).self) }
    typealias CString = @convention(c) () -> UnsafePointer<CChar>?
    func describe(_ symbol: String) -> String? {
      guard let f = dlsym(handle, symbol) else { return nil }
      guard let text = unsafeBitCast(f, to: CString.self)() else { return nil }
      return String(cString: text).trimmingTrailingBlanks()
    }
    configuration = describe("openblas_get_config")
    coreName = describe("openblas_get_corename")
  }

  /// The idle spin of OpenBLAS's worker threads, as `OPENBLAS_THREAD_TIMEOUT` (log2 of
  /// CPU cycles), unless the environment sets it: 22, about 1.5 ms.
  ///
  /// After a product OpenBLAS's workers spin (calling `sched_yield`) for 2^28 cycles,
  /// about 0.1 s, before they sleep. OTKit runs its own kernels (softmax, Sinkhorn
  /// updates, the blocked attention) on its own threads between products, and in that
  /// window a spinning worker takes one of the cores: on two cores such a kernel runs at
  /// half speed (`Benchmarks/AttentionBenchmarks`, blocked attention: median 3.0 ms with
  /// `OTKIT_BLAS_SPIN=default`, 1.8 ms without; the product in its setup wakes the
  /// workers). 2^22 cycles keeps them awake across back-to-back products (the neural
  /// benchmark's training steps measured the same or faster) and lets them sleep soon
  /// after. The variable is read when the library is loaded, so this takes effect only
  /// when OTKit is the one that loads it; `OTKIT_BLAS_SPIN=default` keeps OpenBLAS's own
  /// value.
  public static let workerSpinLog2Cycles = 22

  private static func load() -> SystemBLAS? {
    if Environment.value("OPENBLAS_THREAD_TIMEOUT") == nil, Environment.value("OTKIT_BLAS_SPIN") != "default" {
      setenv("OPENBLAS_THREAD_TIMEOUT", String(workerSpinLog2Cycles), 0)
    }
    var names = candidates
    if let custom = Environment.value("OTKIT_BLAS_LIBRARY") { names.insert(custom, at: 0) }
    for name in names {
      if let library = SystemBLAS(path: name) {
        if let threads = Environment.value("OTKIT_BLAS_THREADS").flatMap(Int.init), (1...4096).contains(threads) {
          library.setThreads(threads)
        }
        return library
      }
    }
    return nil
  }

  /// The number of threads the library uses, when it can tell.
  public var threads: Int? { getThreadsFunction.map { Int($0()) } }

  /// Sets the number of threads the library uses (where it offers a way to).
  public func setThreads(_ count: Int) {
    setThreadsFunction?(Int32(clamping: max(1, count)))
  }

  // CBLAS enumerations.
  private static let rowMajor: Int32 = 101
  private static let noTrans: Int32 = 111
  private static let trans: Int32 = 112

  /// Runs `cblas_dgemm`; returns `false` (and does nothing) when a dimension does not fit.
  func dgemm(
    _ s: GEMMShape, _ alpha: Double, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
    _ beta: Double, _ c: UnsafeMutablePointer<Double>
  ) -> Bool {
    guard let d = Self.dimensions(s) else { return false }
    dgemmFunction(
      Self.rowMajor, d.ta, d.tb, d.m, d.n, d.k, alpha, a, d.lda, b, d.ldb, beta, c, d.ldc)
    return true
  }

  /// Runs `cblas_sgemm`; returns `false` (and does nothing) when a dimension does not fit.
  func sgemm(
    _ s: GEMMShape, _ alpha: Float, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ beta: Float, _ c: UnsafeMutablePointer<Float>
  ) -> Bool {
    guard let d = Self.dimensions(s) else { return false }
    sgemmFunction(
      Self.rowMajor, d.ta, d.tb, d.m, d.n, d.k, alpha, a, d.lda, b, d.ldb, beta, c, d.ldc)
    return true
  }

  /// Calls the library's `cblas_dgemm` for `C = A B` on contiguous row-major `m x k` and
  /// `k x n` operands with nothing around it; for measuring OTKit's own overhead.
  public func callDGEMMDirectly(
    m: Int, n: Int, k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>
  ) {
    dgemmFunction(
      Self.rowMajor, Self.noTrans, Self.noTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k),
      b, Int32(n), 0, c, Int32(n))
  }

  private struct Dimensions {
    var ta, tb, m, n, k, lda, ldb, ldc: Int32
  }

  private static func dimensions(_ s: GEMMShape) -> Dimensions? {
    guard let m = Int32(exactly: s.m), let n = Int32(exactly: s.n), let k = Int32(exactly: s.k),
      let lda = Int32(exactly: max(s.lda, 1)), let ldb = Int32(exactly: max(s.ldb, 1)),
      let ldc = Int32(exactly: max(s.ldc, 1))
    else { return nil }
    return Dimensions(
      ta: s.transposeA ? trans : noTrans, tb: s.transposeB ? trans : noTrans,
      m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
  }
}

extension String {
  fileprivate func trimmingTrailingBlanks() -> String {
    var s = Substring(self)
    while let last = s.last, last == " " || last == "\n" { s.removeLast() }
    return String(s)
  }
}
