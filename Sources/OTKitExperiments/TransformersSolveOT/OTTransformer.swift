import OTKitAttention
import OTKitCore

/// A transformer with fixed weights that solves entropic optimal transport, and so sorts:
/// `Z ← Z + Σ_h softmax(Z W_h Zᵀ) Z V_h` with the two heads of ``OTTransformerWeights`` at
/// every layer, no MLP, no normalization, no mask, on the prompt of ``SortingPrompt``. Each
/// layer is one step of dual gradient descent with adaptive steps (``DualGradientDescent``);
/// the readout (head 2's scores with the sink masked, values copying `x`) is the
/// row-normalized Gibbs kernel of the current potentials, which approaches the
/// row-normalized entropic plan `P̄_λ` (rows: targets) as the depth grows. With increasing
/// targets, output `i` approaches the `i`-th smallest source point.
///
/// H. Daneshmand, "Provable optimal transport with transformers: the essence of depth and
/// prompt engineering", arXiv 2410.19931; `shared/specs/transformers-solve-ot.md` §4, §7.1.
/// Each head runs on OTKit's attention operator (`TransportAttention` with the softmax
/// anchor at temperature 1; the value projection, which has one non-zero column, is
/// applied to the value channel).
///
/// - Complexity: `O(L (n + 1)² (3d + 8))` for `L` layers; `O(n² d)` per recorded layer.
public struct OTTransformer: Sendable {
  /// How the sink token moves.
  public enum SinkMode: String, Sendable, Codable, CaseIterable {
    /// A plain transformer: the sink's own registers move too (they settle at
    /// `λ log(a / n)`).
    case drift
    /// The sink row's residual update is masked: exact dual gradient descent with the sink
    /// weight 1.
    case frozen
  }

  /// The initial dual registers.
  public enum Initialization: Sendable, Equatable {
    /// `u = v = 0`.
    case zeros
    /// The author's code: `u ~ N(0, 1)`, `v ~ U(0, 1)` from a seeded generator.
    case random(seed: UInt64)
  }

  public let weights: OTTransformerWeights
  public var sinkMode: SinkMode

  public init(weights: OTTransformerWeights, sinkMode: SinkMode = .drift) {
    self.weights = weights
    self.sinkMode = sinkMode
  }

  /// The transformer for points of `dimension` coordinates (the same weights serve every `n`).
  public init(dimension: Int, lambda: Double = 0.1, gamma: Double = 0.05, sinkMode: SinkMode = .drift) {
    self.init(weights: OTTransformerWeights(dimension: dimension, lambda: lambda, gamma: gamma), sinkMode: sinkMode)
  }

  /// What one layer's output holds.
  public struct Layer: Sendable {
    /// The depth (layers applied; 0 is the prompt).
    public var depth: Int
    /// The readout `M` (`n x n`, rows targets, columns sources, rows summing to 1).
    public var readout: Matrix<Double>
    /// The readout's output `M x` (`n x d`): the sorted list for increasing 1-D targets.
    public var output: Matrix<Double>
    /// The dual registers of the points and of the sink.
    public var u: [Double]
    public var v: [Double]
    public var sinkU: Double
    public var sinkV: Double
  }

  /// The prompt of `x` and `y` for this transformer.
  public func prompt(x: Matrix<Double>, y: Matrix<Double>, sinkValue a: Double, initialization: Initialization = .zeros) -> Matrix<Double> {
    var u: [Double]? = nil, v: [Double]? = nil
    if case .random(let seed) = initialization {
      var generator = SeededGenerator(seed: seed)
      u = (0..<x.rows).map { _ in generator.normal() }
      v = (0..<x.rows).map { _ in generator.uniform() }
    }
    return weights.prompt.tokens(x: x, y: y, sinkValue: a, u: u, v: v)
  }

