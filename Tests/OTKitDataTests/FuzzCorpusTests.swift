import Foundation
import OTKitCore
import OTKitData
import Testing

/// The fuzzers' seed corpus and their regression inputs (`scripts/fuzz/corpus/<reader>/`,
/// and any crash `scripts/fuzz/run.sh` finds, saved there under `regressions/`) run through
/// the readers in every `swift test`: each must parse or throw a `DataError`, never trap.
@Suite("Fuzz corpus: the readers on every seed and regression input")
struct FuzzCorpusTests {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("scripts/fuzz/corpus")
  }()

  static func inputs(_ reader: String) -> [String] {
    let directory = root.appendingPathComponent(reader)
    let names = (try? FileManager.default.subpathsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { !$0.hasSuffix("/") && !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0).path }
      .filter { var isDirectory: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
  }

  @Test("The corpus is present", arguments: ["csv", "npy", "safetensors", "model"])
  func present(reader: String) {
    #expect(!Self.inputs(reader).isEmpty, "no inputs in \(Self.root.path)/\(reader)")
  }

  @Test("CSV inputs parse or throw DataError", arguments: inputs("csv"))
  func csv(path: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    for options in [CSVReadOptions(), CSVReadOptions(label: .index(0), dropInvalidRows: true)] {
      do {
        _ = try data.withUnsafeBytes { try CSV.parse($0.bindMemory(to: UInt8.self), file: path, options: options) }
      } catch is DataError {}
    }
  }

  @Test("NPY inputs parse or throw DataError", arguments: inputs("npy"))
  func npy(path: String) throws {
    do {
      let array = try NPY.parse(Data(contentsOf: URL(fileURLWithPath: path)), file: path)
      #expect(array.values.count == array.shape.reduce(1, *))
    } catch is DataError {}
  }

  @Test("Safetensors inputs parse or throw DataError", arguments: inputs("safetensors"))
  func safetensors(path: String) throws {
    do {
      let file = try Safetensors.parse(Data(contentsOf: URL(fileURLWithPath: path)), file: path)
      for tensor in file.tensors.values { #expect(tensor.values.count == tensor.shape.reduce(1, *)) }
    } catch is DataError {}
  }
}
