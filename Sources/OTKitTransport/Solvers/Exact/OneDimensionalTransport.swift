import Dispatch
import OTKitCore
import RealModule

/// Exact optimal transport on the real line for any weights, in `O((n + m) log(n + m))`.
///
/// For a cost `c(x, y) = h(x - y)` with `h` convex, the monotone (north-west corner)
/// coupling of the sorted points is optimal (Peyré and Cuturi, *Computational Optimal
/// Transport*, 2019, Remark 2.30; Santambrogio, *Optimal Transport for Applied
/// Mathematicians*, 2015, chapter 2). Points are sorted by an LSD radix sort on their bit
/// patterns, both sides in parallel; the coupling is one merge pass. Potentials are
/// propagated along the staircase of the plan (`f_i + g_j = c_ij` on each step), which
/// makes them optimal for such costs.
///
/// - Complexity: `O(n + m)` for the radix sorts and the merge, `O(n + m)` memory.
public struct OneDimensionalTransport: Sendable {
  public init() {}

  /// Solves a problem whose points have one coordinate and whose ground cost is convex in
  /// `x - y` (squared Euclidean, Euclidean, or Minkowski with `q >= 1`).
  ///
  /// - Throws: ``TransportProblemError/notOneDimensional(_:dimension:)`` for points of
  ///   another dimension or a problem given by its cost matrix.
  public func solve(_ problem: TransportProblem) throws -> TransportResult {
    guard let x = problem.source, let y = problem.target else {
      throw TransportProblemError.notOneDimensional(.source, dimension: 0)
    }
    guard x.columns == 1 else { throw TransportProblemError.notOneDimensional(.source, dimension: x.columns) }
    guard y.columns == 1 else { throw TransportProblemError.notOneDimensional(.target, dimension: y.columns) }
    let cost = problem.groundCost ?? .squaredEuclidean
    let xs = x.elements, ys = y.elements
    // Sort both sides at once on two threads.
    let sorted = SortedPair()
    DispatchQueue.concurrentPerform(iterations: 2) { side in
      if side == 0 { sorted.first = Kernels.sorted(xs) } else { sorted.second = Kernels.sorted(ys) }
    }
    let (sx, sy) = (sorted.first, sorted.second)
    let a: [Double] = HugePages.array(count: sx.order.count) { out in
      problem.sourceWeights.withUnsafeBufferPointer { w in
        for k in 0..<out.count { out[k] = w[sx.order[k]] }
      }
    }
    let b: [Double] = HugePages.array(count: sy.order.count) { out in
      problem.targetWeights.withUnsafeBufferPointer { w in
        for k in 0..<out.count { out[k] = w[sy.order[k]] }
      }
    }
    let merged = switch cost {
    case .squaredEuclidean: Self.merge(sx.values, sy.values, a, b) { $0 * $0 }
    case .euclidean: Self.merge(sx.values, sy.values, a, b) { abs($0) }
    case .minkowski(_, let q): Self.merge(sx.values, sy.values, a, b) { Double.pow(abs($0), q) }
    case .custom(_, let f): Self.merge(sx.values, sy.values, a, b) { f([$0], [0]) }
    case .cosine: throw TransportProblemError.unsupportedCost(method: "1-D", cost: cost.description)
    }
    // Back from sorted positions to the caller's indices.
    let (n, m) = (a.count, b.count)
    var f = HugePages.array(repeating: 0.0, count: n)
    var g = HugePages.array(repeating: 0.0, count: m)
    for k in 0..<n { f[sx.order[k]] = merged.f[k] }
    for k in 0..<m { g[sy.order[k]] = merged.g[k] }
    let plan = SparsePlan(
      n: n, m: m, rows: merged.rows.map { sx.order[$0] }, columns: merged.columns.map { sy.order[$0] },
      masses: merged.masses)
    let certificate: OptimalityCertificate
    if n * m <= OptimalityCertificate.dualCheckLimit {
      certificate = OptimalityCertificate(problem: problem, plan: plan, f: f, g: g, entryCosts: merged.entryCosts)
    } else {
      // Too many pairs to check dual feasibility (optimality of the monotone coupling is a
      // theorem here); the other measures, taken in sorted order.
      certificate = merged.certificate(a: a, b: b, totalMass: problem.totalMass)
    }
    return TransportResult(
      method: .oneDimensional, status: .optimal, cost: merged.cost, plan: plan, sourcePotential: f,
      targetPotential: g, iterations: merged.steps, certificate: certificate)
  }

  /// The monotone coupling in sorted positions.
  struct Merged {
    var rows: [Int]
    var columns: [Int]
    var masses: [Double]
    var entryCosts: [Double]
    var f: [Double]
    var g: [Double]
    var cost: Double
    var steps: Int
    var rowSums: [Double]
    var columnSums: [Double]
    var slackness: Double
    var costScale: Double

    func certificate(a: [Double], b: [Double], totalMass: Double) -> OptimalityCertificate {
      var marginal = 0.0
      for k in 0..<a.count { marginal = max(marginal, abs(rowSums[k] - a[k])) }
      for k in 0..<b.count { marginal = max(marginal, abs(columnSums[k] - b[k])) }
      var dual = 0.0
      for k in 0..<a.count { dual += a[k] * f[k] }
      for k in 0..<b.count { dual += b[k] * g[k] }
      return OptimalityCertificate(
        marginalError: marginal, mostNegativeMass: 0, minimumReducedCost: .nan,
        complementarySlackness: slackness, dualityGap: abs(cost - dual), costScale: costScale,
        totalMass: totalMass, dualFeasibilityChecked: false)
    }
  }

