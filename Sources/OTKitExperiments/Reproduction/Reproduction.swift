import Foundation
import OTKitReport

/// A reproduced study of a paper, as a library value: settings whose defaults are the
/// paper's, one ``run(progress:)`` that returns an `Encodable` result, and a ``Report``
/// built from that result (text for the terminal, HTML with figures, JSON beside it).
///
/// Adding a reproduction is one folder in `OTKitExperiments` (named after the paper) with a
/// type conforming to this protocol, plus one case in ``Experiment``; `otkit reproduce NAME`
/// and the tests that run every registered reproduction reach it with no other edit.
public protocol Reproduction: Sendable {
  associatedtype Settings: ReproductionSettings
  associatedtype Result: Encodable

  /// The registry's case of this reproduction.
  static var experiment: Experiment { get }

  var settings: Settings { get }
  init(settings: Settings)

  /// Runs the study, reporting progress as it goes.
  func run(progress: ReproductionProgress) throws -> Result

  /// The report of a result: tables, paragraphs and figures.
  func report(_ result: Result) -> Report

  /// Fields of the result also written at the top level of the JSON envelope, as the 0.x
  /// command line wrote them (for scripts that read them); none by default.
  func legacyFields(_ result: Result) -> [String: JSONValue]
}

extension Reproduction {
  public func legacyFields(_ result: Result) -> [String: JSONValue] { [:] }
}

/// The settings of a reproduction: `Codable` (the JSON envelope echoes them), with the
/// paper's defaults from `init()`, a small ``quick`` variant for tests and smoke runs, and
/// named options that the command line maps its flags onto (`--gamma-ratio 0.5` sets the
/// option `gamma-ratio`).
public protocol ReproductionSettings: Codable, Sendable {
  /// The paper's settings.
  init()
  /// Small settings that run in seconds (tests, smoke runs).
  static var quick: Self { get }
  /// The options ``set(_:to:)`` accepts, with their help.
  static var options: [ReproductionOption] { get }
  /// Sets an option from its text; throws ``ReproductionError/notAnOption(_:)`` when this
  /// reproduction has no such option, ``ReproductionError/invalid(option:message:)`` when
  /// the text is not a valid value.
  mutating func set(_ option: String, to text: String) throws
  /// Checks the settings as a whole once every option is set (`given`: the options set).
  func validate(given: Set<String>) throws
}

extension ReproductionSettings {
  public func validate(given: Set<String>) throws {}
  /// No options by default.
  public static var options: [ReproductionOption] { [] }
  public mutating func set(_ option: String, to text: String) throws { throw ReproductionError.notAnOption(option) }
}

/// An option of a reproduction's settings: its name (as a command-line flag without the
/// dashes) and its help.
public struct ReproductionOption: Sendable, Hashable {
  public var name: String
  public var help: String

  public init(_ name: String, _ help: String) {
    self.name = name
    self.help = help
  }
}

/// The one progress type of reproductions: each report says how many steps of how many
/// are done, and what is running.
public struct ReproductionProgress: Sendable {
  let handler: @Sendable (_ done: Int, _ total: Int, _ message: String) -> Void

  public init(_ handler: @escaping @Sendable (_ done: Int, _ total: Int, _ message: String) -> Void) {
    self.handler = handler
  }

  /// Reports `done` of `total` steps.
  public func callAsFunction(_ done: Int, of total: Int, _ message: String) {
    handler(done, total, message)
  }

  /// Progress that goes nowhere.
  public static let silent = ReproductionProgress { _, _, _ in }

  /// The progress of one part of a larger run: the part reports its own steps, which count
  /// from `base` of `total` in all.
  public func part(from base: Int, of total: Int) -> ReproductionProgress {
    let handler = self.handler
    return ReproductionProgress { done, _, message in handler(base + done, total, message) }
  }
}

/// Why a reproduction cannot run with the options given.
public enum ReproductionError: Error, Equatable, CustomStringConvertible {
  /// The reproduction has no such option.
  case notAnOption(String)
  /// The option's value is not valid; the message says what it must be.
  case invalid(option: String, message: String)
  /// A file the reproduction reads cannot be used (it names the file).
  case file(path: String, message: String)

  public var description: String {
    switch self {
    case .notAnOption(let option): "--\(option) is not an option of this experiment"
    case .invalid(_, let message): message
    case .file(_, let message): message
    }
  }
}
