import ArgumentParser
import Foundation
import OTKit

/// Wall-clock timing.
enum Stopwatch {
  /// Seconds taken by `body`.
  static func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// The fastest of `runs` timings of `body`.
  static func best(of runs: Int, _ body: () -> Void) -> Double {
    (0..<runs).map { _ in time(body) }.min() ?? 0
  }
}

/// A JSON value for the CLI's machine-readable output (keys sorted, one line).
enum JSONValue {
  case string(String)
  case number(Double)
  case bool(Bool)
  case array([JSONValue])
  case object([String: JSONValue])
  case null

  func serialized() -> String {
    switch self {
    case .string(let s): return "\"" + escape(s) + "\""
    case .number(let x):
      guard x.isFinite else { return "null" }
      if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
      return "\(x)"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .array(let values): return "[" + values.map { $0.serialized() }.joined(separator: ",") + "]"
    case .object(let fields):
      return "{" + fields.keys.sorted().map { "\"\(escape($0))\":\(fields[$0]!.serialized())" }
        .joined(separator: ",") + "}"
    }
  }

  private func escape(_ s: String) -> String {
    var out = ""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}

/// Standard error output.
enum Console {
  static func error(_ text: String) {
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
  }
}

/// The comma-separated values of an option, each parsed and checked.
///
/// - Throws: `ValidationError` naming the option and what its values must be.
func parseList<T>(_ text: String, option: String, must requirement: String, _ parse: (String) -> T?, where valid: (T) -> Bool) throws -> [T] {
  let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
  let values = parts.compactMap(parse)
  guard !values.isEmpty, values.count == parts.count, values.allSatisfy(valid) else {
    throw ValidationError("\(option) must be \(requirement) separated by commas, got \"\(text)\"")
  }
  return values
}

extension DataError {
  /// The message with the hints of `otkit train`, `predict` and `reproduce`, whose options
  /// fix these problems (the library's messages name no option).
  var trainingDescription: String {
    description(hints: .init(dropInvalid: "--drop-invalid", label: "--label", classes: "--classes", tokenDimension: "--token-dim"))
  }
}
