extension SolveError {
  /// The check of ``SolveOptions`` in the words of a front end whose options are named
  /// `flags` (a setting's name to its option, `--float32` for `useFloat`); methods by their
  /// names, settings without a flag by their own name.
  public func message(flags: [String: String]) -> String {
    func flag(_ setting: String) -> String { flags[setting] ?? setting }
    func methods(_ setting: String) -> String {
      let names = SolveOptions.methods(taking: setting).map(\.rawValue)
      return names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
    switch self {
    case .missingEpsilon(let method): return "--method \(method.rawValue) needs \(flag("epsilon"))"
    case .missingSetting(let setting, let method):
      return "--method \(method.rawValue) needs \(setting == "gamma" ? "a positive finite \(flag("gamma"))" : "\(flag(setting)) of at least 1")"
    case .unsupportedSetting("epsilon", _): return "\(flag("epsilon")) and --relative-epsilon apply to --method \(methods("epsilon"))"
    case .unsupportedSetting(let setting, _): return "\(flag(setting)) applies to --method \(methods(setting))"
    case .invalidSetting(let setting, let reason): return "\(flag(setting)) \(reason)"
    default: return description
    }
  }
}
