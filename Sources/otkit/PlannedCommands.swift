import ArgumentParser

/// The error of a subcommand whose solver is not part of this release yet.
struct NotInThisRelease: Error, CustomStringConvertible {
  var command: String
  var description: String {
    "otkit \(command) is not available in OTKit 0.1 yet; `otkit --help` lists what is."
  }
}

struct AttentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attention", abstract: "Compute attention weights with a transport anchor (coming).")
  @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
  func run() throws { throw NotInThisRelease(command: "attention") }
}
