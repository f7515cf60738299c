import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The tests' files in the temporary directory: every helper names them `otkit-...-PID...`
/// and calls ``TemporaryFiles/removeAtExit()``, so that the files of a test process are
/// deleted when it ends.
public enum TemporaryFiles {
  private static let registration: Void = { atexit { TemporaryFiles.removeOwn() } }()

  /// Deletes this process's files when it exits (registered once).
  public static func removeAtExit() { registration }

  /// Deletes the entries `otkit-*` of the temporary directory that carry this process's id
  /// as a `-` or `.` separated part of their name.
  public static func removeOwn() {
    let manager = FileManager.default
    let directory = manager.temporaryDirectory
    let pid = String(getpid())
    for name in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
    where name.hasPrefix("otkit-") && name.split(whereSeparator: { $0 == "-" || $0 == "." }).contains(Substring(pid)) {
      try? manager.removeItem(at: directory.appendingPathComponent(name))
    }
  }
}
