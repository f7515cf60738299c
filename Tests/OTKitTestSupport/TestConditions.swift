import Foundation

/// When the tests that need more than a debug build or this repository can run.
public enum TestConditions {
  /// Whether the tests were compiled with optimization (`swift test -c release`).
  public static let isOptimized: Bool = {
    #if DEBUG
    return false
    #else
    return true
    #endif
  }()

  /// Whether heavy accuracy checks run: in optimized builds (CI runs them with
  /// `swift test -c release`), or in any build with `OTKIT_HEAVY_TESTS=1`. The README's
  /// `swift test` (a debug build) leaves them out so that it stays within minutes on two
  /// cores without a system BLAS; each is listed as skipped with this reason.
  public static let heavy: Bool = isOptimized || ProcessInfo.processInfo.environment["OTKIT_HEAVY_TESTS"] == "1"

  /// Why a heavy test was skipped.
  public static let heavyReason = "heavy accuracy check: runs with swift test -c release (as CI does) or OTKIT_HEAVY_TESTS=1"

  /// The BEED data set (`../shared/data/beed.csv` beside the repository), when present; a
  /// notice is printed once when it is not, and the tests on it are skipped.
  public static let beedPath: String? = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    let path = url.appendingPathComponent("shared/data/beed.csv").path
    if FileManager.default.fileExists(atPath: path) { return path }
    FileHandle.standardError.write(Data("note: \(path) is absent; the tests on the BEED data set are skipped\n".utf8))
    return nil
  }()

  /// The digits data set (`../shared/data/digits.csv` beside the repository), when present.
  public static let digitsPath: String? = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    let path = url.appendingPathComponent("shared/data/digits.csv").path
    if FileManager.default.fileExists(atPath: path) { return path }
    FileHandle.standardError.write(Data("note: \(path) is absent; the tests on the digits data set are skipped\n".utf8))
    return nil
  }()

  /// Why a digits test was skipped.
  public static let digitsReason = "needs the digits data set at ../shared/data/digits.csv"

  /// Why a BEED test was skipped.
  public static let beedReason = "needs the BEED data set at ../shared/data/beed.csv"
}
