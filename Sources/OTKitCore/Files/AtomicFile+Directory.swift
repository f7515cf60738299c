import Foundation
internal import _OTKitShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicFile {
  /// Replaces the directory at `path` as a whole: `fill` writes the new contents into a
  /// fresh temporary directory beside it, which then takes the place of the old one in one
  /// step (exchanged with it, and the old contents removed), or is renamed into place when
  /// there was none. A reader sees the old directory or the new one, never a mix; a run
  /// stopped at any point leaves the old one in place (at worst with a hidden temporary
  /// directory beside it).
  ///
  /// On a file system that cannot exchange two paths the old directory is first renamed
  /// aside: stopped between the two renames, `path` is missing and the old contents are in
  /// the hidden `.NAME.otkit-...old` beside it.
  ///
  /// - Throws: ``AtomicFileError`` naming the path, or what `fill` throws (the temporary
  ///   directory is removed).
  public static func replaceDirectory(at path: String, _ fill: (String) throws -> Void) throws {
    let temporary = try reserveTemporary(beside: path)
    defer { release(temporary) }
    let files = FileManager.default
    do {
      try files.createDirectory(atPath: temporary, withIntermediateDirectories: false)
    } catch {
      throw AtomicFileError(path: path, reason: "cannot create a directory beside it: \(error.localizedDescription)")
    }
    do {
      try fill(temporary)
    } catch {
      try? files.removeItem(atPath: temporary)
      throw error
    }
    var isDirectory: ObjCBool = false
    guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
      guard rename(temporary, path) == 0 else {
        let error = failure(path, "cannot be put in place")
        try? files.removeItem(atPath: temporary)
        throw error
      }
      return
    }
    guard isDirectory.boolValue else {
      try? files.removeItem(atPath: temporary)
      throw AtomicFileError(path: path, reason: "is a file, not a directory")
    }
    try swap(temporary, into: path)
    // The temporary path now holds the old contents.
    try? files.removeItem(atPath: temporary)
  }

  /// Puts the directory `temporary` in the place of `path`, leaving the old contents at
  /// `temporary`.
  static func swap(_ temporary: String, into path: String) throws {
    if otkit_exchange_paths(temporary, path) == 0 { return }
    guard errno == EINVAL || errno == ENOSYS || errno == ENOTSUP else {
      let error = failure(path, "cannot be replaced")
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    let aside = temporary + ".old"
    guard rename(path, aside) == 0 else {
      let error = failure(path, "cannot be moved aside")
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let error = failure(path, "cannot be put in place")
      _ = rename(aside, path)
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    _ = rename(aside, temporary)
  }
}
