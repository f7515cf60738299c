/// Limited-memory BFGS for smooth unconstrained minimization, with a line search that
/// satisfies the strong Wolfe conditions.
///
/// D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale
/// optimization", Math. Programming 45, 1989 (the two-loop recursion, the initial scaling
/// `sᵀy / yᵀy`); J. Nocedal and S. J. Wright, "Numerical Optimization", 2nd ed., 2006,
/// Algorithms 3.5-3.6 (bracketing and zoom, here with safeguarded cubic interpolation). The
/// smooth duals of regularized optimal transport are its intended users.
///
/// The objective writes its gradient into the buffer it is given and returns the value; a
/// non-finite value or gradient ends the run with ``Status/nonFinite`` at the last finite
/// point, never a NaN result. Near the minimum, where differences of values are round-off,
/// the line search also accepts Hager and Zhang's approximate Wolfe steps (the slope fell,
/// the value rose by at most ``roundoff`` `|f|`), so gradients far below `sqrt(ε |f|)` are
/// reached; a run that still finds no step ends with ``Status/lineSearchFailed`` at a point
/// as good as double precision allows.
///
/// - Complexity: per iteration, `O(memory · n)` for the direction plus the objective's
///   evaluations (one, or a few in the line search); `O(memory · n)` memory.
public struct LBFGS: Sendable {
  /// How a run ended.
  public enum Status: String, Sendable, Codable, Equatable {
    /// `|∇f|_∞ ≤ gradientTolerance · max(1, |f|)`, or the relative decrease of `f` fell
    /// below `functionTolerance`.
    case converged
    case iterationLimit
    /// No step satisfying the Wolfe conditions was found (often: the gradient does not
    /// match the function, or the minimum is reached to round-off).
    case lineSearchFailed
    /// The objective returned a non-finite value or gradient at the starting point, or the
    /// line search met only non-finite values.
    case nonFinite
  }

  /// The end of a run.
  public struct Result: Sendable {
    public var x: [Double]
    public var value: Double
    public var gradient: [Double]
    public var iterations: Int
    /// Objective evaluations, line searches included.
    public var evaluations: Int
    public var status: Status
    /// `|∇f(x)|_∞`.
    public var gradientNorm: Double { gradient.reduce(0) { Swift.max($0, Swift.abs($1)) } }

    /// A result, for optimizers that report in L-BFGS's terms.
    public init(x: [Double], value: Double, gradient: [Double], iterations: Int, evaluations: Int, status: Status) {
      self.x = x
      self.value = value
      self.gradient = gradient
      self.iterations = iterations
      self.evaluations = evaluations
      self.status = status
    }
  }

  /// Correction pairs kept.
  public var memory: Int
  public var maxIterations: Int
  public var gradientTolerance: Double
  /// Stop when `(f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ functionTolerance` (0: never).
  public var functionTolerance: Double
  /// The sufficient-decrease and curvature constants of the Wolfe conditions.
  public var c1: Double
  public var c2: Double
  /// Objective evaluations allowed per line search.
  public var maxLineSearch: Int
  /// How ``gradientTolerance`` is read.
  public var gradientNorm: GradientNorm = .relativeMaximum
  /// The relative round-off of the objective's values: a step whose value rose by at most
  /// `roundoff · |f|` passes the approximate Wolfe test. `1e-12` for objectives summed in
  /// `Double`; about `1e-6` for ones evaluated in `Float`.
  public var roundoff: Double = 1e-12

  /// The stopping test on the gradient.
  public enum GradientNorm: String, Sendable, Codable, Equatable {
    /// `|∇f|_∞ ≤ gradientTolerance · max(1, |f|)` (SciPy's `gtol` up to the scale).
    case relativeMaximum
    /// `|∇f|_1 ≤ gradientTolerance`: for duals whose gradient is a marginal violation, an
    /// absolute bound on the L1 marginal error.
    case absoluteL1
  }

  public init(
    memory: Int = 10, maxIterations: Int = 1000, gradientTolerance: Double = 1e-8, functionTolerance: Double = 0,
    c1: Double = 1e-4, c2: Double = 0.9, maxLineSearch: Int = 40
  ) {
    precondition(memory >= 1 && maxIterations >= 0 && maxLineSearch >= 2, "L-BFGS needs memory ≥ 1 and at least two line-search evaluations")
    precondition(0 < c1 && c1 < c2 && c2 < 1, "the Wolfe constants need 0 < c1 < c2 < 1")
    self.memory = memory
    self.maxIterations = maxIterations
    self.gradientTolerance = gradientTolerance
    self.functionTolerance = functionTolerance
    self.c1 = c1
    self.c2 = c2
    self.maxLineSearch = maxLineSearch
  }

