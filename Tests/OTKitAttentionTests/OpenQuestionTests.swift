import Foundation
import OTKitAutograd
import OTKitCore
import Testing

@testable import OTKitAttention

/// Seed 002's open questions (a) and (b) as tested statements.
@Suite("Seed 002's open questions: the Tsallis geometry, two-sided attention")
struct OpenQuestionTests {
  /// The tape's Jacobian of one row under an anchor (scores already divided by tau = 1).
  static func tapeJacobian(_ z: [Double], _ anchor: AttentionAnchor) -> Matrix<Double> {
    AttentionIdentities.rowJacobian(z, tau: 1, anchor: anchor)
  }

  static let z = [0.9, -0.4, 0.3, 1.4, -1.1, 0.2, 0.75]

  @Test("(a) entmax: the Jacobian is the Hessian of the Tsallis conjugate potential and the scaled escort Fisher information, not the categorical one",
        arguments: [1.25, 1.5, 1.75, 2.0])
  func tsallis(alpha: Double) {
    let anchor = AttentionAnchor.entmax(alpha: alpha)
    let p = anchor.weights(Matrix(row: Self.z)).row(0)
    #expect(p.filter { $0 > 0 }.count >= 2)
    let jacobian = Self.tapeJacobian(Self.z, anchor)
    #expect(maxDifference(jacobian, EntmaxGeometry.escortFisher(p, alpha: alpha)) < 1e-10)
    #expect(maxDifference(jacobian, EntmaxGeometry.conjugateHessian(Self.z, alpha: alpha)) < 1e-5)
    // The counterexample: the categorical Fisher information of p itself.
    #expect(maxDifference(jacobian, AttentionDiagnostics.fisherInformation(probabilities: p)) > 1e-2)
  }

  @Test("(a) as alpha -> 1 the entmax Jacobian tends to the softmax's Fisher information")
  func tsallisLimit() {
    let softmax = AttentionDiagnostics.fisherInformation(probabilities: Kernels.softmaxRows(Matrix(row: Self.z)).row(0))
    let errors = [1.25, 1.1, 1.01, 1.001].map { alpha in maxDifference(Self.tapeJacobian(Self.z, .entmax(alpha: alpha)), softmax) }
    #expect(zip(errors, errors.dropFirst()).allSatisfy { $0 > $1 })
    #expect(errors.last! < 2e-3)
  }

  @Test("(b) Sinkhorn attention at convergence: probability times advantage with row and column baselines equals the unrolled and implicit backward",
        arguments: [(8, 8), (6, 9)])
  func twoSided(shape: (Int, Int)) {
    let s = randomScores(shape.0, shape.1, seed: 20, scale: 1.5)
    let u = randomScores(shape.0, shape.1, seed: 21)
    let decomposition = { (differentiation: SinkhornAnchorSettings.Differentiation) -> (Matrix<Double>, Matrix<Double>) in
      let anchor = AttentionAnchor.sinkhorn(.init(iterations: 5_000, tolerance: 1e-14, differentiation: differentiation))
      let (weights, record) = anchor.forward(s)
      return (weights, anchor.backward(scores: s, record: record, gradient: u))
    }
    let (plan, unrolled) = decomposition(.unrolled)
    let (_, implicit) = decomposition(.implicit)
    let twoSided = TwoSidedAdvantage(plan: plan, upstream: u)
    #expect(twoSided.converged)
    #expect(maxDifference(twoSided.gradient, unrolled) < 1e-8)
    #expect(maxDifference(twoSided.gradient, implicit) < 1e-8)
    // The row baseline alone is not enough for a plan.
    #expect(maxDifference(TwoSidedAdvantage(plan: plan, upstream: u, columns: false).gradient, unrolled) > 1e-3)
  }

  @Test("(b) at one normalization the decomposition is the one-sided advantage form")
  func oneStep() {
    let s = randomScores(7, 5, seed: 22)
    let u = randomScores(7, 5, seed: 23)
    let anchor = AttentionAnchor.sinkhorn(.init(iterations: 1))
    let (weights, record) = anchor.forward(s)
    let oneSided = TwoSidedAdvantage(plan: weights, upstream: u, columns: false)
    #expect(maxDifference(oneSided.gradient, anchor.backward(scores: s, record: record, gradient: u)) < 1e-13)
    #expect(maxDifference(oneSided.gradient, AttentionIdentities.advantageForm(weights: weights, upstream: u, temperature: 1)) < 1e-13)
    #expect(oneSided.columnBaseline.allSatisfy { $0 == 0 })
  }
}
