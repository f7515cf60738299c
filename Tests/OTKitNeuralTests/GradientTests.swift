import Foundation
import OTKitCore
import OTKitAttention
import Testing

import OTKitAutograd
import OTKitTransport
@testable import OTKitNeural

/// Checks reverse-mode gradients against central finite differences.
///
/// The scalar checked is `sum(output * R)` for a fixed random `R`, so every output element's
/// gradient is exercised. The error is the norm of the difference relative to the norm of
/// the finite-difference gradient (absolute below a norm of 1e-3: a gradient that is zero
/// by symmetry, such as that of a key bias under softmax, leaves only round-off).
func gradientError(
  inputs: [Matrix<Double>], seed: UInt64 = 7, _ function: ([Tensor]) -> Tensor
) throws -> Double {
  let graph = Graph()
  let leaves = inputs.map { graph.variable($0) }
  let output = function(leaves)
  var generator = SeededGenerator(seed: seed)
  let weights: Matrix<Double> = generator.normalMatrix(rows: output.rows, columns: output.columns)
  try graph.backward(output, seed: weights)
  func objective(_ values: [Matrix<Double>]) -> Double {
    let g = Graph(recording: false, training: true)
    let out = function(values.map { g.constant($0) })
    return (out.value * weights).sum()
  }
  var worst = 0.0
  for (k, x) in inputs.enumerated() {
    let analytic = graph.gradient(of: leaves[k]) ?? Matrix(rows: x.rows, columns: x.columns)
    var numeric = Matrix<Double>(rows: x.rows, columns: x.columns)
    for e in 0..<x.count {
      let h = 1e-5 * max(1, abs(x.elements[e]))
      var plus = inputs, minus = inputs
      plus[k].elements[e] += h
      minus[k].elements[e] -= h
      numeric.elements[e] = (objective(plus) - objective(minus)) / (2 * h)
    }
    let difference = (analytic - numeric).elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let scale = numeric.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
    worst = max(worst, difference / max(scale, 1e-3))
  }
  return worst
}

/// The same check for the parameters of a module, through `Parameter.gradient`.
func parameterGradientError(_ module: some Module, input: Matrix<Double>, _ function: (Tensor) -> Tensor) throws -> Double {
  let graph = Graph()
  let output = function(graph.constant(input))
  var generator = SeededGenerator(seed: 11)
  let weights: Matrix<Double> = generator.normalMatrix(rows: output.rows, columns: output.columns)
  module.zeroGradients()
  try graph.backward(output, seed: weights)
  func objective() -> Double {
    let g = Graph(recording: false, training: true)
    return (function(g.constant(input)).value * weights).sum()
  }
  var worst = 0.0
  for (_, p) in module.namedParameters {
    let analytic = p.gradient
    var numeric = Matrix<Double>(rows: p.value.rows, columns: p.value.columns)
    for e in 0..<p.value.count {
      let x = p.value.elements[e]
      let h = 1e-5 * max(1, abs(x))
      p.value.elements[e] = x + h
      let up = objective()
      p.value.elements[e] = x - h
      let down = objective()
      p.value.elements[e] = x
      numeric.elements[e] = (up - down) / (2 * h)
    }
    let difference = (analytic - numeric).elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let scale = numeric.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
    worst = max(worst, difference / max(scale, 1e-3))
  }
  return worst
}

/// One operation under test: input shapes drawn from a seed, and the function.
struct GradientCase: Sendable, CustomTestStringConvertible {
  var name: String
  var make: @Sendable (inout SeededGenerator) -> [Matrix<Double>]
  var function: @Sendable ([Tensor]) -> Tensor
  var testDescription: String { name }

  static func random(_ g: inout SeededGenerator, _ r: Int, _ c: Int, positive: Bool = false) -> Matrix<Double> {
    positive ? g.uniformMatrix(rows: r, columns: c, in: 0.5..<2.0) : g.normalMatrix(rows: r, columns: c)
  }

