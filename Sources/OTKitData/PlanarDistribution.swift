import Foundation
import OTKitCore

/// The two-dimensional toy distributions of the neural OT and flow-matching literature,
/// sampled with OTKit's seeded generator: scikit-learn's half moon and S-curve (as OTT-JAX's
/// Monge gap tutorial rotates, scales and shifts them), torchdyn's two moons and torchcfm's 8
/// Gaussians, and a Gaussian. Samples are `count x 2` (the Gaussian `count x d`).
///
/// Transformations apply in OTT's order: rotate by ``rotation``, then scale, then shift.
public struct PlanarDistribution: Sendable, Codable, Equatable {
  public enum Shape: String, Sendable, Codable, CaseIterable {
    /// scikit-learn's `make_moons` outer half circle: `(cos t, sin t)`, `t ~ U[0, pi]`.
    case halfMoon
    /// The two interleaved half circles of `make_moons` (torchdyn's `generate_moons`).
    case moons
    /// scikit-learn's `make_s_curve` seen from its side (`x[:, [2, 0]]`):
    /// `(sign(t) (cos t - 1), sin t)`, `t ~ U[-3 pi / 2, 3 pi / 2]`.
    case sCurve
    /// torchcfm's 8 Gaussians: centres at radius 5 every 45 degrees, the noise their
    /// standard deviation.
    case eightGaussians
    /// The standard normal in ``dimension`` dimensions (then scaled and shifted).
    case gaussian
  }

  public var shape: Shape
  /// Radians, counter-clockwise (two dimensions only).
  public var rotation: Double = 0
  public var scale: Double = 1
  /// The shift (`nil`: none).
  public var mean: [Double]? = nil
  /// The standard deviation of the Gaussian noise added to each coordinate.
  public var noise: Double = 0
  /// The dimension of ``Shape/gaussian`` (2 for the other shapes).
  public var dimension = 2

  public init(_ shape: Shape, rotation: Double = 0, scale: Double = 1, mean: [Double]? = nil, noise: Double = 0, dimension: Int = 2) {
    (self.shape, self.rotation, self.scale, self.mean, self.noise) = (shape, rotation, scale, mean, noise)
    self.dimension = shape == .gaussian ? dimension : 2
  }

  /// `count` samples, one per row.
  ///
  /// - Complexity: `O(count * dimension)`.
  public func sample(_ count: Int, generator: inout SeededGenerator) -> Matrix<Double> {
    var x = Matrix<Double>(rows: count, columns: dimension)
    for i in 0..<count {
      let point = base(&generator)
      for k in 0..<dimension { x[i, k] = point[k] + noise * generator.normal() }
    }
    let (c, s) = (Foundation.cos(rotation), Foundation.sin(rotation))
    for i in 0..<count {
      if dimension == 2 && rotation != 0 { (x[i, 0], x[i, 1]) = (c * x[i, 0] - s * x[i, 1], s * x[i, 0] + c * x[i, 1]) }
      for k in 0..<dimension { x[i, k] = scale * x[i, k] + (mean?[k] ?? 0) }
    }
    return x
  }

  /// One noiseless point of the shape.
  func base(_ g: inout SeededGenerator) -> [Double] {
    switch shape {
    case .halfMoon:
      let t = Double.pi * g.uniform()
      return [Foundation.cos(t), Foundation.sin(t)]
    case .moons:
      let t = Double.pi * g.uniform()
      return g.uniform() < 0.5 ? [Foundation.cos(t), Foundation.sin(t)] : [1 - Foundation.cos(t), 0.5 - Foundation.sin(t)]
    case .sCurve:
      let t = 3 * Double.pi * (g.uniform() - 0.5)
      return [(t < 0 ? -1 : 1) * (Foundation.cos(t) - 1), Foundation.sin(t)]
    case .eightGaussians:
      let angle = Double(Int(g.uniform() * 8) % 8) * Double.pi / 4
      return [5 * Foundation.cos(angle), 5 * Foundation.sin(angle)]
    case .gaussian:
      return (0..<dimension).map { _ in g.normal() }
    }
  }
}
