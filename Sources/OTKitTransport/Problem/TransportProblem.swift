import OTKitCore
import RealModule

/// An error in the data of a transport problem, naming the side, row and column.
public enum TransportProblemError: Error, Equatable, CustomStringConvertible, Sendable {
  /// Which measure of the problem.
  public enum Side: String, Sendable { case source, target }

  case empty(Side)
  case dimensionMismatch(source: Int, target: Int)
  case nonFiniteCoordinate(Side, row: Int, column: Int, value: Double)
  case weightCount(Side, expected: Int, found: Int)
  case nonFiniteWeight(Side, index: Int, value: Double)
  case negativeWeight(Side, index: Int, value: Double)
  case zeroTotalMass(Side)
  case unequalTotals(source: Double, target: Double)
  case nonFiniteCost(row: Int, column: Int, value: Double)
  case notOneDimensional(Side, dimension: Int)
  case notSquareUniform(n: Int, m: Int)
  /// The solver cannot use this ground cost (the 1-D solver needs `h(x - y)` with `h` convex).
  case unsupportedCost(method: String, cost: String)
  /// The costs of the points overflow `Double`: `largestCoordinate` is the largest
  /// coordinate magnitude, `cost` the ground cost.
  case costOverflow(cost: String, largestCoordinate: Double)
  /// The weights of a side sum to more than the largest `Double`.
  case massOverflow(Side)
  /// The transport cost `<P, C>` can overflow: the total mass times the largest cost
  /// exceeds the largest `Double`.
  case objectiveOverflow(totalMass: Double, largestCost: Double)

  /// The input the error is about: a side's points or its weights; `nil` for errors of
  /// both sides or of the costs.
  public var side: (side: Side, weights: Bool)? {
    switch self {
    case .nonFiniteWeight(let side, _, _), .negativeWeight(let side, _, _), .zeroTotalMass(let side), .weightCount(let side, _, _), .massOverflow(let side):
      (side, true)
    case .nonFiniteCoordinate(let side, _, _, _), .empty(let side), .notOneDimensional(let side, _):
      (side, false)
    default: nil
    }
  }

  public var description: String {
    switch self {
    case .empty(let side): "the \(side) has no points"
    case .dimensionMismatch(let s, let t):
      "source points have dimension \(s) but target points have dimension \(t)"
    case .nonFiniteCoordinate(let side, let row, let column, let value):
      "\(side) point \(row + 1), coordinate \(column + 1) is \(value), not a finite number"
    case .weightCount(let side, let expected, let found):
      "\(found) \(side) weights for \(expected) \(side) points"
    case .nonFiniteWeight(let side, let index, let value):
      "\(side) weight \(index + 1) is \(value), not a finite number"
    case .negativeWeight(let side, let index, let value):
      "\(side) weight \(index + 1) is negative (\(value))"
    case .zeroTotalMass(let side): "the \(side) weights sum to zero"
    case .unequalTotals(let s, let t):
      "the source weights sum to \(s) but the target weights sum to \(t) (relative difference \(abs(s - t) / max(abs(s), abs(t)))); rescale the target weights or fix the data"
    case .nonFiniteCost(let row, let column, let value):
      "cost entry (\(row + 1), \(column + 1)) is \(value), not a finite number"
    case .notOneDimensional(let side, let d):
      "the 1-D solver needs one coordinate per point; the \(side) points have \(d)"
    case .notSquareUniform(let n, let m):
      "the assignment solver needs as many source as target points with uniform weights (n = \(n), m = \(m))"
    case .unsupportedCost(let method, let cost):
      "the \(method) solver needs a cost h(x - y) with h convex; \(cost) is not one"
    case .costOverflow(let cost, let largest):
      "the \(cost) costs overflow Double: coordinates reach \(largest) in magnitude; rescale the points"
    case .massOverflow(let side): "the \(side) weights sum to more than the largest Double (overflow); rescale the weights"
    case .objectiveOverflow(let mass, let cost):
      "the transport cost can overflow Double: total mass \(mass) times costs up to \(cost); rescale the weights or the points"
    }
  }
}

