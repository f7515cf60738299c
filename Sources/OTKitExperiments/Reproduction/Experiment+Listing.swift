import OTKitReport

extension Experiment {
  /// The registry as text (`otkit reproduce --list`): a table of names, seeds and papers,
  /// then each reproduction's summary and options.
  public static var listingText: String {
    let rows = allCases.map { [$0.rawValue, $0.paper.seed, $0.paper.reference] }
    var text = TextTable(header: ["reproduction", "seed", "paper"], rows: rows).render()
    for e in allCases {
      let options = e.options.map { "--" + $0.name }.joined(separator: " ")
      text += "\n\n\(e.rawValue): \(e.summary)" + (options.isEmpty ? "" : "\n  options: " + options)
    }
    return text
  }

  /// The registry as JSON (`otkit reproduce --list --json`): per reproduction its name,
  /// summary, paper, reference, seed, default settings and options.
  public static var listingJSON: JSONValue {
    .array(allCases.map { e in
      .object([
        "name": .string(e.rawValue), "summary": .string(e.summary), "paper": .string(e.paper.title), "reference": .string(e.paper.reference),
        "seed": .string(e.paper.seed), "settings": e.defaultSettings, "options": .array(e.options.map { .string($0.name) }),
      ])
    })
  }
}
