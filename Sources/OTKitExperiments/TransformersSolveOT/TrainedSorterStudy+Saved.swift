import Foundation

extension TrainedSorterStudy {
  /// The options and runs saved in the JSON outputs of earlier trained-sorter runs
  /// (`otkit reproduce sorting --trained --json > FILE`), merged: the same settings but for
  /// prompts and seeds, no prompt and seed twice; prompts in the usual order, seeds
  /// ascending. This splits a long study over processes or machines.
  ///
  /// - Throws: ``ReproductionError/file(path:message:)`` naming the file that cannot be
  ///   read, holds no trained-sorter JSON, or does not go with the others.
  public static func saved(_ paths: [String]) throws -> (options: Options, runs: [Run]) {
    var options: Options?
    var runs: [Run] = []
    for path in paths {
      let (mine, found) = try savedFile(path)
      if var first = options {
        var comparable = mine
        (comparable.prompts, comparable.seeds, comparable.training.prompt, comparable.training.seed) = (first.prompts, first.seeds, first.training.prompt, first.training.seed)
        guard comparable == first else {
          throw ReproductionError.file(path: path, message: "\(path): its settings (steps, batch, layers, lengths, quirks) differ from those of \(paths[0])")
        }
        for prompt in mine.prompts where !first.prompts.contains(prompt) { first.prompts.append(prompt) }
        for seed in mine.seeds where !first.seeds.contains(seed) { first.seeds.append(seed) }
        options = first
      } else {
        options = mine
      }
      for run in found {
        guard !runs.contains(where: { $0.prompt == run.prompt && $0.seed == run.seed }) else {
          throw ReproductionError.file(path: path, message: "\(path): prompt \(run.prompt.rawValue), seed \(run.seed) is also in an earlier file")
        }
        runs.append(run)
      }
    }
    guard let options else { throw ReproductionError.invalid(option: "trained-runs", message: "--trained-runs: no file given") }
    let order = SorterPrompt.allCases
    runs.sort { (order.firstIndex(of: $0.prompt)!, $0.seed) < (order.firstIndex(of: $1.prompt)!, $1.seed) }
    return (options, runs)
  }

  /// One file's options and runs: the last JSON line's `trained` object (at the top level,
  /// or in `result`).
  static func savedFile(_ path: String) throws -> (Options, [Run]) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ReproductionError.file(path: path, message: "\(path): cannot be read")
    }
    let object = text.split(separator: "\n").last(where: { $0.hasPrefix("{") })
      .flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    let trained = (object?["trained"] as? [String: Any]) ?? ((object?["result"] as? [String: Any])?["trained"] as? [String: Any])
    guard let trained, let savedOptions = trained["options"], let savedRuns = trained["runs"] else {
      throw ReproductionError.file(
        path: path, message: "\(path): holds no trained-sorter JSON line (write one with otkit reproduce sorting --trained --json > \(path))")
    }
    do {
      let decoder = JSONDecoder()
      return (
        try decoder.decode(Options.self, from: JSONSerialization.data(withJSONObject: savedOptions)),
        try decoder.decode([Run].self, from: JSONSerialization.data(withJSONObject: savedRuns))
      )
    } catch {
      throw ReproductionError.file(path: path, message: "\(path): the trained-sorter JSON does not decode: \(error)")
    }
  }
}
