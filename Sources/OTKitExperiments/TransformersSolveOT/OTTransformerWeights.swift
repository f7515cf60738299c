import OTKitCore

/// The fixed weights of the transformer that runs dual gradient descent on entropic OT:
/// two heads with merged query-key matrices `W_1, W_2` and value matrices `V_1, V_2`, the
/// same at every layer and for every number of points (`shared/specs/transformers-solve-ot.md`
/// §4, after H. Daneshmand, arXiv 2410.19931).
///
/// Head 1 updates `u`: its logits between points are `(-|x_i - y_j|² + u_i + v_j)/λ - 1`,
/// to the sink `r_v/λ`; head 2 updates `v` with the roles of `x` and `y` exchanged. Each
/// value matrix moves `-γ` times the value channel into its register.
public struct OTTransformerWeights: Sendable, Equatable {
  public let prompt: SortingPrompt
  /// The entropic constant `λ`.
  public let lambda: Double
  /// The step `γ`.
  public let gamma: Double
  public let w1: Matrix<Double>
  public let v1: Matrix<Double>
  public let w2: Matrix<Double>
  public let v2: Matrix<Double>

  /// The weights for points of `dimension` coordinates.
  ///
  /// - Complexity: `O(d²)` (the matrices are `(3d + 8)²`).
  public init(dimension: Int, lambda: Double = 0.1, gamma: Double = 0.05) {
    precondition(lambda > 0 && lambda.isFinite && gamma > 0 && gamma.isFinite, "λ and γ must be positive")
    let p = SortingPrompt(dimension: dimension)
    prompt = p
    self.lambda = lambda
    self.gamma = gamma
    func head(square a: Int, block from: Int, squareOther b: Int, block to: Int, own: Int, other: Int) -> Matrix<Double> {
      var w = Matrix<Double>(rows: p.width, columns: p.width)
      w[a, p.ones] = -1
      for k in 0..<dimension { w[from + k, to + k] = 2 }
      w[p.ones, b] = -1
      w[own, p.ones + 1] = 1
      w[p.ones + 1, p.ones + 2] = -lambda
      w[p.ones + 2, other] = 1
      return w * (1 / lambda)
    }
    w1 = head(square: p.sourceSquare, block: p.source, squareOther: p.targetSquare, block: p.target, own: p.u, other: p.v)
    w2 = head(square: p.targetSquare, block: p.target, squareOther: p.sourceSquare, block: p.source, own: p.v, other: p.u)
    var value1 = Matrix<Double>(rows: p.width, columns: p.width)
    value1[p.value, p.u] = -gamma
    var value2 = Matrix<Double>(rows: p.width, columns: p.width)
    value2[p.value, p.v] = -gamma
    v1 = value1
    v2 = value2
  }
}
