#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers from bytes, correctly rounded.
///
/// The common case (at most 19 significant digits, a decimal exponent within +-22) is
/// exact by Clinger's fast path: the integer significand and the power of ten are both
/// exactly representable, so one IEEE multiplication or division rounds correctly
/// (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990). Anything
/// else goes to the C library's `strtod`.
enum NumberParser {
  enum Result: Equatable {
    case number(Double)
    case missing
    case notANumber
    case notFinite
  }

  @usableFromInline
  static let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
  }

  /// Parses `bytes[start..<end]` (blanks around the number allowed). `terminated` says
  /// that a byte which cannot continue a number (a delimiter or line end) follows `end`
  /// in the buffer, so that `strtod` may read the number in place.
  @inline(__always)
  static func parse(
    _ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, terminated: Bool = false
  ) -> Result {
    var i = start
    var e = end
    while i < e && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
    while e > i && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09) { e -= 1 }
    if i == e { return .missing }
    let first = i
    var negative = false
    if bytes[i] == 0x2D { negative = true; i += 1 } else if bytes[i] == 0x2B { i += 1 }
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent = 0
    var sawDigit = false
    while i < e, case let d = bytes[i] &- 0x30, d < 10 {
      sawDigit = true
      if digits < 19 {
        mantissa = mantissa &* 10 &+ UInt64(d)
        if mantissa != 0 { digits += 1 }
      } else {
        exponent += 1
        digits += 1
      }
      i += 1
    }
    if i < e && bytes[i] == 0x2E {
      i += 1
      while i < e, case let d = bytes[i] &- 0x30, d < 10 {
        sawDigit = true
        if digits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(d)
          exponent -= 1
          if mantissa != 0 { digits += 1 }
        } else {
          digits += 1
        }
        i += 1
      }
    }
    if sawDigit && i < e && (bytes[i] | 0x20) == 0x65 {
      i += 1
      var negativeExponent = false
      if i < e && (bytes[i] == 0x2D || bytes[i] == 0x2B) {
        negativeExponent = bytes[i] == 0x2D
        i += 1
      }
      var value = 0
      var sawExponentDigit = false
      while i < e, case let d = bytes[i] &- 0x30, d < 10 {
        sawExponentDigit = true
        if value < 100_000 { value = value * 10 + Int(d) }
        i += 1
      }
      if !sawExponentDigit { return slowPath(bytes, first, e, inPlace: terminated && e == end) }
      exponent += negativeExponent ? -value : value
    }
    if !sawDigit || i != e { return slowPath(bytes, first, e, inPlace: terminated && e == end) }
    if digits <= 19 && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
      var value = Double(mantissa)
      if exponent < 0 {
        value /= powersOfTen[-exponent]
      } else {
        value *= powersOfTen[exponent]
      }
      return .number(negative ? -value : value)
    }
    return slowPath(bytes, first, e, inPlace: terminated && e == end)
  }

  /// Words that mark a missing value.
  static let missingMarkers: Set<String> = [
    "na", "n/a", "nan", "null", "none", "?", "-nan", "+nan", "missing",
  ]

  /// Whether `bytes[start..<end]` is a decimal number: an optional sign, digits with at
  /// most one point (at least one digit), and an optional exponent `e[+-]digits`. `strtod`
  /// alone would also take hexadecimal (`0x10`), `inf` and `nan` words, and trailing
  /// garbage after a prefix.
  static func isDecimal(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var i = start
    if i < end && (bytes[i] == 0x2D || bytes[i] == 0x2B) { i += 1 }
    var digits = 0
    while i < end && bytes[i] &- 0x30 < 10 { i += 1; digits += 1 }
    if i < end && bytes[i] == 0x2E {
      i += 1
      while i < end && bytes[i] &- 0x30 < 10 { i += 1; digits += 1 }
    }
    guard digits > 0 else { return false }
    if i < end && (bytes[i] | 0x20) == 0x65 {
      i += 1
      if i < end && (bytes[i] == 0x2D || bytes[i] == 0x2B) { i += 1 }
      var exponentDigits = 0
      while i < end && bytes[i] &- 0x30 < 10 { i += 1; exponentDigits += 1 }
      guard exponentDigits > 0 else { return false }
    }
    return i == end
  }

  /// Words for infinity (with an optional sign), which are numbers but not finite ones.
  static let infinityWords: Set<String> = ["inf", "infinity", "+inf", "-inf", "+infinity", "-infinity"]

  static func slowPath(
    _ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, inPlace: Bool
  ) -> Result {
    let length = end - start
    guard isDecimal(bytes, start, end) else {
      // Words are read only when short: a missing-value marker or an infinity.
      guard length <= 16 else { return .notANumber }
      let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: length), as: UTF8.self).lowercased()
      if missingMarkers.contains(text) { return .missing }
      if infinityWords.contains(text) { return .notFinite }
      return .notANumber
    }
    if inPlace {
      // The byte after the number stops strtod, so no copy is needed.
      let p = UnsafeRawPointer(bytes + start).assumingMemoryBound(to: CChar.self)
      var endPointer: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(p, &endPointer)
      guard let endPointer, UnsafePointer(endPointer) - p == length else { return .notANumber }
      return value.isFinite ? .number(value) : .notFinite
    }
    // strtod needs a terminated copy (of any length: a long number in the last cell of a
    // file without a final newline is still a number).
    var buffer = [CChar](repeating: 0, count: length + 1)
    for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
    return buffer.withUnsafeMutableBufferPointer { p -> Result in
      var endPointer: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(p.baseAddress!, &endPointer)
      guard let endPointer, endPointer - p.baseAddress! == length else { return .notANumber }
      return value.isFinite ? .number(value) : .notFinite
    }
  }
}
