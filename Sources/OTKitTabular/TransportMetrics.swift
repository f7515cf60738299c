import Foundation
import OTKitCore
import OTKitTransport

/// The OT metrics of training of one class, or of all classes together
/// (A. Candelieri and A. Quadrio, arXiv 2512.09530, section 5).
///
/// With `S` the start points (the standardized input), `D` their images at the best epoch
/// and `sigma` an optimal assignment of `S` to `D` for the squared Euclidean cost:
/// - `transformerDistance` `TD = ||S - D||_F` (each point paired with itself);
/// - `wasserstein` `W = sqrt(sum_i |S_i - D_sigma(i)|^2)`, unit masses, unnormalized;
/// - `mongeGap` `TD - W >= 0`; `optimality` `W / TD`; `matching` the share of `i` with
///   `sigma(i) = i`;
/// - `transformerCost` the total length of every point's polyline through the epochs;
/// - `efficiency` `TD / transformerCost` as the study defines it (an l2 aggregate over an l1
///   sum: it shrinks like `1 / sqrt(N)` even for straight paths), and
///   `normalizedEfficiency` `sum_i |D_i - S_i| / transformerCost`, exactly 1 when every path
///   is straight.
///
/// The totals sum `TD`, `W`, the gap and the costs over classes, and recompute the ratios
/// from the sums. A class that does not move has optimality, matching and both
/// efficiencies 1 (no NaN).
public struct TransportMetrics: Sendable, Equatable, Codable {
  public var points: Int
  public var transformerDistance: Double
  public var wasserstein: Double
  public var matched: Int
  /// `sum_i |D_i - S_i|`, the length of the straight paths.
  public var straightLength: Double
  public var transformerCost: Double

  public var mongeGap: Double { max(transformerDistance - wasserstein, 0) }
  public var optimality: Double { transformerDistance > 0 ? wasserstein / transformerDistance : 1 }
  public var matching: Double { points > 0 ? Double(matched) / Double(points) : 1 }
  public var efficiency: Double { transformerCost > 0 ? transformerDistance / transformerCost : 1 }
  public var normalizedEfficiency: Double { transformerCost > 0 ? straightLength / transformerCost : 1 }

  /// The metrics of one class.
  ///
  /// - Parameters:
  ///   - start: the class's points at the start, one per row.
  ///   - end: the same points at the end.
  ///   - pathLengths: every point's path length through the epochs (`nil`: straight paths).
  /// - Throws: `TransportProblemError` when the points hold NaN or infinity.
  /// - Complexity: one exact assignment of `n` points, `O(n^3)` in the worst case.
  public init(start: Matrix<Double>, end: Matrix<Double>, pathLengths: [Double]? = nil) throws {
    precondition(start.shape == end.shape, "Start and end must have the same shape")
    let n = start.rows
    points = n
    var squared = 0.0, straight = 0.0
    for i in 0..<n {
      var s = 0.0
      for j in 0..<start.columns {
        let delta = end[i, j] - start[i, j]
        s += delta * delta
      }
      squared += s
      straight += s.squareRoot()
    }
    transformerDistance = squared.squareRoot()
    straightLength = straight
    transformerCost = pathLengths.map { $0.reduce(0, +) } ?? straight
    if n == 0 {
      wasserstein = 0
      matched = 0
      return
    }
    let result = try AssignmentSolver().solve(TransportProblem(source: start, target: end))
    let sigma = result.permutation ?? Array(0..<n)
    var optimal = 0.0
    for i in 0..<n {
      for j in 0..<start.columns {
        let delta = start[i, j] - end[sigma[i], j]
        optimal += delta * delta
      }
    }
    // The assignment is optimal, so W <= TD; clamp the round-off of equal costs.
    wasserstein = min(optimal.squareRoot(), transformerDistance)
    matched = (0..<n).filter { sigma[$0] == $0 }.count
  }

  /// The sum over classes; ratios are recomputed from the sums.
  public init(total parts: [TransportMetrics]) {
    points = parts.reduce(0) { $0 + $1.points }
    transformerDistance = parts.reduce(0) { $0 + $1.transformerDistance }
    wasserstein = parts.reduce(0) { $0 + $1.wasserstein }
    matched = parts.reduce(0) { $0 + $1.matched }
    straightLength = parts.reduce(0) { $0 + $1.straightLength }
    transformerCost = parts.reduce(0) { $0 + $1.transformerCost }
  }

  /// The named figures, in the order of the study's tables.
  public var figures: [(name: String, value: Double)] {
    [
      ("transformerDistance", transformerDistance), ("wasserstein", wasserstein), ("mongeGap", mongeGap),
      ("optimality", optimality), ("matching", matching), ("transformerCost", transformerCost),
      ("efficiency", efficiency), ("normalizedEfficiency", normalizedEfficiency),
    ]
  }
}