  /// A shape in 1...6 x 1...6 from the generator.
  static func dims(_ g: inout SeededGenerator) -> (Int, Int) { (1 + g.integer(below: 6), 1 + g.integer(below: 6)) }

  static func unary(_ name: String, positive: Bool = false, _ f: @escaping @Sendable (Tensor) -> Tensor) -> GradientCase {
    GradientCase(name: name, make: { g in let (r, c) = dims(&g); return [random(&g, r, c, positive: positive)] }, function: { f($0[0]) })
  }

  static func binary(_ name: String, broadcast: Int, positiveB: Bool = false, _ f: @escaping @Sendable (Tensor, Tensor) -> Tensor) -> GradientCase {
    GradientCase(
      name: name,
      make: { g in
        let (r, c) = dims(&g)
        let shapeB = [(r, c), (1, c), (r, 1), (1, 1)][broadcast]
        return [random(&g, r, c), random(&g, shapeB.0, shapeB.1, positive: positiveB)]
      }, function: { f($0[0], $0[1]) })
  }

  static let all: [GradientCase] = {
    var cases: [GradientCase] = []
    for (k, label) in ["same shape", "row", "column", "scalar"].enumerated() {
      cases.append(binary("add, \(label)", broadcast: k) { $0 + $1 })
      cases.append(binary("subtract, \(label)", broadcast: k) { $0 - $1 })
      cases.append(binary("multiply, \(label)", broadcast: k) { $0 * $1 })
      cases.append(binary("divide, \(label)", broadcast: k, positiveB: true) { $0 / $1 })
    }
    cases.append(binary("broadcast on the left", broadcast: 1) { $1 - $0 })
    cases.append(unary("affine") { 3 - 2 * $0 })
    for tA in [false, true] {
      for tB in [false, true] {
        cases.append(
          GradientCase(
            name: "product\(tA ? " A^T" : "")\(tB ? " B^T" : "")",
            make: { g in
              let (m, k) = dims(&g)
              let n = 1 + g.integer(below: 5)
              return [random(&g, tA ? k : m, tA ? m : k), random(&g, tB ? n : k, tB ? k : n)]
            }, function: { Tensor.product($0[0], $0[1], transposeA: tA, transposeB: tB) }))
      }
    }
    cases.append(
      GradientCase(
        name: "linear with bias",
        make: { g in
          let (m, k) = dims(&g)
          let n = 1 + g.integer(below: 5)
          return [random(&g, m, k), random(&g, k, n), random(&g, 1, n)]
        }, function: { Tensor.linear($0[0], $0[1], bias: $0[2]) }))
    cases.append(
      GradientCase(
        name: "linear without bias", make: { g in [random(&g, 3, 4), random(&g, 4, 2)] },
        function: { Tensor.linear($0[0], $0[1], bias: nil) }))
    for axis in [Axis.rows, .columns, .all] {
      cases.append(unary("sum \(axis)") { $0.sum(axis) })
      cases.append(unary("mean \(axis)") { $0.mean(axis) })
    }
    cases.append(unary("exp") { $0.exp() })
    cases.append(unary("log", positive: true) { $0.log() })
    cases.append(unary("sqrt", positive: true) { $0.sqrt() })
    cases.append(unary("tanh") { $0.tanh() })
    cases.append(unary("relu") { $0.relu() })
    cases.append(unary("gelu") { $0.gelu() })
    cases.append(unary("sigmoid") { $0.sigmoid() })
    cases.append(unary("square") { $0.square() })
    cases.append(unary("abs") { $0.abs() })
    cases.append(unary("softplus") { $0.softplus() })
    cases.append(unary("transposed") { $0.transposed() })
    cases.append(unary("softmax") { $0.softmax() })
    cases.append(unary("log-softmax") { $0.logSoftmax() })
    cases.append(unary("log-sum-exp") { $0.logSumExp() })
    cases.append(
      GradientCase(
        name: "layer normalization",
        make: { g in [random(&g, 1 + g.integer(below: 5), 2 + g.integer(below: 5))] },
        function: { $0[0].layerNormalized(epsilon: 1e-6) }))
    cases.append(
      unary("dropout (fixed seed)") { x in
        var generator = SeededGenerator(seed: 3)
        return x.dropout(rate: 0.4, generator: &generator)
      })
    cases.append(
      GradientCase(
        name: "reshape to per-instance blocks and back",
        make: { g in [random(&g, 6, 2)] },
        function: { ($0[0].reshaped(rows: 3, columns: 4).square()).reshaped(rows: 2, columns: 6) }))
    cases.append(
      GradientCase(
        name: "concatenate rows", make: { g in [random(&g, 2, 3), random(&g, 1, 3), random(&g, 3, 3)] },
        function: { Tensor.concatenate($0, along: .rows).square() }))
    cases.append(
      GradientCase(
        name: "concatenate columns", make: { g in [random(&g, 3, 2), random(&g, 3, 1)] },
        function: { Tensor.concatenate($0, along: .columns).exp() }))
    cases.append(
      GradientCase(
        name: "slice", make: { g in [random(&g, 5, 4)] },
        function: { $0[0].slice(rows: 1..<4, columns: 2..<4).square() }))
    cases.append(
      GradientCase(
        name: "gather rows with repeats", make: { g in [random(&g, 4, 3)] },
        function: { $0[0].gatherRows([3, 0, 3, 1, 3]).square() }))
    cases.append(
      GradientCase(
        name: "scatter rows with repeats", make: { g in [random(&g, 5, 3)] },
        function: { $0[0].scatterRows([2, 0, 2, 5, 1], rows: 6).square() }))
    cases.append(
      GradientCase(
        name: "cross-entropy",
        make: { g in [random(&g, 5, 3)] },
        function: { crossEntropy(logits: $0[0], labels: [0, 2, 1, 1, 2]) }))
    cases.append(
      GradientCase(
        name: "cross-entropy with class weights",
        make: { g in [random(&g, 5, 3)] },
        function: { crossEntropy(logits: $0[0], labels: [0, 2, 1, 1, 2], classWeights: [0.5, 2, 1]) }))
    cases.append(
      GradientCase(
        name: "mean squared error", make: { g in [random(&g, 4, 3), random(&g, 4, 3)] },
        function: { meanSquaredError($0[0], $0[1]) }))
    cases.append(
      GradientCase(
        name: "multi-head attention",
        make: { g in
          // 2 instances of 3 tokens, 2 heads, key size 2, value size 3.
          [random(&g, 6, 4), random(&g, 6, 4), random(&g, 6, 6)]
        },
        function: { multiHeadAttention(queries: $0[0], keys: $0[1], values: $0[2], tokens: 3, heads: 2) }))
    return cases
  }()
}

