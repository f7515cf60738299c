import Foundation
internal import _OTKitShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or directory that could not be written; it names the path and the reason.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
  public var path: String
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}

/// Every file OTKit writes is written atomically: the bytes go to a temporary file in the
/// destination's folder, which is flushed to disk and then renamed over the destination, so
/// a reader (or a run stopped at any point) sees the previous file or the complete new one,
/// never a part. A directory (a saved model) is replaced as a whole: written beside, then
/// exchanged with the old one in one step (Linux's `renameat2(RENAME_EXCHANGE)`).
///
/// The temporary paths of the writes in progress are registered, so that an interrupted
/// command removes them (``abandonPendingWrites()``) before it exits; those of a process
/// killed outright are removed by the next write beside them.
///
/// - Complexity: one pass over the bytes, one `fsync`, one `rename`.
public enum AtomicFile {
  struct Pending {
    var paths: Set<String> = []
    var abandoned = false
    var counter = 0
    /// Whether a write met after the abandon parks its thread instead of failing (the
    /// command-line program, which exits from its signal handler).
    var parksWhenAbandoned = false
  }

  static let pending = Locked(Pending())

  /// Writes `bytes` to `path` atomically.
  ///
  /// - Throws: ``AtomicFileError`` naming the path when the folder is missing or not
  ///   writable, the disk is full, or the writes were abandoned.
  public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
    let temporary = try reserveTemporary(beside: path)
    defer { release(temporary) }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { throw failure(path, "cannot be written") }
    var written = 0
    while written < bytes.count {
      let result = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
      if result < 0 && errno == EINTR { continue }
      guard result > 0 else {
        let error = failure(path, "cannot be written")
        close(descriptor)
        unlink(temporary)
        throw error
      }
      written += result
    }
    guard fsync(descriptor) == 0, close(descriptor) == 0 else {
      unlink(temporary)
      throw failure(path, "cannot be flushed to disk")
    }
    guard rename(temporary, path) == 0 else {
      let error = failure(path, "cannot be put in place")
      unlink(temporary)
      throw error
    }
  }

  /// Writes `data` to `path` atomically.
  public static func write(_ data: Data, to path: String) throws {
    try data.withUnsafeBytes { try write($0, to: path) }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// Removes the temporary files and directories of the writes in progress and makes later
  /// writes fail: what an interrupted command calls before it exits, so that nothing
  /// half-written is left. A write under way finishes (or fails) first, so that nothing is
  /// created in a temporary directory after its removal; after 10 s the paths are removed
  /// anyway.
  public static func abandonPendingWrites() {
    pending.withLock { $0.abandoned = true }
    for _ in 0..<10_000 {
      if pending.withLock({ $0.paths.isEmpty }) { return }
      usleep(1_000)
    }
    for path in pending.withLock({ $0.paths }) { try? FileManager.default.removeItem(atPath: path) }
  }

  /// Makes the writes met after ``abandonPendingWrites()`` park their thread instead of
  /// failing (a write inside a directory being filled still fails, so that the directory's
  /// write removes its temporary and then parks): for a program whose stop handler exits
  /// the process, so that the exit status is the handler's and not that of a failed write.
  public static func parkWritesWhenAbandoned() {
    pending.withLock { $0.parksWhenAbandoned = true }
  }

  /// Blocks the calling thread for good (the stop handler exits the process).
  static func park() -> Never {
    while true { pause() }
  }

  /// A fresh temporary path in the folder of `path`, registered until ``release(_:)``.
  static func reserveTemporary(beside path: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    let (reserved, parks): (String?, Bool) = pending.withLock { state in
      guard !state.abandoned else { return (nil, state.parksWhenAbandoned && state.paths.isEmpty) }
      state.counter += 1
      let temporary = (folder as NSString).appendingPathComponent(".\(name).otkit-\(getpid())-\(state.counter).tmp")
      state.paths.insert(temporary)
      return (temporary, false)
    }
    if parks { park() }
    guard let reserved else { throw AtomicFileError(path: path, reason: "not written: the run was interrupted") }
    removeStaleTemporaries(of: name, in: folder)
    return reserved
  }

  /// Removes the temporary files and directories that a process killed outright (SIGKILL,
  /// a power cut) left beside `name`: those whose process no longer runs.
  static func removeStaleTemporaries(of name: String, in folder: String) {
    let prefix = ".\(name).otkit-"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for entry in entries where entry.hasPrefix(prefix) {
      let rest = entry.dropFirst(prefix.count)
      guard let pid = Int32(rest.prefix { $0.isNumber }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
      try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(entry))
    }
  }

  /// Unregisters a temporary path that its write has put in place or removed; after an
  /// abandon, parks the thread when ``parkWritesWhenAbandoned()`` was called and no outer
  /// write (a directory being filled) is still under way.
  static func release(_ temporary: String) {
    let parks = pending.withLock { state in
      state.paths.remove(temporary)
      return state.abandoned && state.parksWhenAbandoned && state.paths.isEmpty
    }
    if parks { park() }
  }

  static func failure(_ path: String, _ what: String) -> AtomicFileError {
    AtomicFileError(path: path, reason: "\(what) (\(String(cString: strerror(errno))))")
  }
}

/// The C library's `write`, by a name that Foundation's methods do not shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
  Glibc.write(descriptor, bytes, count)
  #elseif canImport(Musl)
  Musl.write(descriptor, bytes, count)
  #else
  Darwin.write(descriptor, bytes, count)
  #endif
}
