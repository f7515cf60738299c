import Foundation

/// A JSON value for machine-readable output: keys sorted, one line, integral numbers
/// without a fraction, non-finite numbers as `null`.
public enum JSONValue: Sendable, Equatable {
  case string(String)
  case number(Double)
  case bool(Bool)
  case array([JSONValue])
  case object([String: JSONValue])
  case null

  /// The JSON value of an `Encodable` value (``JSONValueEncoder``); `null` if it cannot
  /// be encoded.
  public init(encoding value: some Encodable) {
    self = (try? JSONValueEncoder.encode(value)) ?? .null
  }

  /// The value as one line of JSON.
  public func serialized() -> String {
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
