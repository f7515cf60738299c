import OTKitCore
import RealModule

/// Gradient descent with adaptive steps on the dual of entropic OT, simultaneous in `u` and
/// `v`: the algorithm that the layers of ``OTTransformer`` run, written as a recursion.
///
/// With `X_ij = exp((u_i + v_j - C_ij)/λ - 1)`, row sums `s = X 1`, column sums `t = Xᵀ 1`,
/// sink registers `r_u, r_v` and `w = exp(r/λ)`:
/// `u ← u - γ (s - a w_v) / (s + w_v)`, `v ← v - γ (t - a w_u) / (t + w_u)`,
/// `r_u ← r_u - γ (n w_u - a) / (n w_u + 1)` (likewise `r_v`; both fixed when the sink is
/// frozen). At `w = 1` this is gradient descent on
/// `L(u, v) = λ Σ exp((u_i + v_j - C_ij)/λ - 1) - a Σ u_i - a Σ v_j` with the diagonal step
/// `γ / (1 + s_i)`: the softmax's denominator is the adaptive step size.
///
/// H. Daneshmand, arXiv 2410.19931; `shared/specs/transformers-solve-ot.md` §2. Sums run in
/// the log domain (`log s_i` by a stable log-sum-exp), so no `exp` overflows.
///
/// - Complexity: `O(n² d)` for the costs, `O(n²)` per step.
public struct DualGradientDescent: Sendable {
  public var lambda: Double
  public var gamma: Double
  /// The sink value `a` (the marginals' mass per point).
  public var sinkValue: Double
  public var sinkMode: OTTransformer.SinkMode

  public init(lambda: Double = 0.1, gamma: Double = 0.05, sinkValue: Double, sinkMode: OTTransformer.SinkMode = .drift) {
    self.lambda = lambda
    self.gamma = gamma
    self.sinkValue = sinkValue
    self.sinkMode = sinkMode
  }

  /// The iterate: the dual registers of the points and of the sink.
  public struct State: Sendable, Equatable {
    public var u: [Double]
    public var v: [Double]
    public var sinkU: Double
    public var sinkV: Double

    public init(u: [Double], v: [Double], sinkU: Double = 0, sinkV: Double = 0) {
      self.u = u
      self.v = v
      self.sinkU = sinkU
      self.sinkV = sinkV
    }
  }

  /// One step on the costs `c` (`n x n`, `C_ij = |x_i - y_j|²`).
  public func step(_ state: State, costs c: Matrix<Double>) -> State {
    let n = c.rows
    let (lambda, a) = (self.lambda, sinkValue)
    // log s_i = LSE_j((u_i + v_j - C_ij)/λ - 1); log t_j likewise over i.
    func exponent(_ i: Int, _ j: Int) -> Double { (state.u[i] + state.v[j] - c[i, j]) / lambda - 1 }
    func logSumExp(_ terms: (Int) -> Double) -> Double {
      let peak = (0..<n).reduce(-Double.infinity) { max($0, terms($1)) }
      return peak + Double.log((0..<n).reduce(0) { $0 + Double.exp(terms($1) - peak) })
    }
    let logRows = (0..<n).map { i in logSumExp { exponent(i, $0) } }
    let logColumns = (0..<n).map { j in logSumExp { exponent($0, j) } }
    /// `(s - a w) / (s + w)` from `log s` and `log w`, shifted by the larger.
    func ratio(_ logS: Double, _ logW: Double) -> Double {
      let peak = max(logS, logW)
      let (s, w) = (Double.exp(logS - peak), Double.exp(logW - peak))
      return (s - a * w) / (s + w)
    }
    var next = state
    let (logWu, logWv) = (state.sinkU / lambda, state.sinkV / lambda)
    for i in 0..<n { next.u[i] -= gamma * ratio(logRows[i], logWv) }
    for j in 0..<n { next.v[j] -= gamma * ratio(logColumns[j], logWu) }
    if sinkMode == .drift {
      // The sink's row: n points of weight w each and itself (logit 0).
      let logN = Double.log(Double(n))
      next.sinkU -= gamma * ratio(logN + logWu, 0)
      next.sinkV -= gamma * ratio(logN + logWv, 0)
    }
    return next
  }

  /// The readout of a state: `M_ij = softmax_j((-C_ji + u_j)/λ)` (rows targets, columns
  /// sources), the row-normalized Gibbs kernel of the potentials.
  public func readout(_ state: State, costs c: Matrix<Double>) -> Matrix<Double> {
    SortingDepthStudy.rowNormalizedTransposed(potential: state.u, costs: c, lambda: lambda)
  }

  /// `steps` steps from `initial` (zeros when nil).
  public func run(costs c: Matrix<Double>, steps: Int, initial: State? = nil) -> State {
    var state = initial ?? State(u: [Double](repeating: 0, count: c.rows), v: [Double](repeating: 0, count: c.rows))
    for _ in 0..<steps { state = step(state, costs: c) }
    return state
  }
}
