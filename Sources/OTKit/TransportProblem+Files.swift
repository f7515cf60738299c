import Foundation

/// The files of a transport problem, as `otkit transport` takes them: point clouds (CSV or
/// NPY) and optional weights.
public struct TransportFiles: Sendable {
  public var source: String?
  public var target: String?
  public var sourceWeights: String?
  public var targetWeights: String?

  public init(source: String?, target: String?, sourceWeights: String? = nil, targetWeights: String? = nil) {
    (self.source, self.target, self.sourceWeights, self.targetWeights) = (source, target, sourceWeights, targetWeights)
  }

  /// The files, comma-separated (empty for a built-in problem).
  public var pointFiles: String { [source, target].compactMap { $0 }.joined(separator: ", ") }

  /// A problem error with the file it comes from; unequal totals point to `--rescale`.
  public func description(of error: TransportProblemError) -> String {
    let file: String
    switch error.side {
    case .some((.source, weights: true)): file = sourceWeights ?? "source weights"
    case .some((.target, weights: true)): file = targetWeights ?? "target weights"
    case .some((.source, weights: false)): file = source ?? "source"
    case .some((.target, weights: false)): file = target ?? "target"
    case .none: file = pointFiles
    }
    var text = error.description
    if case .unequalTotals = error { text += " (--rescale accepts them)" }
    return file.isEmpty ? text : "\(file): \(text)"
  }

  /// A solve error with the point files, in the command line's words (`--relative-epsilon`,
  /// `--float32`).
  public func description(of error: SolveError) -> String {
    let place = pointFiles.isEmpty ? "" : "\(pointFiles): "
    switch error {
    case .unresolvedEpsilon(let epsilon, let resolved):
      return "\(place)--epsilon \(epsilon) is \(resolved) on these points (the statistic of the costs is \(resolved == 0 ? "0" : "not finite")); give an absolute --epsilon (without --relative-epsilon)"
    case .floatOverflow(let largest):
      return "\(place)costs up to \(largest) overflow float32 (--float32); solve in float64 without it"
    default:
      return place + error.description
    }
  }
}

extension TransportProblem {
  /// The built-in problem of `otkit transport --example N`: two Gaussian clouds of `points`
  /// points in 16 dimensions (standard normal; mean 1 and deviation 1.5), seed 0.
  public static func example(points: Int, cost: GroundCost) throws -> TransportProblem {
    var rng = SeededGenerator(seed: 0)
    let x: Matrix<Double> = rng.normalMatrix(rows: points, columns: 16)
    let y: Matrix<Double> = rng.normalMatrix(rows: points, columns: 16, mean: 1, standardDeviation: 1.5)
    return try TransportProblem(source: x, target: y, cost: cost)
  }

  /// The problem of `files` (both point files given).
  ///
  /// - Throws: `DataError` naming a file, ``TransportProblemError``.
  public init(files: TransportFiles, cost: GroundCost, rescale: Bool, unbalanced: Bool) throws {
    try self.init(
      source: try MatrixFile.read(files.source!), target: try MatrixFile.read(files.target!),
      sourceWeights: try files.sourceWeights.map(MatrixFile.readWeights), targetWeights: try files.targetWeights.map(MatrixFile.readWeights),
      cost: cost, rescale: rescale, unbalanced: unbalanced)
  }
}
