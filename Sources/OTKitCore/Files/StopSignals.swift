import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM for a command-line program: when one arrives, the temporary files of
/// the writes in progress are removed (every file OTKit writes goes through
/// ``AtomicFile``, so what is left is the previous version or a complete new one), a line
/// says what was completed, and the process exits with 130 (SIGINT) or 143 (SIGTERM), as
/// shells report a process stopped by them.
///
/// A process-wide choice that the library never makes on its own: the `otkit` command
/// installs it at start.
public enum StopSignals {
  nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

  /// Takes SIGINT and SIGTERM from their default action (call once, at start).
  ///
  /// - Parameter report: the line written to standard error on a stop, given the signal's
  ///   name (what was completed).
  public static func install(report: @escaping @Sendable (_ signal: String) -> String) {
    AtomicFile.parkWritesWhenAbandoned()
    for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        AtomicFile.abandonPendingWrites()
        let line = "\n" + report(name) + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        _exit(128 + number)
      }
      source.resume()
      sources.append(source)
    }
  }
}
