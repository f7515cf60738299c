import Foundation
import OTKitCore

/// A one-line progress bar on standard error: steps done, a bar, a message and the time
/// left. It draws only when standard error is a terminal, so logs and pipes stay clean.
public final class ProgressBar: @unchecked Sendable {
  public let total: Int
  public let isEnabled: Bool
  let start = DispatchTime.now().uptimeNanoseconds
  var drawn = false
  let lock = NSLock()

  /// - Parameter enabled: when false, or when standard error is not a terminal, nothing is
  ///   drawn.
  public init(total: Int, enabled: Bool = true) {
    self.total = max(total, 1)
    self.isEnabled = enabled && isatty(2) != 0
  }

  /// The latest report of any bar of this process (what an interrupted command says it
  /// completed), drawn or not.
  public static var latest: (done: Int, total: Int, message: String)? { latestReport.withLock { $0 } }

  static let latestReport = Locked<(done: Int, total: Int, message: String)?>(nil)

  /// Redraws with `done` of ``total`` steps and a message.
  public func update(done: Int, message: String) {
    Self.latestReport.withLock { $0 = (done, total, message) }
    guard isEnabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let fraction = min(Double(done) / Double(total), 1)
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let left = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
    let line = "\r\(done)/\(total) [\(bar)] \(message)  \(Self.duration(elapsed)) elapsed, \(left.isFinite ? Self.duration(left) : "?") left\u{1B}[K"
    FileHandle.standardError.write(line.data(using: .utf8)!)
    drawn = true
  }

  /// Redraws from an epoch record.
  public func update(_ record: EpochRecord) {
    Self.latestReport.withLock { $0 = (record.epoch + 1, total, "epoch \(record.epoch + 1)") }
    guard isEnabled else { return }
    var message = "epoch \(record.epoch + 1) loss \(String(format: "%.4f", record.trainingLoss))"
    if let a = record.trainingAccuracy { message += " acc \(String(format: "%.3f", a))" }
    if let v = record.validationLoss { message += " val \(String(format: "%.4f", v))" }
    if let a = record.validationAccuracy { message += " val acc \(String(format: "%.3f", a))" }
    update(done: record.epoch + 1, message: message)
  }

  /// Ends the line.
  public func finish() {
    guard isEnabled, drawn else { return }
    FileHandle.standardError.write("\n".data(using: .utf8)!)
  }

  static func duration(_ seconds: Double) -> String {
    seconds < 60 ? String(format: "%.1fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
  }
}
