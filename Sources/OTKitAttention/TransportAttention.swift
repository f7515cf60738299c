import Foundation
import OTKitCore

/// Attention as transport: a
/// score chart `S = Q K^T / tau + bias`, its Gibbs kernel `exp(S)` (the transport cost is
/// `-tau S` at temperature `tau`), and an anchor that turns the kernel into weights:
/// the softmax (one-sided entropic OT), Sinkhorn (two-sided), sparsemax and entmax (Tsallis
/// and quadratic regularizers) or orthostochastic. The output is `weights V`.
///
/// M. E. Sander, P. Ablin, M. Blondel and G. Peyré, "Sinkformers", AISTATS 2022;
/// B. Peters, V. Niculae and A. F. T. Martins, "Sparse sequence-to-sequence models", ACL 2019.
///
/// For training, `Tensor.anchored(_:)` and `anchoredMultiHeadAttention` (OTKitAutograd) give
/// the same operator on the autograd tape, with the anchors' exact backward passes.
///
/// - Complexity: `O(n m d)` for the scores and the output plus the anchor's cost.
public struct TransportAttention: Sendable {
  public var anchor: AttentionAnchor
  /// `tau`; `nil` is `sqrt(d)` of the queries.
  public var temperature: Double?
  /// An additive bias of the scores (`n x m`): a locality cost (ALiBi), or a hand-made
  /// mask (`-infinity`; ``carrier`` says the same as a type).
  public var bias: Matrix<Double>?
  /// The keys each query addresses (Geometric Attention's carrier): off it the scores are
  /// `-infinity`.
  public var carrier: AttentionCarrier
  /// The link of the evidence kernel (``AttentionLink``): the score chart becomes
  /// `log L(S)` before the anchor (nothing changes for `exp`).
  public var link: AttentionLink

  public init(
    anchor: AttentionAnchor = .softmax, temperature: Double? = nil, bias: Matrix<Double>? = nil, carrier: AttentionCarrier = .full,
    link: AttentionLink = .exp
  ) {
    self.anchor = anchor
    self.temperature = temperature
    self.bias = bias
    self.carrier = carrier
    self.link = link
  }

  /// The temperature used for queries of width `d`.
  public func resolvedTemperature(keySize d: Int) -> Double { temperature ?? Double(d).squareRoot() }

  /// The scores `Q K^T / tau + bias` (as the log-kernel of a power ``link``, each row
  /// measured from its largest score: ``AttentionLink/logKernel(rows:)``).
  @inlinable
  public func scores<T: MatrixScalar>(queries: Matrix<T>, keys: Matrix<T>) -> Matrix<T> {
    precondition(queries.columns == keys.columns, "Queries and keys must have the same width")
    var s = Matrix.product(queries, keys, transposeB: true)
    let inverse = T(1 / resolvedTemperature(keySize: queries.columns))
    s.withUnsafeMutableBufferPointer { p in
      for index in p.indices { p[index] *= inverse }
    }
    if let bias = scoreBias(rows: s.rows, columns: s.columns) { s = s + Matrix<T>(bias) }
    if link != .exp { s = Matrix<T>(link.logKernel(rows: Matrix<Double>(s))) }
    return s
  }

  /// The bias the scores get: ``bias`` plus `-infinity` off the ``carrier`` (`nil` when
  /// neither is set).
  ///
  /// - Complexity: `O(n m)` when set.
  public func scoreBias(rows n: Int, columns m: Int) -> Matrix<Double>? {
    if let bias { precondition(bias.rows == n && bias.columns == m, "The bias must be n x m") }
    guard let mask = carrier.bias(rows: n, columns: m) else { return bias }
    return bias.map { $0 + mask } ?? mask
  }

  /// The weights of the anchor on the scores of `queries` and `keys`.
  @inlinable
  public func weights<T: MatrixScalar>(queries: Matrix<T>, keys: Matrix<T>) -> Matrix<T> {
    var s = scores(queries: queries, keys: keys)
    if anchor == .softmax {
      Kernels.softmaxRowsInPlace(&s)
      return s
    }
    return Self.weights(s, anchor: anchor)
  }

  /// The weights and the output `weights V`.
  @inlinable
  public func callAsFunction<T: MatrixScalar>(queries: Matrix<T>, keys: Matrix<T>, values: Matrix<T>) -> (weights: Matrix<T>, output: Matrix<T>) {
    precondition(values.rows == keys.rows, "One value per key")
    let w = weights(queries: queries, keys: keys)
    return (w, Matrix.product(w, values))
  }

  /// The output `weights V` alone, without returning the weights.
  ///
  /// With the softmax anchor in `Float` on a CPU with AVX-512 or AVX2 this never forms the
  /// `n x m` weights: query rows go through scores, softmax and the value product in blocks
  /// that stay in cache (`Fast.blockedSoftmaxAttention` of the core).
  /// Other anchors and precisions form the weights and multiply.
  ///
  /// - Complexity: `O(n m (d + dv))` time; `O(m (d + dv))` extra memory on the blocked path,
  ///   `O(n m)` otherwise.
  @inlinable
  public func output<T: MatrixScalar>(queries: Matrix<T>, keys: Matrix<T>, values: Matrix<T>) -> Matrix<T> {
    precondition(values.rows == keys.rows, "One value per key")
    if anchor == .softmax, link == .exp, let q = queries as? Matrix<Float>, let k = keys as? Matrix<Float>,
      let v = values as? Matrix<Float>
    {
      let scale = Float(1 / resolvedTemperature(keySize: queries.columns))
      if let o = Fast.blockedSoftmaxAttention(
        queries: q, keys: k, values: v, scale: scale,
        bias: scoreBias(rows: q.rows, columns: k.rows).map(Matrix<Float>.init)),
        let result = o as? Matrix<T>
      {
        return result
      }
    }
    return Matrix.product(weights(queries: queries, keys: keys), values)
  }

  /// Batched over heads (or instances): one result per query/key/value triple.
  @inlinable
  public func callAsFunction<T: MatrixScalar>(heads queries: [Matrix<T>], keys: [Matrix<T>], values: [Matrix<T>]) -> [(weights: Matrix<T>, output: Matrix<T>)] {
    precondition(queries.count == keys.count && keys.count == values.count, "One query, key and value matrix per head")
    return (0..<queries.count).map { self(queries: queries[$0], keys: keys[$0], values: values[$0]) }
  }

  /// The anchor's weights of scores in any precision (the orthostochastic anchor and the
  /// entmax bisection compute in `Double`).
  @inlinable
  public static func weights<T: MatrixScalar>(_ s: Matrix<T>, anchor: AttentionAnchor) -> Matrix<T> {
    anchor.weights(s)
  }
}
