import Foundation
import OTKitTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built `otkit` executable as a child process, as a user does: traps, hangs and
/// exit statuses are seen as they are (an in-process run would take the test runner down
/// with a trap).
enum BinaryRunner {
  /// What one run printed and how it ended.
  struct Outcome: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
    /// Whether a signal ended the process (a trap is signal 4 or 5).
    var signaled: Bool
  }

  /// The `otkit` executable built beside the test bundle (`swift test` builds it), or the
  /// path in `OTKIT_BINARY`.
  static let executable: String? = {
    if let path = ProcessInfo.processInfo.environment["OTKIT_BINARY"] { return path }
    var candidates: [URL] = []
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = runner.deletingLastPathComponent()
    for _ in 0..<5 {
      candidates.append(directory.appendingPathComponent("otkit"))
      directory.deleteLastPathComponent()
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
  }()

  /// util-linux's `prlimit`, when the machine has it.
  static let prlimit: String? = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Runs `otkit arguments` in `directory` with a wall-clock limit; `kill` sends a signal
  /// after a delay (the durability tests' stop at a random point).
  static func run(
    _ arguments: [String], in directory: String, timeout: Double = 120, kill stop: (signal: Int32, after: Double)? = nil,
    limits: [String: String] = [:], addressSpace: Int? = nil
  ) throws -> Outcome {
    guard let executable else { throw RunnerError("the otkit executable is not built beside the tests (set OTKIT_BINARY)") }
    let process = Process()
    if let addressSpace, let prlimit = Self.prlimit {
      // A capped address space: a missing check shows up as a trap, not a stalled machine.
      process.executableURL = URL(fileURLWithPath: prlimit)
      process.arguments = ["--as=\(addressSpace)", "--", executable] + arguments
    } else {
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var environment = ProcessInfo.processInfo.environment
    environment["OTKIT_THREADS"] = "1"
    environment["SWIFT_BACKTRACE"] = "enable=no"
    environment.merge(limits) { $1 }
    process.environment = environment
    let out = URL(fileURLWithPath: directory).appendingPathComponent(".stdout")
    let err = URL(fileURLWithPath: directory).appendingPathComponent(".stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    defer {
      try? outHandle.close()
      try? errHandle.close()
    }
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    let stopAt = stop.map { Date().addingTimeInterval($0.after) }
    var stopped = false
    var timedOut = false
    while process.isRunning {
      if let stop, let stopAt, !stopped, Date() >= stopAt {
        kill(process.processIdentifier, stop.signal)
        stopped = true
      }
      if Date() > deadline {
        timedOut = true
        process.terminate()
        usleep(200_000)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        break
      }
      usleep(5_000)
    }
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus,
      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
      timedOut: timedOut,
      signaled: process.terminationReason == .uncaughtSignal)
  }

  struct RunnerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  /// A fresh directory for one case.
  static func scratchDirectory(_ name: String) -> String {
    TemporaryFiles.removeAtExit()
    let safe = String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(60))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-bad-\(getpid())")
      .appendingPathComponent(safe + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }
}