@Suite("Gradients")
struct GradientTests {
  @Test("Every backward rule agrees with central finite differences", arguments: GradientCase.all, [UInt64(1), 2, 3])
  func rule(c: GradientCase, seed: UInt64) throws {
    var generator = SeededGenerator(seed: seed)
    let inputs = c.make(&generator)
    let error = try gradientError(inputs: inputs, seed: seed, c.function)
    #expect(error < 1e-6, "\(c.name): relative error \(error)")
  }

  @Test("Layers: parameter gradients agree with finite differences")
  func layers() throws {
    var g = SeededGenerator(seed: 5)
    let x: Matrix<Double> = g.normalMatrix(rows: 6, columns: 4)
    let linear = Linear(inputs: 4, outputs: 3, generator: &g)
    #expect(try parameterGradientError(linear, input: x) { linear($0) } < 1e-6)
    let mlp = MLP(sizes: [4, 5, 3], activation: .tanh, generator: &g)
    #expect(try parameterGradientError(mlp, input: x) { mlp($0) } < 1e-6)
    let norm = LayerNorm(features: 4, epsilon: 1e-6)
    norm.scale.value = g.normalMatrix(rows: 1, columns: 4)
    #expect(try parameterGradientError(norm, input: x) { norm($0) } < 1e-6)
    let tokenizer = FeatureTokenizer(features: 4, width: 3, generator: &g)
    #expect(try parameterGradientError(tokenizer, input: x) { tokenizer($0) } < 1e-6)
    let attention = MultiHeadAttention(width: 4, heads: 2, keySize: 3, generator: &g)
    #expect(try parameterGradientError(attention, input: x) { attention($0, tokens: 3) } < 1e-6)
    for placement in [NormPlacement.post, .pre] {
      let block = TransformerEncoderBlock(width: 4, heads: 2, keySize: 2, feedForward: 5, normPlacement: placement, generator: &g)
      #expect(try parameterGradientError(block, input: x) { block($0, tokens: 2) } < 1e-6, "\(placement)")
      // And the input gradient, through everything.
      let error = try gradientError(inputs: [x]) { block($0[0], tokens: 3) }
      #expect(error < 1e-6, "\(placement) input")
    }
  }