  /// One layer on the tokens `z` (`(n + 1) x width`, the sink last).
  public func layer(_ z: inout Matrix<Double>) {
    let p = weights.prompt
    let n = z.rows - 1
    let attention = TransportAttention(anchor: .softmax, temperature: 1)
    let values = z.columns(p.value..<(p.value + 1))
    // Both heads see the same Z (a layer is simultaneous in u and v).
    let head1 = attention.output(queries: Matrix.product(z, weights.w1), keys: z, values: values)
    let head2 = attention.output(queries: Matrix.product(z, weights.w2), keys: z, values: values)
    let (g1, g2) = (weights.v1[p.value, p.u], weights.v2[p.value, p.v])
    let rows = sinkMode == .frozen ? n : n + 1
    for i in 0..<rows {
      z[i, p.u] += g1 * head1[i, 0]
      z[i, p.v] += g2 * head2[i, 0]
    }
  }

  /// The readout of the tokens: head 2's scores between points (sink masked), row
  /// softmax, and the output `M x` written to the output register.
  public func readout(_ z: Matrix<Double>) -> (readout: Matrix<Double>, output: Matrix<Double>) {
    let p = weights.prompt
    let n = z.rows - 1
    let d = p.dimension
    let points = z.rows(0..<n)
    let attention = TransportAttention(anchor: .softmax, temperature: 1)
    let m = attention.weights(queries: Matrix.product(points, weights.w2), keys: points)
    let output = Matrix.product(m, points.columns(p.source..<(p.source + d)))
    return (m, output)
  }

  /// Runs `depth` layers on the prompt of `x` and `y` and records the layers in `record`
  /// (depths from 0 to `depth`; the last layer is always recorded).
  ///
  /// - Parameters:
  ///   - x: The source points (`n x d`).
  ///   - y: The target points (`n x d`; increasing 1-D targets make the output the sorted `x`).
  ///   - depth: The layers to apply.
  ///   - record: The depths whose layer is returned (the last always is).
  ///   - sinkValue: `a`; `nil` is `1/n` (the author's code).
  ///   - initialization: The initial dual registers.
  ///   - progress: called after each layer with the depth reached.
  public func run(
    x: Matrix<Double>, y: Matrix<Double>, depth: Int, record: Set<Int> = [], sinkValue: Double? = nil,
    initialization: Initialization = .zeros, progress: ((Int) -> Void)? = nil
  ) -> [Layer] {
    precondition(depth >= 0, "the depth must be non-negative")
    let a = sinkValue ?? 1 / Double(x.rows)
    var z = prompt(x: x, y: y, sinkValue: a, initialization: initialization)
    var layers: [Layer] = []
    func capture(_ depth: Int) {
      let p = weights.prompt
      let n = z.rows - 1
      let (m, output) = readout(z)
      layers.append(
        Layer(
          depth: depth, readout: m, output: output, u: (0..<n).map { z[$0, p.u] }, v: (0..<n).map { z[$0, p.v] },
          sinkU: z[n, p.u], sinkV: z[n, p.v]))
    }
    if record.contains(0) || depth == 0 { capture(0) }
    for l in stride(from: 1, through: depth, by: 1) {
      layer(&z)
      if record.contains(l) || l == depth { capture(l) }
      progress?(l)
    }
    return layers
  }

  /// The tokens after `depth` layers (for tests and for the logits).
  public func tokens(x: Matrix<Double>, y: Matrix<Double>, depth: Int, sinkValue: Double? = nil, initialization: Initialization = .zeros) -> Matrix<Double> {
    var z = prompt(x: x, y: y, sinkValue: sinkValue ?? 1 / Double(x.rows), initialization: initialization)
    for _ in 0..<depth { layer(&z) }
    return z
  }

  /// The logits `Z W_h Zᵀ` of head `h` (1 or 2) on tokens `z`.
  public func logits(_ z: Matrix<Double>, head: Int) -> Matrix<Double> {
    precondition(head == 1 || head == 2, "the transformer has heads 1 and 2")
    return Matrix.product(Matrix.product(z, head == 1 ? weights.w1 : weights.w2), z, transposeB: true)
  }
}
