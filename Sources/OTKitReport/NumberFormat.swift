import Foundation

/// The one number formatter of reports and tables: fixed, scientific and general notation,
/// with one convention for values that are not finite (`-` for NaN, `inf` and `-inf`).
public enum NumberFormat {
  /// `x` with `digits` decimals (`%.{digits}f`).
  public static func fixed(_ x: Double, _ digits: Int) -> String {
    nonFinite(x) ?? String(format: "%.\(digits)f", x)
  }

  /// `x` in scientific notation with `digits` decimals (`%.{digits}e`).
  public static func scientific(_ x: Double, _ digits: Int) -> String {
    nonFinite(x) ?? String(format: "%.\(digits)e", x)
  }

  /// `x` in the shortest of fixed and scientific notation (`%g`).
  public static func general(_ x: Double) -> String {
    nonFinite(x) ?? String(format: "%g", x)
  }

  /// `mean ± deviation` with `digits` decimals.
  public static func estimate(_ mean: Double, _ deviation: Double, _ digits: Int) -> String {
    fixed(mean, digits) + " ± " + fixed(deviation, digits)
  }

  static func nonFinite(_ x: Double) -> String? {
    if x.isNaN { return "-" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return nil
  }
}