  /// The monotone coupling of sorted points `x` and `y` with weights `a` and `b` (in the
  /// same order), its cost, and potentials along its staircase (`f_i + g_j = c_ij` on every
  /// step; consecutive steps share a point, so one of the two is always known).
  @inline(__always)
  static func merge(
    _ x: [Double], _ y: [Double], _ a: [Double], _ b: [Double], _ h: (Double) -> Double
  ) -> Merged {
    let (n, m) = (a.count, b.count)
    let capacity = n + m
    var out = Merged(
      rows: [], columns: [], masses: [], entryCosts: [],
      f: HugePages.array(repeating: .nan, count: n), g: HugePages.array(repeating: .nan, count: m),
      cost: 0, steps: 0, rowSums: HugePages.array(repeating: 0, count: n),
      columnSums: HugePages.array(repeating: 0, count: m), slackness: 0, costScale: 0)
    let memory = (
      rows: ScratchMemory<Int>(count: capacity), columns: ScratchMemory<Int>(count: capacity),
      masses: ScratchMemory<Double>(count: capacity), costs: ScratchMemory<Double>(count: capacity))
    defer { withExtendedLifetime(memory) {} }
    let (rows, columns, masses, costs) = (memory.rows.base, memory.columns.base, memory.masses.base, memory.costs.base)
    var count = 0
    // One pass along the staircase; the buffers open once for the whole pass.
    x.withUnsafeBufferPointer { x in
    y.withUnsafeBufferPointer { y in
    a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
    out.f.withUnsafeMutableBufferPointer { f in
    out.g.withUnsafeMutableBufferPointer { g in
    out.rowSums.withUnsafeMutableBufferPointer { rowSums in
    out.columnSums.withUnsafeMutableBufferPointer { columnSums in
      var (i, j) = (0, 0)
      var ra = a[0], rb = b[0]
      var total = 0.0, slack = 0.0, scale = 0.0
      var steps = 0
      var entries = 0
      f[0] = 0
      while i < n && j < m {
        let cij = h(x[i] - y[j])
        if g[j].isNaN {
          g[j] = cij - f[i]
        } else if f[i].isNaN {
          f[i] = cij - g[j]
        }
        let t = min(ra, rb)
        if t > 0 {
          rows[entries] = i
          columns[entries] = j
          masses[entries] = t
          costs[entries] = cij
          entries += 1
          total += t * cij
          rowSums[i] += t
          columnSums[j] += t
          slack = max(slack, abs(cij - f[i] - g[j]))
          scale = max(scale, abs(cij))
        }
        ra -= t
        rb -= t
        steps += 1
        // One side is exhausted (exactly zero); advance it (the source side on a tie).
        if ra <= 0 {
          i += 1
          if i < n { ra = a[i] }
        } else {
          j += 1
          if j < m { rb = b[j] }
        }
      }
      // Points never reached (zero weight at the end) get potentials from the last partner.
      let (lastI, lastJ) = (min(i, n - 1), min(j, m - 1))
      for k in 0..<n where f[k].isNaN { f[k] = h(x[k] - y[lastJ]) - g[lastJ] }
      for k in 0..<m where g[k].isNaN { g[k] = h(x[lastI] - y[k]) - f[lastI] }
      count = entries
      (out.cost, out.steps, out.slackness, out.costScale) = (total, steps, slack, scale)
    }}}}}}}}
    func copy<T>(_ p: UnsafeMutablePointer<T>) -> [T] {
      HugePages.array(count: count) { $0.baseAddress!.initialize(from: p, count: count) }
    }
    (out.rows, out.columns, out.masses, out.entryCosts) = (copy(rows), copy(columns), copy(masses), copy(costs))
    return out
  }
}

/// Results written by two concurrent tasks, one slot each.
final class SortedPair: @unchecked Sendable {
  var first: (values: [Double], order: [Int]) = ([], [])
  var second: (values: [Double], order: [Int]) = ([], [])
}

/// Wasserstein distances between point clouds.
public enum Wasserstein {
  /// `W_p(X, Y) = (min_P <P, |x - y|^p>)^(1/p)` for `p >= 1`, between the rows of `x` and
  /// `y` with the given weights (uniform by default). One-dimensional clouds use the
  /// `O((n + m) log(n + m))` solver, others the network simplex.
  ///
  /// - Throws: ``TransportProblemError`` for invalid data.
  public static func distance(
    _ x: Matrix<Double>, _ y: Matrix<Double>, p: Double = 2, sourceWeights: [Double]? = nil,
    targetWeights: [Double]? = nil
  ) throws -> Double {
    precondition(p >= 1, "W_p needs p >= 1")
    let cost: GroundCost = p == 2 ? .squaredEuclidean : p == 1 ? .euclidean : .minkowski(p: 2, q: p)
    let problem = try TransportProblem(
      source: x, target: y, sourceWeights: sourceWeights, targetWeights: targetWeights, cost: cost)
    let result = x.columns == 1 ? try OneDimensionalTransport().solve(problem) : NetworkSimplex().solve(problem)
    return Double.pow(max(result.cost, 0), 1 / p)
  }
}

extension OneDimensionalTransport: TransportSolver {
  public var method: TransportMethod { .oneDimensional }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { try solve(problem) }
  public static func settings(for method: TransportMethod) -> Set<String> { [] }
  public static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) -> Self {
    OneDimensionalTransport()
  }
}
