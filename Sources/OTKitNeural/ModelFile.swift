import Foundation
import OTKitAutograd
import OTKitCore
import OTKitData

/// A saved model: a directory holding `config.json` (what the model is: its kind, sizes,
/// feature names, class labels, standardization) and `model.safetensors` (its parameters by
/// dotted name, `F64`, readable by the `safetensors` Python package and PyTorch).
///
/// Loading checks that the file holds exactly the parameters the configured model has, with
/// the same shapes; a truncated, corrupt or mismatched file is a ``ModelFileError``.
public enum ModelFile {
  public static let configurationName = "config.json"
  public static let parametersName = "model.safetensors"

  /// Writes the configuration and the parameters of `module` as the directory `directory`,
  /// replaced as a whole (`AtomicFile.replaceDirectory(at:_:)`): a reader, or a run
  /// stopped at any point, finds the old model or the new one, never the configuration of
  /// one beside the weights of the other. Missing parent folders are created.
  ///
  /// - Throws: ``ModelFileError`` naming the path, also when `directory` holds files other
  ///   than a model's (it would be replaced as a whole).
  public static func save(_ module: some Module, configuration: some Encodable, to directory: String) throws {
    try prepare(directory)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let json: Data
    do {
      json = try encoder.encode(configuration)
    } catch {
      throw ModelFileError(path: directory, reason: "cannot encode the configuration: \(error)")
    }
    var tensors: [String: Safetensors.Tensor] = [:]
    for (name, p) in module.namedParameters { tensors[name] = Safetensors.Tensor(p.value) }
    let file = Safetensors.File(tensors: tensors, metadata: ["format": "otkit", "otkit_config": String(decoding: json, as: UTF8.self)])
    do {
      try AtomicFile.replaceDirectory(at: directory) { folder in
        try AtomicFile.write(json, to: (folder as NSString).appendingPathComponent(configurationName))
        try Safetensors.write(file, to: (folder as NSString).appendingPathComponent(parametersName))
      }
    } catch let error as AtomicFileError {
      throw ModelFileError(path: error.path, reason: error.reason)
    }
  }

  /// Creates the parent folders of a model directory, and refuses a directory that holds
  /// anything but a model's two files.
  static func prepare(_ directory: String) throws {
    let files = FileManager.default
    // Not NSString.deletingLastPathComponent: it traps on a one-character path ("m").
    let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
    do {
      if !parent.isEmpty { try files.createDirectory(atPath: parent, withIntermediateDirectories: true) }
    } catch {
      throw ModelFileError(path: parent, reason: "cannot create the directory: \(error.localizedDescription)")
    }
    guard let entries = try? files.contentsOfDirectory(atPath: directory) else { return }
    let others = Set(entries).subtracting([configurationName, parametersName])
    guard others.isEmpty else {
      throw ModelFileError(
        path: directory,
        reason: "holds other files than a model's (\(others.sorted().prefix(3).joined(separator: ", "))); a saved model replaces its directory as a whole: save into a new directory")
    }
  }

  /// Reads the configuration.
  public static func configuration<C: Decodable>(_ type: C.Type, from directory: String) throws -> C {
    let path = (directory as NSString).appendingPathComponent(configurationName)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ModelFileError(path: path, reason: "is missing or unreadable (is \(directory) a model directory with config.json and model.safetensors?)")
    }
    do {
      return try JSONDecoder().decode(type, from: data)
    } catch {
      throw ModelFileError(path: path, reason: "is not a valid model configuration: \(describe(error))")
    }
  }

  /// A decoding error in words: the field's path and what is wrong with it.
  static func describe(_ error: Error) -> String {
    func field(_ path: [CodingKey]) -> String {
      path.isEmpty ? "the top level" : "\"" + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "\""
    }
    switch error {
    case DecodingError.keyNotFound(let key, let context): return "\(field(context.codingPath + [key])) is missing"
    case DecodingError.typeMismatch(let type, let context): return "\(field(context.codingPath)) has the wrong type (\(type) expected)"
    case DecodingError.valueNotFound(let type, let context): return "\(field(context.codingPath)) is null (\(type) expected)"
    case DecodingError.dataCorrupted(let context):
      return context.codingPath.isEmpty ? "not JSON (\(context.debugDescription))" : "\(field(context.codingPath)): \(context.debugDescription)"
    default: return "\(error)"
    }
  }

  /// Loads the saved parameters into `module`, which must have the same names and shapes.
  public static func loadParameters(into module: some Module, from directory: String) throws {
    let path = (directory as NSString).appendingPathComponent(parametersName)
    // A truncated or corrupt file is a DataError naming the file and the problem.
    let file = try Safetensors.read(path)
    let expected = module.namedParameters
    let names = Set(expected.map(\.name))
    if let extra = file.tensors.keys.sorted().first(where: { !names.contains($0) }) {
      throw ModelFileError(path: path, reason: "holds a parameter \"\(extra)\" that the configured model does not have")
    }
    for (name, p) in expected {
      guard let t = file.tensors[name] else {
        throw ModelFileError(path: path, reason: "has no parameter \"\(name)\"")
      }
      guard let m = t.matrix, m.rows == p.value.rows, m.columns == p.value.columns else {
        throw ModelFileError(path: path, reason: "parameter \"\(name)\" has shape \(t.shape), the model needs [\(p.value.rows), \(p.value.columns)]")
      }
      guard m.elements.allSatisfy(\.isFinite) else {
        throw ModelFileError(path: path, reason: "parameter \"\(name)\" holds a non-finite value")
      }
      p.value = m
    }
  }
}

/// A model file that cannot be written or read, naming the file and the problem.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
