import OTKitNeural

/// The run options the tabular studies share: repetitions, the seed, the most epochs of
/// every model and where the transformers normalize.
protocol TabularRunSettings {
  var repetitions: Int { get set }
  var seed: UInt64 { get set }
  var epochs: Int { get set }
  var norm: NormPlacement { get set }
}

extension TabularRunSettings {
  /// Sets one of the shared options; `false` for any other option.
  mutating func setRunOption(_ option: String, to text: String) throws -> Bool {
    switch option {
    case "repetitions": repetitions = try OptionText.integer(text, option: option, in: 1...10_000)
    case "seed": seed = try OptionText.seed(text, option: option)
    case "epochs": epochs = try OptionText.integer(text, option: option, in: 1...1_000_000)
    case "norm": norm = try OptionText.value(text, option: option, must: "post or pre", { NormPlacement(rawValue: $0) })
    default: return false
    }
    return true
  }
}
