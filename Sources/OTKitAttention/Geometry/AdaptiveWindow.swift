import Foundation
import OTKitCore

/// An adaptive carrier: a window around each query whose width `w` is learned (Geometric
/// Attention's adaptive-carrier regime, R. Rosario Freytes, arXiv 2601.11618). The hard
/// window `|i - j| <= w` has no gradient in `w`; this carrier is its smooth relaxation, the
/// soft indicator `m_ij(w) = sigmoid((w - |i - j|) / sharpness)`, applied as the log-mask
/// `log m_ij` added to the log-kernel. Every key keeps a positive weight, so no row of
/// weights is ever empty; as `sharpness -> 0` it is the hard window.
public struct AdaptiveWindow: Sendable, Equatable, Hashable, Codable {
  /// The width of the sigmoid's transition, in tokens.
  public var sharpness: Double

  public init(sharpness: Double = 1) {
    precondition(sharpness > 0 && sharpness.isFinite, "The sharpness must be positive")
    self.sharpness = sharpness
  }

  /// `log sigmoid((w - |i - j|) / sharpness)`, `n x m` (finite everywhere).
  ///
  /// - Complexity: `O(n m)`.
  public func logMask(rows n: Int, columns m: Int, width w: Double) -> Matrix<Double> {
    Matrix(rows: n, columns: m) { i, j in Self.logSigmoid((w - Double(abs(i - j))) / sharpness) }
  }

  /// `sum_ij G_ij d log m_ij / dw = sum_ij G_ij (1 - sigmoid(z_ij)) / sharpness` over the
  /// finite entries of `G`.
  ///
  /// - Complexity: `O(n m)`.
  public func widthGradient(_ g: Matrix<Double>, width w: Double) -> Double {
    var total = 0.0
    for i in 0..<g.rows {
      for j in 0..<g.columns where g[i, j].isFinite {
        let z = (w - Double(abs(i - j))) / sharpness
        total += g[i, j] * Self.sigmoid(-z) / sharpness
      }
    }
    return total
  }

  /// The keys a query effectively addresses at width `w`: `sum_j m_ij` averaged over rows.
  ///
  /// - Complexity: `O(n m)`.
  public func effectiveSize(rows n: Int, columns m: Int, width w: Double) -> Double {
    logMask(rows: n, columns: m, width: w).elements.reduce(0) { $0 + Foundation.exp($1) } / Double(Swift.max(n, 1))
  }

  /// `log(1 / (1 + e^-z))` without overflow.
  static func logSigmoid(_ z: Double) -> Double { z >= 0 ? -Foundation.log1p(Foundation.exp(-z)) : z - Foundation.log1p(Foundation.exp(z)) }

  static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z)) }
}
