import Foundation
import Testing

@testable import OTKitCore

/// Files are written atomically and a directory is replaced as a whole.
@Suite("Atomic files")
struct AtomicFileTests {
  func folder(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "otkit-atomic-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  func entries(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  @Test("A write replaces the file and leaves no temporary file")
  func write() throws {
    let dir = try folder("write")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/a.txt"
    try AtomicFile.write("first", to: path)
    try AtomicFile.write("second", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
    #expect(entries(dir) == ["a.txt"])
  }

  @Test("A write into a missing folder is an error naming the path, and nothing is left")
  func missingFolder() throws {
    let dir = try folder("missing")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/no/such/a.txt"
    #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: path) }
    do {
      try AtomicFile.write("x", to: path)
    } catch let error as AtomicFileError {
      #expect(error.path == path && error.reason.contains("cannot be written"))
    }
    #expect(entries(dir).isEmpty)
  }

  @Test("A directory is replaced as a whole; a failing fill leaves the old one")
  func directory() throws {
    let dir = try folder("directory")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let model = dir + "/model"
    try AtomicFile.replaceDirectory(at: model) { try AtomicFile.write("one", to: $0 + "/a") }
    try AtomicFile.replaceDirectory(at: model) {
      try AtomicFile.write("two", to: $0 + "/a")
      try AtomicFile.write("two", to: $0 + "/b")
    }
    #expect(entries(model) == ["a", "b"])
    #expect(try String(contentsOfFile: model + "/a", encoding: .utf8) == "two")
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try AtomicFile.replaceDirectory(at: model) { folder in
        try AtomicFile.write("three", to: folder + "/a")
        throw Stop()
      }
    }
    #expect(try String(contentsOfFile: model + "/a", encoding: .utf8) == "two")
    #expect(entries(dir) == ["model"])
  }

  @Test("The temporaries of a dead process are removed by the next write; a live one's stay")
  func stale() throws {
    let dir = try folder("stale")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // No process has pid 2^22 + 1 (above Linux's default pid_max of 2^22).
    try AtomicFile.write("x", to: dir + "/.a.txt.otkit-4194305-1.tmp")
    try AtomicFile.write("y", to: dir + "/.a.txt.otkit-1-1.tmp")
    try AtomicFile.write("new", to: dir + "/a.txt")
    #expect(entries(dir) == [".a.txt.otkit-1-1.tmp", "a.txt"])
  }

  @Test("The exchange of two directories is one step")
  func exchange() throws {
    let dir = try folder("exchange")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/x", withIntermediateDirectories: false)
    try FileManager.default.createDirectory(atPath: dir + "/y", withIntermediateDirectories: false)
    try AtomicFile.write("x", to: dir + "/x/name")
    try AtomicFile.write("y", to: dir + "/y/name")
    try AtomicFile.swap(dir + "/x", into: dir + "/y")
    #expect(try String(contentsOfFile: dir + "/y/name", encoding: .utf8) == "x")
    #expect(try String(contentsOfFile: dir + "/x/name", encoding: .utf8) == "y")
  }
}