  /// Minimizes `objective` from `start`.
  ///
  /// - Parameter objective: Returns `f(x)` and writes `∇f(x)` into its second argument
  ///   (of `x`'s length).
  public func minimize(_ start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> Result {
    let n = start.count
    var evaluations = 0
    func evaluate(_ x: [Double], _ g: inout [Double]) -> Double {
      evaluations += 1
      let value = objective(x, &g)
      return value.isFinite && g.allSatisfy(\.isFinite) ? value : .nan
    }
    var x = start
    var g = [Double](repeating: 0, count: n)
    var f = evaluate(x, &g)
    guard f.isFinite else {
      return Result(x: x, value: f, gradient: g, iterations: 0, evaluations: evaluations, status: .nonFinite)
    }
    var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
    var alpha = [Double](repeating: 0, count: memory)
    func converged(_ f: Double, _ g: [Double]) -> Bool {
      switch gradientNorm {
      case .relativeMaximum: g.reduce(0) { Swift.max($0, Swift.abs($1)) } <= gradientTolerance * Swift.max(1, Swift.abs(f))
      case .absoluteL1: g.reduce(0) { $0 + Swift.abs($1) } <= gradientTolerance
      }
    }
    var iteration = 0
    while true {
      if converged(f, g) { return Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, status: .converged) }
      if iteration >= maxIterations { return Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, status: .iterationLimit) }
      // The two-loop recursion: d = -H g.
      var q = g
      for k in stride(from: s.count - 1, through: 0, by: -1) {
        alpha[k] = rho[k] * dot(s[k], q)
        for i in 0..<n { q[i] -= alpha[k] * y[k][i] }
      }
      if let sl = s.last, let yl = y.last {
        let gamma = dot(sl, yl) / dot(yl, yl)
        for i in 0..<n { q[i] *= gamma }
      } else {
        // First step: a unit-length step along the negative gradient.
        let norm = dot(g, g).squareRoot()
        for i in 0..<n { q[i] /= Swift.max(norm, 1) }
      }
      for k in 0..<s.count {
        let beta = rho[k] * dot(y[k], q)
        for i in 0..<n { q[i] += s[k][i] * (alpha[k] - beta) }
      }
      var d = q.map { -$0 }
      var slope = dot(g, d)
      if !(slope < 0) {
        // Not a descent direction (round-off in the memory): restart from the gradient.
        (s, y, rho) = ([], [], [])
        d = g.map { -$0 }
        slope = -dot(g, g)
      }
      guard let step = lineSearch(x: x, f: f, slope: slope, direction: d, evaluate: evaluate) else {
        return Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, status: .lineSearchFailed)
      }
      if step.nonFinite && step.value == f {
        return Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, status: .nonFinite)
      }
      let sk = zip(step.x, x).map { $0 - $1 }
      let yk = zip(step.gradient, g).map { $0 - $1 }
      let previous = f
      (x, f, g) = (step.x, step.value, step.gradient)
      iteration += 1
      let sy = dot(sk, yk)
      if sy > 1e-16 * dot(yk, yk).squareRoot() * dot(sk, sk).squareRoot() {
        if s.count == memory { (s, y, rho) = (Array(s.dropFirst()), Array(y.dropFirst()), Array(rho.dropFirst())) }
        s.append(sk)
        y.append(yk)
        rho.append(1 / sy)
      }
      if functionTolerance > 0 && (previous - f) / Swift.max(Swift.abs(previous), Swift.abs(f), 1) <= functionTolerance {
        return Result(x: x, value: f, gradient: g, iterations: iteration, evaluations: evaluations, status: .converged)
      }
    }
  }

  struct Step {
    var x: [Double]
    var value: Double
    var gradient: [Double]
    var nonFinite: Bool
  }

  /// A step length along `d` satisfying the strong Wolfe conditions (Nocedal-Wright 3.5),
  /// or nil.
  func lineSearch(x: [Double], f f0: Double, slope d0: Double, direction d: [Double], evaluate: ([Double], inout [Double]) -> Double) -> Step? {
    let n = x.count
    var g = [Double](repeating: 0, count: n)
    var evaluationsLeft = maxLineSearch
    var sawNonFinite = false
    func at(_ t: Double) -> (value: Double, slope: Double, x: [Double], gradient: [Double]) {
      evaluationsLeft -= 1
      let point = (0..<n).map { x[$0] + t * d[$0] }
      let value = evaluate(point, &g)
      if !value.isFinite { sawNonFinite = true }
      return (value, value.isFinite ? dot(g, d) : .nan, point, g)
    }
    var (tPrevious, fPrevious, dPrevious) = (0.0, f0, d0)
    var t = 1.0
    while evaluationsLeft > 0 {
      let p = at(t)
      if !p.value.isFinite {
        // Too far: shrink until the objective is finite again.
        t = 0.5 * (tPrevious + t)
        continue
      }
      if approximatelyWolfe(p.value, p.slope, f0: f0, d0: d0) { return Step(x: p.x, value: p.value, gradient: p.gradient, nonFinite: false) }
      if p.value > f0 + c1 * t * d0 || (tPrevious > 0 && p.value >= fPrevious) {
        return zoom(low: (tPrevious, fPrevious, dPrevious), high: (t, p.value, p.slope), f0: f0, d0: d0, budget: { evaluationsLeft > 0 }, at: at)
      }
      if Swift.abs(p.slope) <= -c2 * d0 { return Step(x: p.x, value: p.value, gradient: p.gradient, nonFinite: false) }
      if p.slope >= 0 {
        return zoom(low: (t, p.value, p.slope), high: (tPrevious, fPrevious, dPrevious), f0: f0, d0: d0, budget: { evaluationsLeft > 0 }, at: at)
      }
      (tPrevious, fPrevious, dPrevious) = (t, p.value, p.slope)
      t *= 2
    }
    return sawNonFinite ? Step(x: x, value: f0, gradient: [], nonFinite: true) : nil
  }

  /// Nocedal-Wright 3.6: shrinks `[low, high]` (low has the lower value) to a strong-Wolfe
  /// point, trying the minimizer of the cubic through both ends first.
  func zoom(
    low start: (t: Double, f: Double, d: Double), high end: (t: Double, f: Double, d: Double), f0: Double, d0: Double, budget: () -> Bool,
    at: (Double) -> (value: Double, slope: Double, x: [Double], gradient: [Double])
  ) -> Step? {
    var (low, high) = (start, end)
    while budget() {
      let width = high.t - low.t
      var t = cubicMinimizer(low, high)
      let (a, b) = (Swift.min(low.t, high.t), Swift.max(low.t, high.t))
      if !(t.isFinite && t > a + 0.1 * Swift.abs(width) && t < b - 0.1 * Swift.abs(width)) { t = 0.5 * (low.t + high.t) }
      let p = at(t)
      if !p.value.isFinite {
        high = (t, .infinity, .nan)
        continue
      }
      if approximatelyWolfe(p.value, p.slope, f0: f0, d0: d0) { return Step(x: p.x, value: p.value, gradient: p.gradient, nonFinite: false) }
      if p.value > f0 + c1 * t * d0 || p.value >= low.f {
        high = (t, p.value, p.slope)
      } else {
        if Swift.abs(p.slope) <= -c2 * d0 { return Step(x: p.x, value: p.value, gradient: p.gradient, nonFinite: false) }
        if p.slope * (high.t - low.t) >= 0 { high = low }
        low = (t, p.value, p.slope)
      }
      if Swift.abs(high.t - low.t) <= 1e-16 * Swift.max(1, Swift.abs(low.t)) { break }
    }
    // No strong-Wolfe point: accept the best point if it decreases f enough.
    if low.t > 0 && low.f <= f0 + c1 * low.t * d0 {
      let p = at(low.t)
      if p.value.isFinite { return Step(x: p.x, value: p.value, gradient: p.gradient, nonFinite: false) }
    }
    return nil
  }

  /// The approximate Wolfe conditions near a minimum, where differences of `f` are round-off
  /// (W. W. Hager and H. Zhang, "A new conjugate gradient method with guaranteed descent and
  /// an efficient line search", SIAM J. Optim. 16, 2005): the slope has fallen as the strong
  /// curvature condition asks, `(2 c1 - 1) φ'(0) ≥ φ'(t)`, and `f` rose by at most round-off.
  /// Accepting such steps lets the gradient shrink far below what comparing values resolves.
  @inline(__always)
  func approximatelyWolfe(_ value: Double, _ slope: Double, f0: Double, d0: Double) -> Bool {
    value <= f0 + roundoff * Swift.abs(f0) && Swift.abs(slope) <= -c2 * d0 && slope <= (2 * c1 - 1) * d0
  }

  /// The minimizer of the cubic interpolating values and slopes at two points.
  func cubicMinimizer(_ p: (t: Double, f: Double, d: Double), _ q: (t: Double, f: Double, d: Double)) -> Double {
    guard p.f.isFinite, q.f.isFinite, p.d.isFinite, q.d.isFinite, p.t != q.t else { return .nan }
    let d1 = p.d + q.d - 3 * (p.f - q.f) / (p.t - q.t)
    let radicand = d1 * d1 - p.d * q.d
    guard radicand >= 0 else { return .nan }
    let d2 = (q.t > p.t ? 1.0 : -1.0) * radicand.squareRoot()
    return q.t - (q.t - p.t) * (q.d + d2 - d1) / (q.d - p.d + 2 * d2)
  }
}

@inline(__always)
private func dot(_ u: [Double], _ v: [Double]) -> Double {
  var total = 0.0
  for i in u.indices { total += u[i] * v[i] }
  return total
}