/// The OT metrics of a training run, per class and in total.
public struct TrainingTransportMetrics: Sendable, Equatable, Codable {
  public var perClass: [TransportMetrics]
  public var total: TransportMetrics
  /// The 0-based epoch of the end point (the best epoch).
  public var epoch: Int

  /// The metrics of points moving from `start` to `end` along paths of the given lengths.
  ///
  /// - Parameter labels: the class of every point.
  public init(start: Matrix<Double>, end: Matrix<Double>, pathLengths: [Double]?, labels: [Int], classes: Int, epoch: Int) throws {
    var perClass: [TransportMetrics] = []
    for c in 0..<classes {
      let rows = labels.indices.filter { labels[$0] == c }
      perClass.append(try TransportMetrics(
        start: start.rows(at: rows), end: end.rows(at: rows), pathLengths: pathLengths.map { p in rows.map { p[$0] } }))
    }
    self.perClass = perClass
    total = TransportMetrics(total: perClass)
    self.epoch = epoch
  }
}

/// Records where training moves the points: the start `P_0`, the positions after every
/// epoch, the path length of every point and the positions at the best epoch
/// (A. Candelieri and A. Quadrio, arXiv 2512.09530, section 5). Memory stays `O(points * d)` plus the full
/// polylines of a bounded sample of points, kept for the report's path plot.
public final class TrajectoryRecorder {
  public let start: Matrix<Double>
  /// The class of every point.
  public let labels: [Int]
  public let classes: Int
  /// The points whose every position is kept (evenly spread over the rows).
  public let sampled: [Int]
  /// `sampledPositions[e]` holds the sampled points after `e` epochs (`e = 0`: the start).
  public private(set) var sampledPositions: [Matrix<Double>]
  public private(set) var best: Matrix<Double>
  /// The 0-based epoch of ``best`` (-1 before any epoch).
  public private(set) var bestEpoch = -1
  public private(set) var epochs = 0
  var previous: Matrix<Double>
  var lengths: [Double]
  var bestLengths: [Double]

  /// - Parameter keep: how many points' full polylines to keep.
  public init(start: Matrix<Double>, labels: [Int], classes: Int, keep: Int = 600) {
    precondition(start.rows == labels.count, "One label per point")
    self.start = start
    self.labels = labels
    self.classes = classes
    let n = start.rows
    let stride = max(1, (n + keep - 1) / max(keep, 1))
    sampled = Array(Swift.stride(from: 0, to: n, by: stride))
    sampledPositions = [start.rows(at: sampled)]
    best = start
    previous = start
    lengths = Array(repeating: 0, count: n)
    bestLengths = lengths
  }

  /// Adds the positions after one more epoch.
  ///
  /// - Parameter isBest: whether this epoch is the best so far (its positions become the
  ///   end point).
  public func record(_ positions: Matrix<Double>, isBest: Bool) {
    precondition(positions.shape == start.shape, "The positions must have the start's shape")
    let d = start.columns
    positions.withUnsafeBufferPointer { now in
      previous.withUnsafeBufferPointer { before in
        for i in 0..<start.rows {
          var s = 0.0
          for j in 0..<d {
            let delta = now[i * d + j] - before[i * d + j]
            s += delta * delta
          }
          lengths[i] += s.squareRoot()
        }
      }
    }
    previous = positions
    sampledPositions.append(positions.rows(at: sampled))
    if isBest {
      best = positions
      bestLengths = lengths
      bestEpoch = epochs
    }
    epochs += 1
  }

  /// Refuses a trace whose metrics do not fit in memory (`MemoryBudget`): they solve an
  /// assignment per class, whose cost matrix takes `8 n^2` bytes for the largest class's
  /// `n` points. Called before training, so a long fit does not end in the refusal.
  ///
  /// - Throws: `MemoryError`.
  /// - Complexity: O(points).
  public func checkMemory() throws {
    var counts = [Int](repeating: 0, count: max(classes, 0))
    for label in labels where counts.indices.contains(label) { counts[label] += 1 }
    let n = counts.max() ?? 0
    try MemoryBudget.check(
      MemoryBudget.bytes(n, n), for: "the OT metrics of the trace: an assignment of \(n) points of one class",
      wayOut: "fewer training instances or tokens per instance, or no --trace")
  }

  /// The metrics from the start to the best epoch.
  public func metrics() throws -> TrainingTransportMetrics {
    try TrainingTransportMetrics(start: start, end: best, pathLengths: bestLengths, labels: labels, classes: classes, epoch: bestEpoch)
  }
}
