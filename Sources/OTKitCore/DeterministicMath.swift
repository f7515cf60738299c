/// Elementary functions built from IEEE `+ - * /` only, so that their results are the same
/// bit for bit on every platform (the platform `libm` may differ in the last ulp).
public enum DeterministicMath {
  /// The natural logarithm, within 1 ulp: `x = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`,
  /// `log m = 2 atanh(s)`, `s = (m - 1)/(m + 1)`, summed as a series to 1e-17.
  /// `log(0) = -infinity`; negative input and NaN give NaN.
  ///
  /// - Complexity: `O(1)`, about 30 floating-point operations.
  public static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return .infinity }
    var m = x.significand  // in [1, 2)
    var k = Double(x.exponent)
    if m > 1.4142135623730951 {
      m *= 0.5
      k += 1
    }
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| < 0.1716, s^2 < 0.0295.
    var term = s2
    var series = 0.0
    var n = 3.0
    while n < 30 {
      series += term / n
      term *= s2
      n += 2
    }
    let ln2Hi = 6.93147180369123816490e-01
    let ln2Lo = 1.90821492927058770002e-10
    return k * ln2Hi + (2 * s + (2 * s * series + k * ln2Lo))
  }
}
