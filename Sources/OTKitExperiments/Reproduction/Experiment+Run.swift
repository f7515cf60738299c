import Foundation
import OTKitReport

/// A reproduction with its settings chosen and checked, ready to run; the same for every
/// case of ``Experiment``.
public struct PreparedReproduction: Sendable {
  public let experiment: Experiment
  /// The settings as JSON (the envelope's `settings`).
  public let settings: JSONValue
  let body: @Sendable (ReproductionProgress) throws -> (report: Report, result: JSONValue, legacy: [String: JSONValue])

  /// Runs the reproduction and times it.
  public func run(progress: ReproductionProgress = .silent) throws -> ReproductionOutput {
    let start = DispatchTime.now().uptimeNanoseconds
    let (report, result, legacy) = try body(progress)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return ReproductionOutput(experiment: experiment, settings: settings, seconds: seconds, result: result, report: report, legacy: legacy)
  }
}

/// What a reproduction's run gives: its report and its result as JSON, in one envelope.
public struct ReproductionOutput: Sendable {
  public let experiment: Experiment
  public let settings: JSONValue
  public let seconds: Double
  public let result: JSONValue
  public let report: Report
  let legacy: [String: JSONValue]

  /// The JSON envelope, one shape for every reproduction: `experiment`, `paper`,
  /// `settings`, `seconds` and `result` (and, for the reproductions of 0.x, the result's
  /// fields at the top level as 0.x wrote them).
  public var envelope: JSONValue {
    var fields = legacy
    fields["experiment"] = .string(experiment.rawValue)
    fields["paper"] = .object([
      "title": .string(experiment.paper.title), "reference": .string(experiment.paper.reference), "seed": .string(experiment.paper.seed),
    ])
    fields["settings"] = settings
    fields["seconds"] = .number(seconds)
    fields["result"] = result
    return .object(fields)
  }
}

extension Experiment {
  /// The reproduction with the paper's settings (or the quick ones) and the options given
  /// (name without dashes, text), checked.
  ///
  /// - Throws: ``ReproductionError``: an option of another reproduction (the message names
  ///   those it applies to), an invalid value, or settings that do not go together.
  public func prepare(options: [(name: String, value: String)] = [], quick: Bool = false) throws -> PreparedReproduction {
    try Self.prepare(reproduction, experiment: self, options: options, quick: quick)
  }

  /// The reproductions that take an option.
  public static func taking(_ option: String) -> [Experiment] {
    allCases.filter { experiment in experiment.optionNames.contains(option) }
  }

  /// The names of the options of this reproduction's settings.
  public var optionNames: Set<String> { Set(options.map(\.name)) }

  /// The options of this reproduction's settings.
  public var options: [ReproductionOption] { Self.options(of: reproduction) }

  /// The paper's settings as JSON.
  public var defaultSettings: JSONValue { Self.defaults(of: reproduction) }

  static func options<R: Reproduction>(of type: R.Type) -> [ReproductionOption] { R.Settings.options }

  static func defaults<R: Reproduction>(of type: R.Type) -> JSONValue { JSONValue(encoding: R.Settings()) }

  static func prepare<R: Reproduction>(_ type: R.Type, experiment: Experiment, options: [(name: String, value: String)], quick: Bool) throws -> PreparedReproduction {
    var settings = quick ? R.Settings.quick : R.Settings()
    for (name, value) in options {
      do {
        try settings.set(name, to: value)
      } catch ReproductionError.notAnOption {
        let others = taking(name).map(\.rawValue)
        let hint = others.first.map { " (otkit reproduce \($0) --\(name) ...)" } ?? ""
        throw ReproductionError.invalid(
          option: name,
          message: others.isEmpty
            ? "--\(name) is not an option of any reproduction"
            : "--\(name) applies to the \(others.joined(separator: ", ")) experiment\(others.count > 1 ? "s" : "")\(hint)")
      }
    }
    try settings.validate(given: Set(options.map(\.name)))
    let reproduction = R(settings: settings)
    let encoded = JSONValue(encoding: settings)
    return PreparedReproduction(experiment: experiment, settings: encoded) { progress in
      let result = try reproduction.run(progress: progress)
      return (reproduction.report(result), JSONValue(encoding: result), reproduction.legacyFields(result))
    }
  }
}