/// An optimal transport problem between two discrete measures, validated once: a
/// ``Geometry`` (where the costs come from) and the two weight vectors.
///
/// Built from a geometry, from two weighted point clouds and a ``GroundCost``, or from an
/// explicit cost matrix. Weights default to uniform. Validation rejects empty sets, NaN or
/// infinite coordinates, weights or costs, negative weights, a zero total mass, and totals
/// that differ by more than `1e-9` relative (or rescales the target to the source's total
/// when asked). After validation the target weights are scaled so that both totals agree
/// to round-off, which exact solvers need.
public struct TransportProblem: Sendable {
  /// The source weights `a` (`n` values).
  public let sourceWeights: [Double]
  /// The target weights `b` (`m` values, same total as `a`).
  public let targetWeights: [Double]
  /// Where the costs come from.
  public let geometry: any Geometry
  /// An upper bound of `|C_ij|` known without building the costs: for point clouds, the
  /// ground cost at twice the largest coordinate magnitudes (the exact largest cost for a
  /// cost matrix or a custom cost). With the total mass it guards `<P, C>` against overflow.
  public let costBound: Double

  /// The point clouds, when the problem was built from them.
  public var pointCloud: PointCloud? { geometry as? PointCloud }
  /// The source points, when the problem was built from point clouds.
  public var source: Matrix<Double>? { pointCloud?.source }
  /// The target points, when the problem was built from point clouds.
  public var target: Matrix<Double>? { pointCloud?.target }
  /// The ground cost, when the problem was built from point clouds.
  public var groundCost: GroundCost? { pointCloud?.groundCost }

  /// The `n x m` cost matrix, computed on first use for point clouds (solvers that work
  /// on the points, such as the 1-D solver, never build it).
  public var cost: Matrix<Double> { geometry.costMatrix }

  /// Whether the cost matrix has been built (or was given).
  public var hasCostMatrix: Bool { geometry.hasCostMatrix }

  /// The cost of moving mass from source point `i` to target point `j`, without building
  /// the cost matrix.
  public func cost(_ i: Int, _ j: Int) -> Double { geometry.cost(i, j) }

  /// The number of source points.
  public var n: Int { sourceWeights.count }
  /// The number of target points.
  public var m: Int { targetWeights.count }
  /// The total mass.
  public var totalMass: Double { sourceWeights.reduce(0, +) }

  /// Whether both measures are uniform with `n == m` (an assignment problem).
  public var isUniformSquare: Bool {
    n == m && sourceWeights.allSatisfy { $0 == sourceWeights[0] }
      && targetWeights.allSatisfy { $0 == targetWeights[0] }
  }

  /// The relative tolerance on the difference of the totals.
  public static let totalTolerance = 1e-9

  /// Whether the totals differ (a problem built with `unbalanced: true`); only unbalanced
  /// solvers (``Sinkhorn`` with a penalized marginal) take it.
  public var hasUnequalTotals: Bool { unequalTotals }
  let unequalTotals: Bool

