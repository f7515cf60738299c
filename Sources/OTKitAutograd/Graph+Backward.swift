import OTKitAttention
import OTKitCore
import OTKitTransport
import RealModule

extension Graph {
  /// The table of backward rules: given a node and the gradient of its output, the
  /// gradients of its inputs (`nil` for an input that needs none).
  ///
  /// Every ``Operation`` has exactly one case here; an operation without a derivative throws
  /// ``AutogradError/noBackwardRule(_:)``.
  ///
  /// One function on purpose (longer than the house's 80 lines): it is the table of
  /// backward rules, one short case per operation, read as a table and kept in one place so
  /// that a new operation without its rule fails to compile.
  func backwardRule(_ node: Node, gradient g: Matrix<Double>) throws -> [Matrix<Double>?] {
    let y = node.value
    switch node.operation {
    case .constant, .variable:
      return []

    case .add:
      return [Tensor.unbroadcast(g, to: input(node, 0).shape), Tensor.unbroadcast(g, to: input(node, 1).shape)]

    case .subtract:
      return [Tensor.unbroadcast(g, to: input(node, 0).shape), Tensor.unbroadcast(-g, to: input(node, 1).shape)]

    case .multiply:
      let (a, b) = (input(node, 0), input(node, 1))
      return [Tensor.unbroadcast(g * b, to: a.shape), Tensor.unbroadcast(g * a, to: b.shape)]

    case .divide:
      let (a, b) = (input(node, 0), input(node, 1))
      let ga = g / b
      return [Tensor.unbroadcast(ga, to: a.shape), Tensor.unbroadcast(-(ga * y), to: b.shape)]

    case .affine(let scale, _):
      return [g * scale]

    case .product(let tA, let tB):
      // C = op(A) op(B): d op(A) = G op(B)^T and d op(B) = op(A)^T G, transposed back.
      let (a, b) = (input(node, 0), input(node, 1))
      let da =
        tA
        ? Matrix.product(b, g, transposeA: tB, transposeB: true)
        : Matrix.product(g, b, transposeB: !tB)
      let db =
        tB
        ? Matrix.product(g, a, transposeA: true, transposeB: tA)
        : Matrix.product(a, g, transposeA: !tA)
      return [da, db]

    case .linear:
      let (x, w) = (input(node, 0), input(node, 1))
      var result: [Matrix<Double>?] = [
        nodes[node.inputs[0]].needsGradient ? Matrix.product(g, w, transposeB: true) : nil,
        nodes[node.inputs[1]].needsGradient ? Matrix.product(x, g, transposeA: true) : nil,
      ]
      if node.inputs.count == 3 { result.append(Matrix(row: g.columnSums())) }
      return result

    case .sum(let axis), .mean(let axis):
      let x = input(node, 0)
      var scale = 1.0
      if case .mean = node.operation {
        switch axis {
        case .rows: scale = 1 / Double(max(x.rows, 1))
        case .columns: scale = 1 / Double(max(x.columns, 1))
        case .all: scale = 1 / Double(max(x.count, 1))
        }
      }
      let zero = Matrix<Double>(rows: x.rows, columns: x.columns)
      return [zero + g * scale]

    case .exp:
      return [g * y]

    case .log:
      return [g / input(node, 0)]

    case .sqrt:
      return [Matrix.combine(g, y) { gi, yi in gi / (2 * yi) }]

    case .tanh:
      return [Matrix.combine(g, y) { gi, yi in gi * (1 - yi * yi) }]

    case .relu:
      return [Matrix.combine(g, input(node, 0)) { gi, xi in xi > 0 ? gi : 0 }]

    case .sigmoid:
      return [Matrix.combine(g, y) { gi, yi in gi * yi * (1 - yi) }]

    case .softplus:
      return [Matrix.combine(g, input(node, 0)) { gi, xi in gi * Tensor.sigmoid(xi) }]

    case .gelu:
      return [
        Matrix.combine(g, input(node, 0)) { gi, xi in
          gi * (Tensor.normalCDF(xi) + xi * Tensor.normalPDF(xi))
        }
      ]

    case .square:
      return [Matrix.combine(g, input(node, 0)) { gi, xi in 2 * xi * gi }]

    case .abs:
      return [Matrix.combine(g, input(node, 0)) { gi, xi in xi > 0 ? gi : (xi < 0 ? -gi : 0) }]

    case .softmax:
      return [Kernels.softmaxRowsBackward(output: y, gradient: g)]

    case .logSoftmax:
      return [Kernels.logSoftmaxRowsBackward(output: y, gradient: g)]

    case .logSumExp:
      // d LSE_i / dx_ij = softmax(x)_ij.
      return [Kernels.softmaxRows(input(node, 0)) * g]

    case .layerNorm(let inverse):
      return [Kernels.layerNormRowsBackward(output: y, inverseDeviation: inverse, gradient: g)]

    case .dropout(let mask):
      return [g * mask]

    case .reshape:
      let x = input(node, 0)
      return [g.reshaped(rows: x.rows, columns: x.columns)]

    case .concatenate(let axis, let sizes):
      var parts: [Matrix<Double>?] = []
      var start = 0
      for size in sizes {
        parts.append(axis == .rows ? g.rows(start..<(start + size)) : g.columns(start..<(start + size)))
        start += size
      }
      return parts

    case .slice(let rowRange, let columnRange):
      let x = input(node, 0)
      var dx = Matrix<Double>(rows: x.rows, columns: x.columns)
      let width = columnRange.count
      dx.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          for (k, i) in rowRange.enumerated() {
            for (l, j) in columnRange.enumerated() { dp[i * x.columns + j] = gp[k * width + l] }
          }
        }
      }
      return [dx]

