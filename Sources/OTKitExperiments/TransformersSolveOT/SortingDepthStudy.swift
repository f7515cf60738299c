import Foundation
import OTKitCore
import OTKitTransport
import RealModule

/// The depth study of the transformer that solves entropic OT (spec §7.2): the error of its
/// readout to the row-normalized entropic plan `P̄_λ` (from OTKit's log-domain Sinkhorn) at
/// every depth, for lists and point clouds of any size, with the entropic floor
/// `|P̄_λ - Π*|` beside it, the layers to reach 1e-3, the fitted log-log slope (the stated
/// bound is `O(√n e^{1/λ} / √ℓ)`, slope `-1/2`) and the Sinkhorn iterations for the same
/// error.
///
/// - Complexity: `O(L n² d)` per curve of `L` layers.
public enum SortingDepthStudy {
  /// The sink value `a`.
  public enum SinkValue: String, Sendable, Codable, CaseIterable {
    /// `a = 1/n`, the author's code.
    case perPoint = "1/n"
    /// `a = 1`, unit marginals (the paper's formulation).
    case unit = "1"

    public func value(n: Int) -> Double { self == .perPoint ? 1 / Double(n) : 1 }
  }

  /// One curve of the grid.
  public struct Setting: Sendable, Codable, Hashable, CustomStringConvertible {
    public var n: Int
    /// 1: a list (`x ~ U[0,1]`, `y_j = (j + ½)/n`); more: point clouds in `[0,1]^d`.
    public var dimension: Int
    public var lambda: Double
    /// `γ / λ`.
    public var gammaRatio: Double
    public var sinkValue: SinkValue
    public var sinkMode: OTTransformer.SinkMode

    public init(n: Int, dimension: Int = 1, lambda: Double = 0.1, gammaRatio: Double = 0.5, sinkValue: SinkValue = .perPoint, sinkMode: OTTransformer.SinkMode = .drift) {
      self.n = n
      self.dimension = dimension
      self.lambda = lambda
      self.gammaRatio = gammaRatio
      self.sinkValue = sinkValue
      self.sinkMode = sinkMode
    }

    public var gamma: Double { gammaRatio * lambda }

    public var description: String {
      "n \(n), d \(dimension), λ \(lambda), γ \(gammaRatio)λ, a \(sinkValue.rawValue), \(sinkMode.rawValue)"
    }
  }

  /// The errors of the readout at one depth.
  public struct Point: Sendable, Codable, Equatable {
    public var depth: Int
    /// `|M - P̄_λ|_F`.
    public var frobenius: Double
    /// `max |M - P̄_λ|`.
    public var maxAbs: Double
    /// `max_j |Σ_i M_ij - 1|` (rows sum to 1 by construction).
    public var marginalViolation: Double
    /// The share of targets whose largest readout weight is on their assigned source.
    public var rankAccuracy: Double
    /// Lists: mean `|output_i - x_(i)|`; clouds: mean distance of the output to the assigned
    /// source.
    public var sortError: Double
  }

  /// One curve and what is read off it.
  public struct Curve: Sendable, Codable {
    public var setting: Setting
    /// The recorded depths (powers of two and the last).
    public var points: [Point]
    /// `|P̄_λ - Π*|_F`: what no depth removes.
    public var floor: Double
    /// The first depth with `|M - P̄_λ|_F <= 1e-3` (nil: not within the depths run).
    public var layersTo1e3: Int?
    /// The least-squares slope of `log error` against `log depth` over depths from 8 on
    /// while the error is above 1e-12.
    public var slope: Double?
    /// Log-domain Sinkhorn iterations (OTKit's solver, one at a time from zero potentials)
    /// whose row-normalized plan is as close to `P̄_λ` as the last layer's readout.
    public var sinkhornIterations: Int?
    /// The wall time of the transformer's layers.
    public var seconds: Double
  }