  /// A problem on any geometry.
  ///
  /// - Parameters:
  ///   - rescale: Rescale the target weights to the source's total instead of rejecting
  ///     totals that differ.
  ///   - unbalanced: Keep totals that differ, as they are, for unbalanced transport
  ///     (``Sinkhorn`` with a penalized marginal); balanced solvers refuse such a problem.
  /// - Throws: ``TransportProblemError``.
  /// - Complexity: `O(n d + m d)` for a point cloud (the cost matrix is built on first use,
  ///   except for a custom cost, checked at once); `O(n m)` for a cost matrix.
  public init(
    geometry: some Geometry, sourceWeights: [Double]? = nil, targetWeights: [Double]? = nil, rescale: Bool = false,
    unbalanced: Bool = false
  ) throws {
    guard geometry.n > 0 else { throw TransportProblemError.empty(.source) }
    guard geometry.m > 0 else { throw TransportProblemError.empty(.target) }
    if let cloud = geometry as? PointCloud {
      try Self.checkFinite(cloud.source, .source)
      try Self.checkFinite(cloud.target, .target)
    } else {
      try Self.checkCost(geometry.costMatrix)
    }
    let (a, b) = try Self.validatedWeights(
      sourceWeights, n: geometry.n, targetWeights, m: geometry.m, rescale: rescale, unbalanced: unbalanced)
    let (sa, sb) = (a.reduce(0, +), b.reduce(0, +))
    unequalTotals = abs(sa - sb) > Self.totalTolerance * Swift.max(sa, sb)
    self.sourceWeights = a
    self.targetWeights = b
    self.geometry = geometry
    if let cloud = geometry as? PointCloud, case .custom = cloud.groundCost { try Self.checkCost(geometry.costMatrix) }
    if let cloud = geometry as? PointCloud, let bound = try Self.costBound(cloud) {
      costBound = bound
    } else {
      costBound = geometry.costMatrix.elements.reduce(0) { Swift.max($0, abs($1)) }
    }
    let mass = Swift.max(a.reduce(0, +), b.reduce(0, +))
    guard (mass * costBound).isFinite else { throw TransportProblemError.objectiveOverflow(totalMass: mass, largestCost: costBound) }
  }

  /// A bound of the built-in costs between two clouds from the largest magnitude of each
  /// coordinate (`nil` for a custom cost), or a ``TransportProblemError/costOverflow(cost:largestCoordinate:)``
  /// when a cost, or a sum on the way to one (a squared norm, `|x_k - y_k|^p`), can overflow.
  ///
  /// - Complexity: `O((n + m) d)`.
  static func costBound(_ cloud: PointCloud) throws -> Double? {
    let d = cloud.dimension
    var magnitudes = [Double](repeating: 0, count: d)
    for x in [cloud.source, cloud.target] {
      for i in 0..<x.rows {
        for k in 0..<d { magnitudes[k] = Swift.max(magnitudes[k], abs(x[i, k])) }
      }
    }
    let largest = magnitudes.max() ?? 0
    func overflow() -> TransportProblemError { .costOverflow(cost: cloud.groundCost.description, largestCoordinate: largest) }
    func powerSum(_ p: Double, scale: Double) -> Double {
      magnitudes.reduce(0) { $0 + Double.pow(scale * $1, p) }
    }
    switch cloud.groundCost {
    case .custom: return nil
    case .squaredEuclidean, .euclidean:
      let sum = powerSum(2, scale: 2)
      guard sum.isFinite else { throw overflow() }
      if case .euclidean = cloud.groundCost { return sum.squareRoot() }
      return sum
    case .minkowski(let p, let q):
      let sum = powerSum(p, scale: 2)
      guard sum.isFinite, Double.pow(sum, q / p).isFinite else { throw overflow() }
      return Double.pow(sum, q / p)
    case .cosine:
      // The product of two squared norms is formed.
      let squares = powerSum(2, scale: 1)
      guard (squares * squares).isFinite else { throw overflow() }
      return 2
    }
  }

