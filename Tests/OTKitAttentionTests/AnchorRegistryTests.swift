import OTKitCore
import Testing

@testable import OTKitAttention

/// The anchors are reached by their rules' names, and each rule's saved state travels in the
/// record from its forward pass to its backward pass.
@Suite("Anchor registry")
struct AnchorRegistryTests {
  @Test("Every listed rule is reached by its name and names itself", arguments: AttentionAnchor.names)
  func roundTrip(name: String) throws {
    let anchor = try #require(AttentionAnchor(name: name))
    #expect(anchor.name == name)
    #expect(type(of: anchor.namedRule).name == name)
  }

  @Test("Names are unique and unknown names give nil")
  func unknown() {
    #expect(Set(AttentionAnchor.names).count == AttentionAnchor.names.count)
    #expect(AttentionAnchor(name: "softmin") == nil)
  }

  @Test("Entmax with alpha 2 keeps its name and computes as sparsemax")
  func canonical() {
    let anchor = AttentionAnchor.entmax(alpha: 2)
    #expect(anchor.name == "entmax")
    #expect(type(of: anchor.rule).name == "sparsemax")
    #expect(anchor.parameterDescription == " (alpha 2.0)")
  }

  @Test("A stateful anchor's record carries its own saved type", arguments: [
    AttentionAnchor.sinkhorn(SinkhornAnchorSettings(iterations: 3)), .orthostochastic, .softmax,
  ])
  func savedState(anchor: AttentionAnchor) {
    let scores = randomScores(4, 4, seed: 9)
    let (weights, record) = anchor.forward(scores)
    #expect(record.anchor == anchor)
    #expect(record.weights == weights)
    switch anchor {
    case .sinkhorn: #expect(record.saved is SinkhornAnchorState<Double>)
    case .orthostochastic: #expect(record.saved is OrthostochasticAnchor.Factors)
    default: #expect(record.saved is Void)
    }
    let gradient = anchor.backward(scores: scores, record: record, gradient: randomScores(4, 4, seed: 10))
    #expect(gradient.rows == 4 && gradient.columns == 4)
    #expect(gradient.elements.allSatisfy { $0.isFinite })
  }
}
