import OTKitCore
import RealModule

/// The sliced Wasserstein distance: the `p`-Wasserstein distances of the measures'
/// projections on directions, averaged (J. Rabin, G. Peyré, J. Delon, M. Bernot,
/// "Wasserstein barycenter and its application to texture mixing", SSVM 2011; N. Bonneel,
/// J. Rabin, G. Peyré, H. Pfister, "Sliced and Radon Wasserstein barycenters of measures",
/// JMIV 51, 2015). `SW_p = (mean_θ W_p^p(θᵀX, θᵀY))^{1/p}`, as POT's
/// `sliced_wasserstein_distance`.
///
/// - Complexity: `O(k (n + m)(d + log(n + m)))` for `k` directions (one 1-D solve each).
public enum SlicedWasserstein {
  /// The distance and its per-direction `W_p^p`.
  public struct Result: Sendable {
    public var distance: Double
    public var perDirection: [Double]
  }

  /// `count` directions drawn uniformly on the sphere of `R^dimension` (normalized
  /// Gaussians, seeded), as rows.
  public static func randomDirections(count: Int, dimension: Int, seed: UInt64 = 0) -> Matrix<Double> {
    var rng = SeededGenerator(seed: seed)
    var theta: Matrix<Double> = rng.normalMatrix(rows: count, columns: dimension)
    for r in 0..<count {
      var norm = 0.0
      for k in 0..<dimension { norm += theta[r, k] * theta[r, k] }
      norm = norm.squareRoot()
      for k in 0..<dimension { theta[r, k] = norm > 0 ? theta[r, k] / norm : (k == 0 ? 1 : 0) }
    }
    return theta
  }

  /// `SW_p` between `x` (n points) and `y` (m points) over the rows of `directions`.
  ///
  /// - Throws: ``TransportProblemError`` for invalid points or weights (unequal totals are
  ///   rescaled when `rescale`).
  public static func distance(
    _ x: Matrix<Double>, _ y: Matrix<Double>, sourceWeights: [Double]? = nil, targetWeights: [Double]? = nil,
    directions: Matrix<Double>, p: Double = 2, rescale: Bool = false
  ) throws -> Result {
    // Validation through the problem type (finite points, weights, totals, dimensions).
    let problem = try TransportProblem(
      source: x, target: y, sourceWeights: sourceWeights, targetWeights: targetWeights, rescale: rescale)
    precondition(directions.columns == x.columns, "directions of dimension \(directions.columns) for points of dimension \(x.columns)")
    precondition(p >= 1, "the sliced Wasserstein distance needs p >= 1")
    let (a, b) = (problem.sourceWeights, problem.targetWeights)
    let total = a.reduce(0, +)
    var values = [Double](repeating: 0, count: directions.rows)
    // The projections of every point on every direction: n x k and m x k.
    let u = x.multiplied(byTransposeOf: directions), v = y.multiplied(byTransposeOf: directions)
    for r in 0..<directions.rows {
      // W_p^p of the projections by the 1-D monotone coupling.
      let w = try Wasserstein.distance(u.columns(r..<(r + 1)), v.columns(r..<(r + 1)), p: p, sourceWeights: a, targetWeights: b)
      values[r] = Double.pow(w, p) / total
    }
    let mean = values.reduce(0, +) / Double(max(values.count, 1))
    return Result(distance: Double.pow(mean, 1 / p), perDirection: values)
  }
}