  /// A problem between two weighted point clouds (rows are points).
  ///
  /// - Parameters:
  ///   - rescale: Rescale the target weights to the source's total instead of rejecting
  ///     totals that differ.
  ///   - unbalanced: Keep totals that differ, as they are, for unbalanced transport
  ///     (``Sinkhorn`` with a penalized marginal); balanced solvers refuse such a problem.
  /// - Throws: ``TransportProblemError``.
  /// - Complexity: `O(n m d)` for the cost matrix, on first use.
  public init(
    source: Matrix<Double>, target: Matrix<Double>, sourceWeights: [Double]? = nil,
    targetWeights: [Double]? = nil, cost: GroundCost = .squaredEuclidean, rescale: Bool = false,
    unbalanced: Bool = false
  ) throws {
    guard source.rows > 0 else { throw TransportProblemError.empty(.source) }
    guard target.rows > 0 else { throw TransportProblemError.empty(.target) }
    guard source.columns == target.columns else {
      throw TransportProblemError.dimensionMismatch(source: source.columns, target: target.columns)
    }
    try self.init(
      geometry: PointCloud(source: source, target: target, cost: cost), sourceWeights: sourceWeights,
      targetWeights: targetWeights, rescale: rescale, unbalanced: unbalanced)
  }

  /// A problem with an explicit `n x m` cost matrix.
  ///
  /// - Throws: ``TransportProblemError``.
  public init(
    cost: Matrix<Double>, sourceWeights: [Double]? = nil, targetWeights: [Double]? = nil,
    rescale: Bool = false, unbalanced: Bool = false
  ) throws {
    try self.init(
      geometry: CostMatrix(cost), sourceWeights: sourceWeights, targetWeights: targetWeights, rescale: rescale,
      unbalanced: unbalanced)
  }

  static func checkFinite(_ x: Matrix<Double>, _ side: TransportProblemError.Side) throws {
    guard !x.isFinite else { return }
    for i in 0..<x.rows {
      for j in 0..<x.columns where !x[i, j].isFinite {
        throw TransportProblemError.nonFiniteCoordinate(side, row: i, column: j, value: x[i, j])
      }
    }
  }

  static func checkCost(_ c: Matrix<Double>) throws {
    guard !c.isFinite else { return }
    for i in 0..<c.rows {
      for j in 0..<c.columns where !c[i, j].isFinite {
        throw TransportProblemError.nonFiniteCost(row: i, column: j, value: c[i, j])
      }
    }
  }

  static func validatedWeights(
    _ a: [Double]?, n: Int, _ b: [Double]?, m: Int, rescale: Bool, unbalanced: Bool = false
  ) throws -> ([Double], [Double]) {
    func check(_ w: [Double]?, count: Int, side: TransportProblemError.Side) throws -> [Double] {
      guard let w else { return [Double](repeating: 1 / Double(count), count: count) }
      guard w.count == count else {
        throw TransportProblemError.weightCount(side, expected: count, found: w.count)
      }
      for (k, v) in w.enumerated() {
        guard v.isFinite else { throw TransportProblemError.nonFiniteWeight(side, index: k, value: v) }
        guard v >= 0 else { throw TransportProblemError.negativeWeight(side, index: k, value: v) }
      }
      guard w.contains(where: { $0 > 0 }) else { throw TransportProblemError.zeroTotalMass(side) }
      return w
    }
    let wa = try check(a, count: n, side: .source)
    var wb = try check(b, count: m, side: .target)
    let sa = wa.reduce(0, +)
    let sb = wb.reduce(0, +)
    guard sa.isFinite else { throw TransportProblemError.massOverflow(.source) }
    guard sb.isFinite else { throw TransportProblemError.massOverflow(.target) }
    if unbalanced && !rescale { return (wa, wb) }
    if abs(sa - sb) > totalTolerance * max(sa, sb) && !rescale {
      throw TransportProblemError.unequalTotals(source: sa, target: sb)
    }
    if sa != sb {
      let scale = sa / sb
      wb = wb.map { $0 * scale }
    }
    return (wa, wb)
  }
}

extension TransportProblem: CustomStringConvertible {
  /// The sizes, the geometry and the total mass (never the costs or the points).
  public var description: String {
    let kind = pointCloud.map { "point clouds in R^\($0.dimension), \($0.groundCost)" } ?? "cost matrix"
    return "TransportProblem(n \(n), m \(m), \(kind), total mass \(totalMass))"
  }
}