  /// The data of a setting: `x` and `y` (`n x d`).
  public static func data(_ setting: Setting, seed: UInt64) -> (x: Matrix<Double>, y: Matrix<Double>) {
    var generator = SeededGenerator(seed: seed &+ UInt64(setting.n) &* 1_000_003 &+ UInt64(setting.dimension))
    let (n, d) = (setting.n, setting.dimension)
    let x = Matrix<Double>(rows: n, columns: d, elements: (0..<(n * d)).map { _ in generator.uniform() })
    if d == 1 {
      return (x, Matrix(rows: n, columns: 1, elements: (0..<n).map { (Double($0) + 0.5) / Double(n) }))
    }
    return (x, Matrix(rows: n, columns: d, elements: (0..<(n * d)).map { _ in generator.uniform() }))
  }

  /// `P̄_λ` (rows targets, columns sources, rows normalized) from OTKit's log-domain
  /// Sinkhorn (to the marginal `tolerance`), and the assignment `Π*` in the same layout.
  public static func references(x: Matrix<Double>, y: Matrix<Double>, lambda: Double, tolerance: Double = 1e-13) throws -> (plan: Matrix<Double>, assignment: Matrix<Double>, assigned: [Int]) {
    try references(TransportProblem(source: x, target: y), lambda: lambda, tolerance: tolerance)
  }

  /// The same on a problem (uniform weights, `n = m`), whose cost matrix is built once.
  static func references(_ problem: TransportProblem, lambda: Double, tolerance: Double = 1e-13) throws -> (plan: Matrix<Double>, assignment: Matrix<Double>, assigned: [Int]) {
    let entropic = Sinkhorn(epsilon: .absolute(lambda), tolerance: tolerance, maxIterations: 200_000).solve(problem)
    let plan = rowNormalizedTransposed(potential: entropic.sourcePotential, costs: problem.cost, lambda: lambda)
    let exact = try AssignmentSolver().solve(problem)
    let n = problem.n
    var assignment = Matrix<Double>(rows: n, columns: n)
    var assigned = [Int](repeating: 0, count: n)
    for (source, target) in exact.permutation!.enumerated() {
      assignment[target, source] = 1
      assigned[target] = source
    }
    return (plan, assignment, assigned)
  }

  /// `softmax_j((f_j - C_ji)/λ)`: a plan of source potential `f` transposed, rows normalized.
  static func rowNormalizedTransposed(potential f: [Double], costs c: Matrix<Double>, lambda: Double) -> Matrix<Double> {
    let n = c.rows
    var m = Matrix<Double>(rows: c.columns, columns: n)
    for i in 0..<c.columns {
      for j in 0..<n { m[i, j] = f[j].isFinite ? (f[j] - c[j, i]) / lambda : -.infinity }
    }
    return Kernels.softmaxRows(m)
  }

  static func distance(_ a: Matrix<Double>, _ b: Matrix<Double>) -> (frobenius: Double, maxAbs: Double) {
    var (sum, largest) = (0.0, 0.0)
    for (p, q) in zip(a.elements, b.elements) {
      sum += (p - q) * (p - q)
      largest = max(largest, abs(p - q))
    }
    return (sum.squareRoot(), largest)
  }

