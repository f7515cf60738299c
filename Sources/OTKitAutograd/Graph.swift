import OTKitCore

/// A reverse-mode automatic-differentiation tape over `Double` matrices.
///
/// Every operation on a ``Tensor`` computes its value at once and, when the graph records,
/// appends a node (the operation, its inputs and what its backward rule needs) to the tape.
/// Nodes are appended in evaluation order, so the tape is already topologically sorted:
/// ``backward(_:)`` walks it once in reverse and applies each node's rule from the single
/// table in `Graph+Backward.swift`.
///
/// A graph made with `recording: false` is the no-gradient inference mode: operations
/// compute values and build nothing. `isTraining` switches dropout on.
///
/// ```swift
/// let graph = Graph()
/// let x = graph.constant(inputs)
/// let loss = crossEntropy(model(x), labels: y)
/// try graph.backward(loss)          // gradients land in the model's parameters
/// ```
///
/// A graph is used from one thread; the kernels it calls are parallel themselves.
public final class Graph {
  /// Whether operations are recorded for a backward pass.
  public let isRecording: Bool
  /// Whether layers behave as in training (dropout active).
  public var isTraining: Bool

  struct Node {
    var operation: Operation
    var inputs: [Int]
    var value: Matrix<Double>
    /// Whether a gradient must flow to this node (it depends on a trainable leaf).
    var needsGradient: Bool
  }

  var nodes: [Node] = []
  var gradients: [Matrix<Double>?] = []
  /// The parameter behind each parameter leaf, by node.
  var parameterNodes: [Int: Parameter] = [:]
  /// The node of each parameter already on this graph.
  var nodeOfParameter: [ObjectIdentifier: Int] = [:]
  /// Whether attention layers take the anchored path and their backward passes keep each
  /// head's weights, upstream gradient and score gradient in ``attentionGradients``.
  public var capturesAttentionGradients = false
  /// What the last backward pass captured (``capturesAttentionGradients``).
  public internal(set) var attentionGradients: [AttentionGradientSample] = []
  /// The node whose backward rule runs.
  var currentNode = 0

  /// A graph that records (`recording: true`, the default) or only evaluates.
  public init(recording: Bool = true, training: Bool = true) {
    self.isRecording = recording
    self.isTraining = training
  }

  /// A graph for inference: nothing is recorded and dropout is off.
  public static func inference() -> Graph { Graph(recording: false, training: false) }

  /// A tensor that no gradient flows to.
  public func constant(_ value: Matrix<Double>) -> Tensor {
    record(.constant, inputs: [], value: value, leafNeedsGradient: false)
  }

  /// A leaf whose gradient ``gradient(of:)`` returns after ``backward(_:)``.
  public func variable(_ value: Matrix<Double>) -> Tensor {
    record(.variable, inputs: [], value: value, leafNeedsGradient: true)
  }

  /// The tensor of a parameter; a parameter used twice is one node, and its gradient is
  /// accumulated into ``Parameter/gradient`` by ``backward(_:)`` unless it is frozen.
  public func parameter(_ parameter: Parameter) -> Tensor {
    if let node = nodeOfParameter[ObjectIdentifier(parameter)] {
      return Tensor(graph: self, node: node, value: nodes[node].value)
    }
    let tensor = record(
      .variable, inputs: [], value: parameter.value, leafNeedsGradient: parameter.isTrainable)
    if tensor.node >= 0 {
      parameterNodes[tensor.node] = parameter
      nodeOfParameter[ObjectIdentifier(parameter)] = tensor.node
    }
    return tensor
  }

  /// Appends a node (when recording) and returns its tensor.
  func record(
    _ operation: Operation, inputs: [Tensor], value: Matrix<Double>, leafNeedsGradient: Bool = false
  ) -> Tensor {
    guard isRecording else { return Tensor(graph: self, node: -1, value: value) }
    for input in inputs {
      precondition(input.graph === self, "A tensor of another graph was used in an operation")
    }
    let needs = leafNeedsGradient || inputs.contains { $0.node >= 0 && nodes[$0.node].needsGradient }
    nodes.append(Node(operation: operation, inputs: inputs.map(\.node), value: value, needsGradient: needs))
    return Tensor(graph: self, node: nodes.count - 1, value: value)
  }

  /// The number of recorded nodes.
  public var nodeCount: Int { nodes.count }

