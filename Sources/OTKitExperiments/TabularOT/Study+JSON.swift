import OTKitReport

extension Study.Summary {
  /// The summary as one flat JSON row, as `otkit reproduce --json` wrote it in 0.x
  /// (`accuracy` and `accuracySD`, each metric and its `SD`, ...).
  public var flatRow: JSONValue {
    var object: [String: JSONValue] = [
      "model": .string(model), "classes": .number(Double(classes)), "runs": .number(Double(runs)),
      "accuracy": .number(accuracy.mean), "accuracySD": .number(accuracy.deviation),
      "pointAccuracy": .number(pointAccuracy.mean), "pointAccuracySD": .number(pointAccuracy.deviation),
      "trainSeconds": .number(seconds.mean), "trainSecondsSD": .number(seconds.deviation),
    ]
    if let separation { object["separation"] = .number(separation) }
    if let gaussDist { object["gaussDist"] = .number(gaussDist) }
    for (name, value) in metrics {
      object[name] = .number(value.mean)
      object[name + "SD"] = .number(value.deviation)
    }
    return .object(object)
  }
}
