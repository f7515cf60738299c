import Foundation
import OTKitCore
import OTKitData

/// How the dummy class Gaussians of the OT classifier and the pretrained transformer are
/// placed.
public enum DummyPlacement: String, Sendable, Codable, CaseIterable {
  /// The circle up to 3 classes (where it is a regular simplex), the simplex beyond (when
  /// `k - 1 <= d`; else the circle).
  case automatic
  /// The study's: means on a circle of radius `3k` in the first two coordinates,
  /// `mu_i = (3k sin(2 pi i / k), 3k cos(2 pi i / k), 0, ...)`.
  case circle
  /// A regular simplex of circumradius `3k` in the first `k - 1` coordinates: every pair
  /// of classes equally far apart, for any number of classes with `k - 1 <= d`.
  case simplex
}

/// One Gaussian per class: means and covariances in `R^d`.
///
/// Used for the study's simulated data (A. Candelieri and A. Quadrio, arXiv 2512.09530, section 2) and for
/// the dummy classes of sections 4 and 6.
public struct ClassGaussians: Sendable, Equatable, Codable {
  public var means: [[Double]]
  public var covariances: [Matrix<Double>]

  public init(means: [[Double]], covariances: [Matrix<Double>]) {
    precondition(!means.isEmpty && means.count == covariances.count, "One mean and one covariance per class")
    let d = means[0].count
    precondition(means.allSatisfy { $0.count == d } && covariances.allSatisfy { $0.rows == d && $0.columns == d }, "Means and covariances must share one dimension")
    self.means = means
    self.covariances = covariances
  }

  public var classes: Int { means.count }
  public var dimension: Int { means[0].count }

  /// Dummy classes: unit covariances, means placed as `placement` says.
  ///
  /// - Throws: ``TabularModelError`` when the placement needs more dimensions than `d`
  ///   (the circle needs 2, the simplex `k - 1`).
  public static func dummies(classes k: Int, dimension d: Int, placement: DummyPlacement = .automatic) throws -> ClassGaussians {
    let radius = 3 * Double(k)
    var means = Array(repeating: Array(repeating: 0.0, count: d), count: k)
    var placement = placement
    if placement == .automatic { placement = k <= 3 || k - 1 > d ? .circle : .simplex }
    switch placement {
    case .circle:
      guard d >= 2 else { throw TabularModelError("the circle placement of dummy classes needs at least 2 dimensions, the data has \(d)") }
      for i in 0..<k {
        let angle = 2 * Double.pi * Double(i) / Double(k)
        means[i][0] = radius * sin(angle)
        means[i][1] = radius * cos(angle)
      }
    case .simplex, .automatic:
      guard k - 1 <= d else { throw TabularModelError("a simplex of \(k) classes needs \(k - 1) dimensions, the data has \(d)") }
      // The vertices e_i - 1/k in the Helmert basis of the plane orthogonal to (1, ..., 1).
      let norm = (Double(k - 1) / Double(k)).squareRoot()
      for j in 1..<k {
        let h = 1 / (Double(j) * Double(j + 1)).squareRoot()
        for i in 0..<k {
          let entry = i < j ? h : (i == j ? -Double(j) * h : 0)
          means[i][j - 1] = entry * radius / norm
        }
      }
    }
    let identity = Matrix<Double>(rows: d, columns: d) { i, j in i == j ? 1 : 0 }
    return ClassGaussians(means: means, covariances: Array(repeating: identity, count: k))
  }

  /// The study's simulated classes with separation `s` and covariance `variance * I` in the
  /// plane: 2 classes at `(+-s, 0)`; 3 classes at `(+-x, 0)` and `(0, x)` with
  /// `x = 6 s / (2 (1 + sqrt 2))`.
  public static func study(classes: Int, separation s: Double, variance: Double = 2) -> ClassGaussians {
    precondition(classes == 2 || classes == 3, "The study simulates 2 or 3 classes")
    let means: [[Double]]
    if classes == 2 {
      means = [[-s, 0], [s, 0]]
    } else {
      let x = 6 * s / (2 * (1 + 2.0.squareRoot()))
      means = [[-x, 0], [x, 0], [0, x]]
    }
    let covariance = Matrix<Double>(rows: 2, columns: 2) { i, j in i == j ? variance : 0 }
    return ClassGaussians(means: means, covariances: Array(repeating: covariance, count: classes))
  }

  /// `count` draws of class `c`.
  public func sample(class c: Int, count: Int, generator: inout SeededGenerator) -> Matrix<Double> {
    // Covariances are validated positive semi-definite by construction or by `validate()`.
    (try? generator.multivariateNormal(mean: means[c], covariance: covariances[c], count: count))
      ?? Matrix(rows: count, columns: dimension)
  }

  /// Checks that every covariance is symmetric positive semi-definite.
  public func validate() throws {
    for (c, s) in covariances.enumerated() {
      do { _ = try s.cholesky() } catch { throw TabularModelError("the covariance of class \(c) is not symmetric positive semi-definite: \(error)") }
    }
  }

  /// A simulated data set: `instances` instances split evenly over the classes (class by
  /// class), each a sequence of `tokens` independent draws from its class's Gaussian.
  public func simulate(instances: Int, tokens: Int, seed: UInt64) -> SequenceData {
    var generator = SeededGenerator(seed: seed)
    let k = classes
    var labels: [Int] = []
    var blocks: [Matrix<Double>] = []
    for c in 0..<k {
      let count = instances / k + (c < instances % k ? 1 : 0)
      blocks.append(sample(class: c, count: count * tokens, generator: &generator))
      labels += Array(repeating: c, count: count)
    }
    var points = blocks[0]
    for block in blocks.dropFirst() { points = points.appendingRows(block) }
    return SequenceData(points: points, tokens: tokens, labels: labels, classLabels: (0..<k).map(String.init))
  }

  /// The closed-form 2-Wasserstein (Bures) distance between the Gaussians of classes `a`
  /// and `b`: `sqrt(|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_b^{1/2} S_a S_b^{1/2})^{1/2}))`.
  ///
  /// - Complexity: `O(d^3)`.
  public func buresDistance(_ a: Int, _ b: Int) throws -> Double {
    let d = dimension
    var squared = 0.0
    for j in 0..<d { squared += (means[a][j] - means[b][j]) * (means[a][j] - means[b][j]) }
    let rootB = try covariances[b].symmetricSquareRoot()
    let middle = try Matrix.product(Matrix.product(rootB, covariances[a]), rootB).symmetrized().symmetricSquareRoot()
    var trace = 0.0
    for j in 0..<d { trace += covariances[a][j, j] + covariances[b][j, j] - 2 * middle[j, j] }
    return (squared + max(trace, 0)).squareRoot()
  }

  /// `gauss_dist` of the study: the mean Bures distance over pairs of classes.
  public func gaussDist() throws -> Double {
    var total = 0.0, pairs = 0
    for a in 0..<classes {
      for b in (a + 1)..<classes {
        total += try buresDistance(a, b)
        pairs += 1
      }
    }
    return pairs > 0 ? total / Double(pairs) : 0
  }
}

extension Matrix where Scalar == Double {
  /// `(A + A^T) / 2`: removes the round-off asymmetry of a product that is symmetric in
  /// exact arithmetic.
  func symmetrized() -> Matrix<Double> {
    Matrix(rows: rows, columns: columns) { i, j in (self[i, j] + self[j, i]) / 2 }
  }
}
