/// The environment variables OTKit reads, checked: a value it cannot use is never a silent
/// change of behaviour. The library falls back to the documented default for such a value
/// (below); ``problems`` names each one, and the `otkit` command prints them as warnings on
/// standard error before it runs.
///
/// | Variable | Values | Fallback for another value |
/// | --- | --- | --- |
/// | `OTKIT_THREADS` | an integer from 1 to 4096 | every processor |
/// | `OTKIT_BLAS` | `auto`, `portable` (`swift`, `0`, `off`, `none`), `system` (`blas`, `openblas`, `accelerate`, `1`, `on`) | `auto` |
/// | `OTKIT_MEMORY_LIMIT` | bytes with an optional unit (`512M`, `8G`, `1.5GiB`) | the available memory |
/// | `OTKIT_VECTOR_KERNELS` | `0` (portable loops) or `1` | `1` |
/// | `OTKIT_MALLOC_TUNING` | `0` (leave the allocator alone) or `1` | `1` |
/// | `OTKIT_BLAS_THREADS` | an integer from 1 to 4096 | the BLAS library's own |
public enum OTKitEnvironment {
  /// One message per variable whose value OTKit cannot use, naming the value and the
  /// fallback; empty when every variable is valid or unset.
  public static var problems: [String] {
    var found: [String] = []
    func check(_ name: String, _ valid: (String) -> Bool, must: String, fallback: String) {
      guard let value = Environment.value(name), !valid(value) else { return }
      found.append("\(name)=\(value) is not \(must); using \(fallback)")
    }
    let threads: (String) -> Bool = { Int($0).map { (1...4096).contains($0) } ?? false }
    check("OTKIT_THREADS", threads, must: "an integer from 1 to 4096", fallback: "every processor (\(Parallel.processorCount))")
    check("OTKIT_BLAS", { KernelBackend.Preference.parse($0) != nil }, must: "auto, portable or system", fallback: "auto")
    check("OTKIT_MEMORY_LIMIT", { MemoryBudget.parse($0) != nil }, must: "a size such as 512M or 8G", fallback: "the available memory")
    check("OTKIT_VECTOR_KERNELS", { $0 == "0" || $0 == "1" }, must: "0 or 1", fallback: "1")
    check("OTKIT_MALLOC_TUNING", { $0 == "0" || $0 == "1" }, must: "0 or 1", fallback: "1")
    check("OTKIT_BLAS_THREADS", threads, must: "an integer from 1 to 4096", fallback: "the BLAS library's own")
    return found
  }
}