  /// Back-propagates from a `1 x 1` tensor: the gradient of every variable leaf becomes
  /// available through ``gradient(of:)`` and is added to every trainable parameter's
  /// ``Parameter/gradient``.
  ///
  /// - Throws: ``AutogradError`` when the graph does not record, the loss is not a scalar, or
  ///   the gradient must flow through an operation that has no backward rule.
  /// - Complexity: about twice the cost of the forward pass.
  public func backward(_ loss: Tensor) throws {
    guard isRecording else { throw AutogradError.notRecording }
    guard loss.value.rows == 1 && loss.value.columns == 1 else {
      throw AutogradError.nonScalarLoss(rows: loss.value.rows, columns: loss.value.columns)
    }
    try backward(loss, seed: Matrix(rows: 1, columns: 1, repeating: 1))
  }

  /// Back-propagates a given output gradient (a vector-Jacobian product).
  public func backward(_ output: Tensor, seed: Matrix<Double>) throws {
    guard isRecording, output.node >= 0 else { throw AutogradError.notRecording }
    precondition(
      seed.rows == output.value.rows && seed.columns == output.value.columns,
      "The seed's shape \(seed.shape) differs from the output's \(output.value.shape)")
    gradients = Array(repeating: nil, count: nodes.count)
    gradients[output.node] = seed
    attentionGradients = []
    for index in stride(from: output.node, through: 0, by: -1) {
      guard let gradient = gradients[index], nodes[index].needsGradient else { continue }
      let node = nodes[index]
      if node.inputs.isEmpty {
        if let parameter = parameterNodes[index], parameter.isTrainable {
          parameter.accumulate(gradient)
        }
        continue
      }
      currentNode = index
      let inputGradients = try backwardRule(node, gradient: gradient)
      for (slot, input) in node.inputs.enumerated() {
        guard nodes[input].needsGradient, let g = inputGradients[slot] else { continue }
        if let existing = gradients[input] {
          gradients[input] = existing + g
        } else {
          gradients[input] = g
        }
      }
      // Free what is no longer needed.
      if parameterNodes[index] == nil { gradients[index] = nil }
    }
  }

  /// What the running attention node's backward rule hands its per-head samples to, when
  /// ``capturesAttentionGradients`` is set: they are kept, tagged with the node.
  func attentionCapture() -> ((AttentionGradientSample) -> Void)? {
    guard capturesAttentionGradients else { return nil }
    let layer = currentNode
    return { sample in
      var tagged = sample
      tagged.node = layer
      self.attentionGradients.append(tagged)
    }
  }

  /// The gradient of the last backward pass with respect to a leaf of this graph.
  public func gradient(of tensor: Tensor) -> Matrix<Double>? {
    guard tensor.node >= 0, tensor.node < gradients.count else { return nil }
    return gradients[tensor.node]
  }

  func input(_ node: Node, _ slot: Int) -> Matrix<Double> { nodes[node.inputs[slot]].value }
}

/// An automatic-differentiation error.
public enum AutogradError: Error, Equatable, CustomStringConvertible {
  /// ``Graph/backward(_:)`` on a graph made with `recording: false`.
  case notRecording
  /// The loss must be `1 x 1`.
  case nonScalarLoss(rows: Int, columns: Int)
  /// A gradient must pass through an operation that has no backward rule.
  case noBackwardRule(String)

  public var description: String {
    switch self {
    case .notRecording: return "backward() needs a graph that records (Graph(recording: true))"
    case .nonScalarLoss(let r, let c): return "backward() needs a 1 x 1 loss, got \(r) x \(c)"
    case .noBackwardRule(let name):
      return "the operation \(name) has no backward rule; a gradient cannot flow through it (use stopGradient() if none should)"
    }
  }
}

/// A matrix value on a ``Graph``.
public struct Tensor {
  /// The graph that owns the tensor.
  public let graph: Graph
  /// The node on the graph's tape, or -1 when the graph does not record.
  public let node: Int
  /// The value.
  public let value: Matrix<Double>

  init(graph: Graph, node: Int, value: Matrix<Double>) {
    self.graph = graph
    self.node = node
    self.value = value
  }

  public var rows: Int { value.rows }
  public var columns: Int { value.columns }
  public var shape: (rows: Int, columns: Int) { value.shape }
  /// The value of a `1 x 1` tensor.
  public var scalar: Double {
    precondition(rows == 1 && columns == 1, "scalar needs a 1 x 1 tensor, got \(rows) x \(columns)")
    return value.elements[0]
  }

  /// The same value with no gradient flowing back.
  public func stopGradient() -> Tensor { graph.constant(value) }
}
