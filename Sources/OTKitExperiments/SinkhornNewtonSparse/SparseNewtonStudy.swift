import Foundation
import OTKitCore
import OTKitTransport
import RealModule

/// The benchmark cases of Sinkhorn-Newton-Sparse (X. Tang, M. Shavlovsky, H. Rahmanian,
/// E. Tardini, K. K. Thekumparampil, T. Xiao, L. Ying, "Accelerating Sinkhorn algorithm with
/// sparse Newton iterations", ICLR 2024): a random assignment problem at a small epsilon, and
/// W1 and W2 between two densities discretized on a grid; iterations and time of plain
/// Sinkhorn, accelerated Sinkhorn and SNS (per-row and the paper's global sparsification,
/// direct and conjugate-gradient Newton solves) to the same tolerance.
public enum SparseNewtonStudy {
  public struct Row: Sendable, Codable {
    public var problem: String
    public var solver: String
    public var iterations: Int
    public var newtonSteps: Int
    public var hessianNonZeros: Int
    public var seconds: Double
    public var cost: Double
    public var marginalError: Double
    public var status: String
  }

  public struct Settings: Sendable, Codable {
    public var assignmentSize = 500
    public var assignmentEpsilon = 0.0005
    /// Grid side of the discretized densities (`side²` points each).
    public var gridSide = 20
    /// Epsilon relative to the largest cost, for W1 and W2.
    public var densityEpsilon = 0.001
    public var tolerance = 1e-6
    public var globalSparsity = 0.01
    public var seed: UInt64 = 0
    public init() {}
  }

  /// The problems: name and problem.
  public static func problems(_ settings: Settings) throws -> [(String, TransportProblem, Double)] {
    var rng = SeededGenerator(seed: settings.seed)
    let n = settings.assignmentSize
    var c = Matrix<Double>(rows: n, columns: n)
    for e in 0..<(n * n) { c.elements[e] = rng.uniform() }
    let assignment = try TransportProblem(cost: c)
    // Two densities on [0, 1]²: a mixture of two bumps, and one wider bump elsewhere.
    let side = settings.gridSide
    var grid = Matrix<Double>(rows: side * side, columns: 2)
    for i in 0..<side {
      for j in 0..<side {
        grid[i * side + j, 0] = Double(i) / Double(side - 1)
        grid[i * side + j, 1] = Double(j) / Double(side - 1)
      }
    }
    func density(_ bumps: [(x: Double, y: Double, s: Double, w: Double)]) -> [Double] {
      var d = (0..<grid.rows).map { k in
        bumps.reduce(1e-6) { $0 + $1.w * Double.exp(-(pow(grid[k, 0] - $1.x, 2) + pow(grid[k, 1] - $1.y, 2)) / (2 * $1.s * $1.s)) }
      }
      let total = d.reduce(0, +)
      for k in d.indices { d[k] /= total }
      return d
    }
    let a = density([(0.25, 0.3, 0.08, 1), (0.7, 0.75, 0.1, 0.6)])
    let b = density([(0.6, 0.35, 0.15, 1)])
    let w1 = try TransportProblem(source: grid, target: grid, sourceWeights: a, targetWeights: b, cost: .euclidean, rescale: true)
    let w2 = try TransportProblem(source: grid, target: grid, sourceWeights: a, targetWeights: b, cost: .squaredEuclidean, rescale: true)
    let w1Max = w1.cost.elements.max() ?? 1, w2Max = w2.cost.elements.max() ?? 1
    return [
      ("random assignment n \(n)", assignment, settings.assignmentEpsilon),
      ("W1, \(side)x\(side) grid", w1, settings.densityEpsilon * w1Max),
      ("W2, \(side)x\(side) grid", w2, settings.densityEpsilon * w2Max),
    ]
  }

  /// The solvers each problem is solved with.
  static let solversPerProblem = 5

  /// Solves every problem with every solver; `progress` hears of each solve as it starts.
  public static func run(_ settings: Settings, progress: ReproductionProgress = .silent) throws -> [Row] {
    var rows: [Row] = []
    let problems = try problems(settings)
    for (name, problem, eps) in problems {
      _ = problem.cost
      func timed(_ label: String, _ solve: () -> EntropicResult) {
        progress(rows.count, of: problems.count * solversPerProblem, "\(name): \(label)")
        let start = DispatchTime.now().uptimeNanoseconds
        let r = solve()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        rows.append(Row(
          problem: name, solver: label, iterations: r.iterations, newtonSteps: r.newtonSteps, hessianNonZeros: r.hessianNonZeros,
          seconds: seconds, cost: r.cost, marginalError: r.marginalError, status: r.status.rawValue))
      }
      var plain = Sinkhorn(epsilon: .absolute(eps), tolerance: settings.tolerance, maxIterations: 100_000)
      plain.acceleration = .none
      timed("Sinkhorn") { plain.solve(problem) }
      var accelerated = plain
      accelerated.acceleration = .adaptive
      timed("Sinkhorn, adaptive momentum") { accelerated.solve(problem) }
      let sns = SinkhornNewtonSparse(epsilon: .absolute(eps), tolerance: settings.tolerance, maxIterations: 2000)
      timed("SNS, 16 per row, direct") { sns.solve(problem) }
      var cg = sns
      cg.directSolveLimit = 0
      timed("SNS, 16 per row, conjugate gradients") { cg.solve(problem) }
      var global = sns
      global.globalSparsity = settings.globalSparsity
      timed("SNS, global \(settings.globalSparsity) n m, direct") { global.solve(problem) }
    }
    return rows
  }
}