  @Test("A mixed layer: per-head anchors, learned per-head temperatures and ALiBi; parameter and input gradients agree with finite differences",
        arguments: [
          [AttentionAnchor.softmax, .softmax], [.softmax, .sinkhorn(SinkhornAnchorSettings(iterations: 3))],
          [.entmax(alpha: 1.5), .circuit], [.sparsemax, .orthostochastic],
        ])
  func mixedHeads(anchors: [AttentionAnchor]) throws {
    var g = SeededGenerator(seed: 17)
    let x: Matrix<Double> = g.normalMatrix(rows: 8, columns: 4)
    let attention = MultiHeadAttention(width: 4, heads: 2, keySize: 3, generator: &g)
    attention.headAnchors = anchors
    attention.learnTemperatures()
    attention.logTemperature!.value = Matrix([[0.3, -0.4]])
    attention.alibi = 0.25
    #expect(try parameterGradientError(attention, input: x) { attention($0, tokens: 4) } < 1e-6)
    #expect(try gradientError(inputs: [x]) { attention($0[0], tokens: 4) } < 1e-6)
    #expect(attention.namedParameters.contains { $0.name == "logTemperature" })
    #expect(abs(attention.headTemperature(1) - 3.0.squareRoot() * Foundation.exp(-0.4)) < 1e-15)
  }

  @Test("Geometric Attention's regimes on the tape (power link, interaction quotient, learned column field, fixed and adaptive carriers): parameter and input gradients agree with finite differences",
        arguments: [
          AttentionRegime(link: .power(q: 0.5)), AttentionRegime(unary: .interaction), AttentionRegime(unary: .field),
          AttentionRegime(carriers: [.window(radius: 1)], adaptiveWidth: nil), AttentionRegime(adaptiveWidth: 1.5),
          AttentionRegime(link: .power(q: 0.25), unary: .field, carriers: [.causal], adaptiveWidth: 0.5),
        ])
  func regimes(regime: AttentionRegime) throws {
    var g = SeededGenerator(seed: 23)
    // Small inputs keep the power link's argument away from its kink at 1 + (1 - q) s = 0.
    let x: Matrix<Double> = g.normalMatrix(rows: 8, columns: 4) * 0.5
    for anchors in [[AttentionAnchor.softmax, .sinkhorn(SinkhornAnchorSettings(iterations: 3))], [.entmax(alpha: 1.5), .softmax]] {
      let attention = MultiHeadAttention(width: 4, heads: 2, keySize: 3, generator: &g)
      attention.headAnchors = anchors
      regime.apply(to: attention, block: 0, generator: &g)
      attention.windowWidth?.value = Matrix([[regime.adaptiveWidth ?? 0, 2.2]])
      #expect(try parameterGradientError(attention, input: x) { attention($0, tokens: 4) } < 1e-6, "\(anchors)")
      #expect(try gradientError(inputs: [x]) { attention($0[0], tokens: 4) } < 1e-6, "\(anchors) input")
      #expect(attention.namedParameters.contains { $0.name == "windowWidth" } == (regime.adaptiveWidth != nil))
      #expect(attention.namedParameters.contains { $0.name.hasPrefix("columnField") } == (regime.unary == .field))
    }
  }

