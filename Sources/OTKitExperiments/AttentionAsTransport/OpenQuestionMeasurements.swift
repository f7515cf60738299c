import Foundation
import OTKitAttention
import OTKitAutograd
import OTKitCore

/// Seed 002's open questions (a) and (b), measured on random scores: the largest
/// differences between the anchors' Jacobians and gradients (read off the tape) and the
/// forms the questions propose.
public struct OpenQuestionMeasurements: Sendable, Codable, Equatable {
  /// (a) Per alpha: `|J - scaled escort Fisher|`, `|J - Hessian of the Tsallis conjugate|`
  /// (second differences, step 1e-4) and `|J - categorical Fisher of p|`.
  public struct Tsallis: Sendable, Codable, Equatable {
    public var alpha: Double
    public var escortFisherError: Double
    public var conjugateHessianError: Double
    public var categoricalFisherError: Double
  }

  /// (b) `|two-sided advantage form - unrolled backward|` at convergence, the same with the
  /// row baseline alone, and `|one-sided form - backward|` at one normalization.
  public struct TwoSided: Sendable, Codable, Equatable {
    public var convergedError: Double
    public var rowBaselineOnlyError: Double
    public var oneStepError: Double
  }

  public var tsallis: [Tsallis]
  public var twoSided: TwoSided

  /// Measures over `rows` random score rows (a) and a `tokens x tokens` head (b).
  public static func measure(rows: Int = 8, tokens: Int = 12, seed: UInt64 = 0) -> OpenQuestionMeasurements {
    var generator = SeededGenerator(seed: seed)
    let z: [[Double]] = (0..<rows).map { _ in (0..<tokens).map { _ in generator.normal() * 1.5 } }
    let tsallis = [1.25, 1.5, 1.75, 2.0].map { alpha in
      var errors = (0.0, 0.0, 0.0)
      for row in z {
        let anchor = AttentionAnchor.entmax(alpha: alpha)
        let p = anchor.weights(Matrix(row: row)).row(0)
        let j = AttentionIdentities.rowJacobian(row, tau: 1, anchor: anchor)
        errors.0 = max(errors.0, largest(j, EntmaxGeometry.escortFisher(p, alpha: alpha)))
        errors.1 = max(errors.1, largest(j, EntmaxGeometry.conjugateHessian(row, alpha: alpha)))
        errors.2 = max(errors.2, largest(j, AttentionDiagnostics.fisherInformation(probabilities: p)))
      }
      return Tsallis(alpha: alpha, escortFisherError: errors.0, conjugateHessianError: errors.1, categoricalFisherError: errors.2)
    }
    let s: Matrix<Double> = generator.normalMatrix(rows: tokens, columns: tokens)
    let u: Matrix<Double> = generator.normalMatrix(rows: tokens, columns: tokens)
    let converged = AttentionAnchor.sinkhorn(SinkhornAnchorSettings(iterations: 5_000, tolerance: 1e-14))
    let (plan, record) = converged.forward(s)
    let unrolled = converged.backward(scores: s, record: record, gradient: u)
    let one = AttentionAnchor.sinkhorn(SinkhornAnchorSettings(iterations: 1))
    let (p1, r1) = one.forward(s)
    let twoSided = TwoSided(
      convergedError: largest(TwoSidedAdvantage(plan: plan, upstream: u).gradient, unrolled),
      rowBaselineOnlyError: largest(TwoSidedAdvantage(plan: plan, upstream: u, columns: false).gradient, unrolled),
      oneStepError: largest(TwoSidedAdvantage(plan: p1, upstream: u, columns: false).gradient, one.backward(scores: s, record: r1, gradient: u)))
    return OpenQuestionMeasurements(tsallis: tsallis, twoSided: twoSided)
  }

  static func largest(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.elements, b.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }
}
