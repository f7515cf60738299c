import Foundation

/// Parses the text of a reproduction's option into a value, or throws
/// ``ReproductionError/invalid(option:message:)`` naming the option (`--NAME`) and what its
/// values must be.
public enum OptionText {
  /// Comma-separated values, each parsed and checked; at least one.
  public static func list<T>(_ text: String, option: String, must requirement: String, _ parse: (String) -> T?, where valid: (T) -> Bool = { _ in true }) throws -> [T] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap(parse)
    guard !values.isEmpty, values.count == parts.count, values.allSatisfy(valid) else {
      throw ReproductionError.invalid(option: option, message: "--\(option) must be \(requirement) separated by commas, got \"\(text)\"")
    }
    return values
  }

  /// One value, parsed and checked.
  public static func value<T>(_ text: String, option: String, must requirement: String, _ parse: (String) -> T?, where valid: (T) -> Bool = { _ in true }) throws -> T {
    guard let value = parse(text.trimmingCharacters(in: .whitespaces)), valid(value) else {
      throw ReproductionError.invalid(option: option, message: "--\(option) must be \(requirement) (got \(text))")
    }
    return value
  }

  /// An integer in `range`.
  public static func integer(_ text: String, option: String, in range: ClosedRange<Int>) throws -> Int {
    try value(text, option: option, must: "an integer from \(range.lowerBound) to \(range.upperBound)", { Int($0) }, where: range.contains)
  }

  /// A flag: `true` or `false` (the command line passes `true` when the flag is given).
  public static func flag(_ text: String, option: String) throws -> Bool {
    try value(text, option: option, must: "true or false", { Bool($0) })
  }

  /// A seed: a non-negative integer.
  public static func seed(_ text: String, option: String) throws -> UInt64 {
    try value(text, option: option, must: "a non-negative integer", { UInt64($0) })
  }

  /// Positive finite numbers, comma-separated.
  public static func positives(_ text: String, option: String) throws -> [Double] {
    try list(text, option: option, must: "positive numbers", { Double($0) }, where: { $0 > 0 && $0.isFinite })
  }
}