  @Test("The standard regime takes the fused softmax kernel and gives the anchored operator's output")
  func standardRegime() {
    var g = SeededGenerator(seed: 29)
    let x: Matrix<Double> = g.normalMatrix(rows: 6, columns: 4)
    let attention = MultiHeadAttention(width: 4, heads: 2, keySize: 3, generator: &g)
    attention.carrier = .window(radius: 1)
    let graph = Graph.inference()
    let fused = attention(graph.constant(x), tokens: 3).value
    attention.chart = ScoreChart(link: .power(q: 0))  // log(1 + s): a different operator
    let powered = attention(graph.constant(x), tokens: 3).value
    attention.chart = ScoreChart()
    attention.learnWindows(width: 1e6)  // a window wider than the sequence: the fixed carrier
    let windowed = attention(graph.constant(x), tokens: 3).value
    #expect((fused - windowed).elements.map(abs).max()! < 1e-9)
    #expect((fused - powered).elements.map(abs).max()! > 1e-3)
  }

  @Test("An operation without a backward rule is an error, not a zero gradient")
  func noRule() throws {
    let graph = Graph()
    let x = graph.variable(Matrix([[1.2, 2.7]]))
    let y = (x.rounded() * x).sum()
    #expect(throws: AutogradError.noBackwardRule("rounded")) { try graph.backward(y) }
    // With stopGradient the same function is differentiable, and the rounding is a constant.
    let z = (x.rounded().stopGradient() * x).sum()
    try graph.backward(z)
    #expect(graph.gradient(of: x) == Matrix([[1, 3]]))
  }

  @Test("Inference mode records nothing; backward there is an error")
  func inference() throws {
    let graph = Graph.inference()
    let x = graph.constant(Matrix([[1, 2], [3, 4]]))
    let y = (x * x).softmax().sum()
    #expect(graph.nodeCount == 0)
    #expect(abs(y.scalar - 2) < 1e-12)
    #expect(throws: AutogradError.notRecording) { try graph.backward(y) }
    let recording = Graph()
    let v = recording.variable(Matrix([[1, 2]]))
    #expect(throws: AutogradError.nonScalarLoss(rows: 1, columns: 2)) { try recording.backward(v * v) }
  }

  @Test("Frozen parameters get no gradient; a parameter used twice gets both contributions")
  func frozen() throws {
    let a = Parameter(Matrix([[2.0]]))
    let b = Parameter(Matrix([[3.0]]), trainable: false)
    let graph = Graph()
    let pa = graph.parameter(a), pb = graph.parameter(b)
    let loss = pa * pb + graph.parameter(a) * graph.parameter(a)
    try graph.backward(loss)
    #expect(a.gradient == Matrix([[3.0 + 4.0]]))
    #expect(b.gradient == Matrix([[0.0]]))
  }
}

@Suite("Soft sorting on the tape")
struct SoftSortTapeTests {
  @Test("Soft sort, ranks, top-k mask and quantiles of each row: tape gradients match finite differences", arguments: [
    SoftSortOperator.sort(), .sort(topk: 2), .ranks(), .topkMask(k: 2), .quantiles([0.25, 0.75]),
  ])
  func softSort(op: SoftSortOperator) throws {
    var rng = SeededGenerator(seed: 3)
    let x: Matrix<Double> = rng.normalMatrix(rows: 2, columns: 6)
    let tool = SoftSort(epsilon: 0.05)
    let error = try gradientError(inputs: [x]) { t in try! t[0].softSorted(op, using: tool) }
    #expect(error < 1e-5, "\(op): relative error \(error)")
  }
}
