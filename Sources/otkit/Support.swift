import ArgumentParser
import Foundation
import OTKit

/// Standard error output.
enum Console {
  static func error(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
  }
}

/// `body`'s value; any error it throws becomes a ``CLIError`` printed as the error
/// describes itself (exit status 1).
func reported<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch where error is CLIError || error is MemoryError {
    throw error
  } catch {
    throw CLIError("\(error)")
  }
}

extension DataError {
  /// The message with the hints of `otkit train`, `predict` and `reproduce`, whose options
  /// fix these problems (the library's messages name no option).
  var trainingDescription: String {
    description(hints: .init(dropInvalid: "--drop-invalid", label: "--label", classes: "--classes", tokenDimension: "--token-dim"))
  }
}

/// A name the library lists (``AttentionAnchor/names``, ``TabularModel/names``), parsed by
/// ArgumentParser so that an unknown name gets its message with every valid one.
struct LibraryName<List: NamedCases>: ExpressibleByArgument, Equatable, CustomStringConvertible {
  let description: String
  init(_ name: String) { description = name }
  init?(argument: String) { guard List.names.contains(argument) else { return nil }; description = argument }
  static var allValueStrings: [String] { List.names }
  /// "a, b or c", as the option's help lists them.
  static var listed: String { List.names.dropLast().joined(separator: ", ") + " or " + List.names.last! }
}

/// A comma-separated list of a library's names (`softmax,sinkhorn,entmax`).
struct LibraryNames<List: NamedCases>: ExpressibleByArgument, Equatable, CustomStringConvertible {
  let names: [String]
  init(_ names: [String]) { self.names = names }
  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard !parts.isEmpty, parts.allSatisfy(List.names.contains) else { return nil }
    names = parts
  }
  var description: String { names.joined(separator: ",") }
  static var allValueStrings: [String] { List.names }
}

/// A comma-separated list of arguments (`window:1,window:3,full`; `32,32`).
struct ArgumentList<Element: ExpressibleByArgument>: ExpressibleByArgument {
  let values: [Element]
  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Element(argument: String($0)) }
    guard !parts.isEmpty, !parts.contains(where: { $0 == nil }) else { return nil }
    values = parts.map { $0! }
  }
}

protocol NamedCases { static var names: [String] { get } }
extension AttentionAnchor: NamedCases {}
extension TabularModel: NamedCases {}
