import Foundation
import OTKitAutograd
import OTKitCore
import OTKitTransport

extension FlowMatching {
  /// Trains a velocity field (any module on rows `[x, t]`) with Adam: each step pairs a
  /// source and a target batch by the coupling and takes the loss's gradient.
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for non-finite batches; `AutogradError`.
  /// - Complexity: `steps` forward and backward passes, plus the coupling's solve per step.
  public func fit(
    field: some Module, apply: @escaping (Tensor) -> Tensor, steps: Int, learningRate: Double = 1e-3, seed: UInt64 = 0,
    batch: (Int) -> (source: Matrix<Double>, target: Matrix<Double>)
  ) throws -> StepHistory {
    var generator = SeededGenerator(seed: seed)
    return try Trainer().fit(field.parameters, optimizer: Adam(learningRate: learningRate), steps: steps) { graph, step in
      let (source, target) = batch(step)
      let paired = try pairs(source: source, target: target, generator: &generator)
      return loss(field: apply, x: paired.x, y: paired.y, weights: paired.weights, graph: graph, generator: &generator)
    }
  }

  /// Samples of the learned flow from `x0` and their mean path energy `E int_0^1 |v(t, x(t))|^2 dt`,
  /// integrated with the trajectories (the energy as one more column of the state).
  ///
  /// - Complexity: the sampler's evaluations of the field, each `O(batch)` forward passes.
  public static func sample(
    _ apply: (Tensor) -> Tensor, from x0: Matrix<Double>, method: ODEMethod
  ) -> (samples: Matrix<Double>, pathEnergy: Double, solution: ODESolution) {
    let d = x0.columns
    let graph = Graph(recording: false)
    let augmented = Matrix<Double>(rows: x0.rows, columns: d + 1) { i, k in k < d ? x0[i, k] : 0 }
    let solution = ODESampler.integrate({ t, state in
      let input = Matrix<Double>(rows: state.rows, columns: d + 1) { i, k in k < d ? state[i, k] : t }
      let v = apply(graph.constant(input)).value
      return Matrix(rows: state.rows, columns: d + 1) { i, k in k < d ? v[i, k] : (0..<d).reduce(0) { $0 + v[i, $1] * v[i, $1] } }
    }, from: augmented, method: method)
    let samples = solution.state.columns(0..<d)
    let energy = (0..<x0.rows).reduce(0) { $0 + solution.state[$1, d] } / Double(Swift.max(x0.rows, 1))
    return (samples, energy, solution)
  }

  /// `W2` between two samples (uniform weights, exact OT on squared distances).
  ///
  /// - Throws: ``OTKitTransport/TransportProblemError`` for non-finite points.
  /// - Complexity: the network simplex on `n x m`.
  public static func wasserstein2(_ x: Matrix<Double>, _ y: Matrix<Double>) throws -> Double {
    try OT.solve(TransportProblem(source: x, target: y), method: .exact).cost.squareRoot()
  }

  /// The normalized path energy `|E - W2^2| / W2^2` (Tong et al.): 0 for straight,
  /// optimal paths.
  public static func normalizedPathEnergy(_ energy: Double, w2: Double) -> Double { abs(energy - w2 * w2) / (w2 * w2) }

  /// W-CFM's tilt diagnostic on one side: `ESS = (sum h)^2 / (N sum h^2)` with
  /// `h_i = mean_j exp(-|x_i - y_j| / epsilon)`; 1 when the tilt is flat.
  ///
  /// - Complexity: `O(n m d)`.
  public static func effectiveSampleSize(_ x: Matrix<Double>, _ y: Matrix<Double>, epsilon: Double) -> Double {
    let h = (0..<x.rows).map { i in
      (0..<y.rows).reduce(0) { total, j in
        total + Foundation.exp(-(0..<x.columns).reduce(0) { $0 + (x[i, $1] - y[j, $1]) * (x[i, $1] - y[j, $1]) }.squareRoot() / epsilon)
      } / Double(y.rows)
    }
    let (sum, squares) = (h.reduce(0, +), h.reduce(0) { $0 + $1 * $1 })
    return squares > 0 ? sum * sum / (Double(h.count) * squares) : 0
  }
}
