import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which implementation runs the matrix products.
///
/// `OTKit` ships portable Swift kernels that build everywhere. When a system BLAS is present
/// (OpenBLAS, BLIS or MKL on Linux, Accelerate on Apple platforms) it is loaded at run time
/// and used for matrix products; nothing links against it, so it is never a build
/// requirement. The environment variable `OTKIT_BLAS` forces a path: `portable`, `system`
/// (the system BLAS if it can be loaded) or `auto` (the default: the system BLAS when
/// present). `OTKIT_BLAS_LIBRARY` names a library file to try first.
public enum KernelBackend: String, Sendable, CaseIterable, Codable {
  /// The portable Swift kernels of this package.
  case portable
  /// The system BLAS loaded at run time.
  case blas

  /// The backend in use now: the one set with ``setPreferred(_:)``, or else the one the
  /// environment asks for, falling back to ``portable`` when no BLAS can be loaded.
  public static var current: KernelBackend {
    if let scoped = scopedBackend { return scoped == .blas && SystemBLAS.shared == nil ? .portable : scoped }
    switch Preference(rawValue: preference.load(ordering: .relaxed)) ?? .auto {
    case .portable: return .portable
    case .system, .auto: return SystemBLAS.shared == nil ? .portable : .blas
    }
  }

  /// A backend for the current task and the tasks it creates (``withPreferred(_:_:)``).
  @TaskLocal static var scopedBackend: KernelBackend?

  /// Runs `body` with `backend` for the products it calls from the current task, leaving
  /// every other task's backend alone (``setPreferred(_:)`` changes the process's).
  public static func withPreferred<Result>(_ backend: KernelBackend, _ body: () throws -> Result) rethrows -> Result {
    try $scopedBackend.withValue(backend) { try body() }
  }

  /// Sets the backend for this process (overrides `OTKIT_BLAS`); `nil` restores the
  /// environment's choice.
  public static func setPreferred(_ backend: KernelBackend?) {
    let value: Preference
    switch backend {
    case .portable?: value = .portable
    case .blas?: value = .system
    case nil: value = Preference.fromEnvironment
    }
    preference.store(value.rawValue, ordering: .relaxed)
  }

  /// What the environment variable `OTKIT_BLAS` asked for (`auto` when unset).
  public static var requested: String {
    Preference.fromEnvironment.name
  }

  enum Preference: Int {
    case auto = 0, portable = 1, system = 2

    var name: String {
      switch self {
      case .auto: "auto"
      case .portable: "portable"
      case .system: "system"
      }
    }

    static var fromEnvironment: Preference {
      Environment.value("OTKIT_BLAS").flatMap(parse) ?? .auto
    }

    /// The preference a value of `OTKIT_BLAS` names, or `nil` for none
    /// (``OTKitEnvironment/problems`` reports it; the fallback is `auto`).
    static func parse(_ text: String) -> Preference? {
      switch text.lowercased() {
      case "auto": .auto
      case "portable", "swift", "0", "off", "none": .portable
      case "system", "blas", "openblas", "accelerate", "1", "on": .system
      default: nil
      }
    }
  }

  private static let preference = Atomic<Int>(Preference.fromEnvironment.rawValue)
}

/// Reads environment variables.
enum Environment {
  /// The value of the variable `name`, trimmed of blanks, or `nil` when unset or empty.
  static func value(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    let text = String(cString: raw).filter { $0 != " " && $0 != "\t" }
    return text.isEmpty ? nil : text
  }
}