    case .gatherRows(let indices):
      let x = input(node, 0)
      var dx = Matrix<Double>(rows: x.rows, columns: x.columns)
      let c = x.columns
      dx.withUnsafeMutableBufferPointer { dp in
        g.withUnsafeBufferPointer { gp in
          for (k, i) in indices.enumerated() {
            for j in 0..<c { dp[i * c + j] += gp[k * c + j] }
          }
        }
      }
      return [dx]

    case .scatterRows(let indices):
      return [g.rows(at: indices)]

    case .crossEntropy(let labels, let weights, let probabilities, let total):
      var dx = probabilities
      let c = dx.columns
      let outer = total > 0 ? g.elements[0] / total : 0
      dx.withUnsafeMutableBufferPointer { dp in
        for (i, label) in labels.enumerated() {
          let w = (weights?[label] ?? 1) * outer
          for j in 0..<c { dp[i * c + j] *= w }
          dp[i * c + label] -= w
        }
      }
      return [dx]

    case .attention(let record):
      let shape = Fast.AttentionShape(
        instances: input(node, 0).rows / record.tokens, tokens: record.tokens, heads: record.heads,
        keySize: record.keySize, valueSize: record.valueSize)
      let (dq, dk, dv) = Fast.multiHeadAttentionBackward(
        queries: input(node, 0), keys: input(node, 1), values: input(node, 2), weights: record.weights,
        shape: shape, scale: record.scale, gradient: g)
      return [dq, dk, dv]

    case .anchor(let record):
      return [record.anchor.backward(scores: input(node, 0), record: record, gradient: g)]

    case .anchoredAttention(let record):
      return record.backward(inputs: node.inputs.indices.map { input(node, $0) }, gradient: g, capture: attentionCapture())

    case .softSort(let outputs):
      var dx = Matrix<Double>(rows: outputs.count, columns: input(node, 0).columns)
      for (r, output) in outputs.enumerated() {
        let row = output.pullback(g.row(r))
        for c in row.indices { dx[r, c] = row[c] }
      }
      return [dx]

    case .transpose:
      return [g.transposed()]

    case .transport(let pullback):
      return try pullback.apply(g)

    case .nondifferentiable(let name):
      throw AutogradError.noBackwardRule(name)
    }
  }
}