  /// Runs one curve to `depth` layers, recording the powers of two, `extraDepths` and the
  /// last; `progress` hears of every 64th layer and the last.
  public static func run(
    _ setting: Setting, depth: Int, seed: UInt64 = 0, extraDepths: Set<Int> = [], progress: ReproductionProgress = .silent
  ) throws -> Curve {
    let (x, y) = data(setting, seed: seed)
    let problem = try TransportProblem(source: x, target: y)
    let (reference, assignment, assigned) = try references(problem, lambda: setting.lambda)
    let transformer = OTTransformer(dimension: setting.dimension, lambda: setting.lambda, gamma: setting.gamma, sinkMode: setting.sinkMode)
    let n = setting.n
    var z = transformer.prompt(x: x, y: y, sinkValue: setting.sinkValue.value(n: n))
    var points: [Point] = []
    var errors: [Double] = []
    var layersTo1e3: Int?
    var seconds = 0.0
    let sortedX = (0..<n).map { x[$0, 0] }.sorted()
    for l in 1...max(depth, 1) {
      let start = DispatchTime.now().uptimeNanoseconds
      transformer.layer(&z)
      seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let (m, output) = transformer.readout(z)
      let (frobenius, maxAbs) = distance(m, reference)
      errors.append(frobenius)
      if layersTo1e3 == nil && frobenius <= 1e-3 { layersTo1e3 = l }
      if l & (l - 1) == 0 || l == depth || extraDepths.contains(l) {
        var violation = 0.0
        for j in 0..<n { violation = max(violation, abs((0..<n).reduce(0) { $0 + m[$1, j] } - 1)) }
        var correct = 0, sortError = 0.0
        for i in 0..<n {
          var best = 0
          for j in 1..<n where m[i, j] > m[i, best] { best = j }
          if best == assigned[i] { correct += 1 }
          if setting.dimension == 1 {
            sortError += abs(output[i, 0] - sortedX[i])
          } else {
            var s = 0.0
            for k in 0..<setting.dimension { s += (output[i, k] - x[assigned[i], k]) * (output[i, k] - x[assigned[i], k]) }
            sortError += s.squareRoot()
          }
        }
        points.append(Point(depth: l, frobenius: frobenius, maxAbs: maxAbs, marginalViolation: violation, rankAccuracy: Double(correct) / Double(n), sortError: sortError / Double(n)))
      }
      if l % 64 == 0 || l == depth {
        progress(l, of: depth, "n \(setting.n), λ \(setting.lambda), a \(setting.sinkValue.rawValue), layer \(l)")
      }
    }
    let floor = distance(reference, assignment).frobenius
    return Curve(
      setting: setting, points: points, floor: floor, layersTo1e3: layersTo1e3, slope: slope(errors),
      sinkhornIterations: sinkhornIterations(problem, lambda: setting.lambda, reference: reference, target: errors.last ?? 0),
      seconds: seconds)
  }

  /// The least-squares slope of `log e_l` on `log l` for `l >= 8` while `e_l > 1e-12`.
  public static func slope(_ errors: [Double]) -> Double? {
    var xs: [Double] = [], ys: [Double] = []
    for (index, e) in errors.enumerated() where index + 1 >= 8 {
      guard e > 1e-12 else { break }
      xs.append(Double.log(Double(index + 1)))
      ys.append(Double.log(e))
    }
    guard xs.count >= 2 else { return nil }
    let (mx, my) = (xs.reduce(0, +) / Double(xs.count), ys.reduce(0, +) / Double(ys.count))
    var (sxy, sxx) = (0.0, 0.0)
    for (a, b) in zip(xs, ys) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
    }
    return sxx > 0 ? sxy / sxx : nil
  }

  /// The Sinkhorn iterations (OTKit's log-domain solver, warm-started one iteration at a
  /// time from zero potentials) until the row-normalized plan is within `target` (at least
  /// 1e-12) of `P̄_λ` in Frobenius norm; nil when 2,000 do not suffice.
  static func sinkhornIterations(_ problem: TransportProblem, lambda: Double, reference: Matrix<Double>, target: Double) -> Int? {
    let target = max(target, 1e-12)
    var potentials: (f: [Double], g: [Double]) = ([Double](repeating: 0, count: problem.n), [Double](repeating: 0, count: problem.m))
    for k in 1...2_000 {
      let step = Sinkhorn(epsilon: .absolute(lambda), tolerance: 0, maxIterations: 1, initialPotentials: potentials).solve(problem)
      potentials = (step.sourcePotential, step.targetPotential)
      let plan = rowNormalizedTransposed(potential: potentials.f, costs: problem.cost, lambda: lambda)
      if distance(plan, reference).frobenius <= target { return k }
    }
    return nil
  }
}
