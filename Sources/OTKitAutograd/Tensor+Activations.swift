import OTKitCore
import RealModule

/// Element-wise functions and activations.
///
/// GELU is the exact form `x Phi(x)` (D. Hendrycks and K. Gimpel, "Gaussian error linear
/// units", arXiv:1606.08415, 2016).
///
/// - Complexity: `O(rows * columns)`, forward and backward.
extension Tensor {
  public func exp() -> Tensor { graph.record(.exp, inputs: [self], value: value.exp()) }
  public func log() -> Tensor { graph.record(.log, inputs: [self], value: value.log()) }
  public func sqrt() -> Tensor { graph.record(.sqrt, inputs: [self], value: value.squareRoot()) }
  public func tanh() -> Tensor { graph.record(.tanh, inputs: [self], value: value.map { Double.tanh($0) }) }
  public func relu() -> Tensor { graph.record(.relu, inputs: [self], value: value.map { $0 > 0 ? $0 : 0 }) }
  public func sigmoid() -> Tensor {
    graph.record(.sigmoid, inputs: [self], value: value.map(Self.sigmoid))
  }
  public func gelu() -> Tensor {
    graph.record(.gelu, inputs: [self], value: value.map { $0 * Self.normalCDF($0) })
  }
  /// `log(1 + e^x)`, computed without overflow; its derivative is the sigmoid.
  public func softplus() -> Tensor {
    graph.record(.softplus, inputs: [self], value: value.map { $0 > 0 ? $0 + Double.log(1 + Double.exp(-$0)) : Double.log(1 + Double.exp($0)) })
  }
  /// `|x|` elementwise (subgradient 0 at 0).
  public func abs() -> Tensor { graph.record(.abs, inputs: [self], value: value.map { Swift.abs($0) }) }
  public func square() -> Tensor { graph.record(.square, inputs: [self], value: value.map { $0 * $0 }) }

  /// Rounds to the nearest integer. It has no derivative: a gradient reaching it is an
  /// ``AutogradError/noBackwardRule(_:)`` error.
  public func rounded() -> Tensor {
    graph.record(.nondifferentiable("rounded"), inputs: [self], value: value.map { $0.rounded() })
  }

  static func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + Double.exp(-x)) : { let e = Double.exp(x); return e / (1 + e) }()
  }

  static func normalCDF(_ x: Double) -> Double { 0.5 * (1 + Double.erf(x / 2.0.squareRoot())) }
  static func normalPDF(_ x: Double) -> Double { Double.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }
}

/// Row-wise normalizations: softmax, log-softmax, log-sum-exp and layer normalization.
///
/// - Complexity: `O(rows * columns)`, forward and backward.
extension Tensor {
  /// The softmax of each row.
  public func softmax() -> Tensor {
    graph.record(.softmax, inputs: [self], value: Kernels.softmaxRows(value))
  }

  /// The log-softmax of each row, computed stably.
  public func logSoftmax() -> Tensor {
    graph.record(.logSoftmax, inputs: [self], value: Kernels.softmaxRows(value, log: true))
  }

  /// `log(sum_j exp(x_ij))` of each row: a `rows x 1` tensor.
  public func logSumExp() -> Tensor {
    graph.record(.logSumExp, inputs: [self], value: Matrix(column: value.rowLogSumExp()))
  }

  /// Each row normalized to mean 0 and variance 1 (no affine part; the `LayerNorm` layer of OTKitNeural adds it).
  public func layerNormalized(epsilon: Double = 1e-5) -> Tensor {
    let (y, inverse) = Kernels.layerNormRows(value, epsilon: epsilon)
    return graph.record(.layerNorm(inverseDeviation: inverse), inputs: [self], value: y)
  }

  /// Inverted dropout: each element is zeroed with probability `rate` and the others are
  /// scaled by `1 / (1 - rate)`, drawing from `generator`. The identity when the graph is
  /// not training or `rate` is 0.
  public func dropout(rate: Double, generator: inout SeededGenerator) -> Tensor {
    precondition(rate >= 0 && rate < 1, "The dropout rate must be in [0, 1), got \(rate)")
    guard graph.isTraining && rate > 0 else { return self }
    let keep = 1 / (1 - rate)
    var mask = Matrix<Double>(rows: rows, columns: columns)
    mask.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = generator.uniform() < rate ? 0 : keep }
    }
    return graph.record(.dropout(mask: mask), inputs: [self], value: value * mask)
  }
}
