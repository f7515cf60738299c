import OTKitCore
import RealModule

/// A separable regularizer `Σ_j Ω(t_j)` of the columns `t_j` of a transport plan (Blondel,
/// Seguy, Rolet, "Smooth and sparse optimal transport", AISTATS 2018), and the
/// sparsity-constrained one (Liu, Puigcerver, Blondel, "Sparsity-constrained optimal
/// transport", ICLR 2023).
///
/// Each has two conjugates per column, whose gradients are plan columns: `δ_Ω(x) =
/// sup_{y ≥ 0} <x, y> - Ω(y)` (the dual) and `max_Ω(x; β) = sup_{y ∈ Δ} <x, y> - Ω(β y)/β`
/// (the semi-dual, with the column's mass `β`).
public enum TransportRegularizer: Sendable, Equatable, CustomStringConvertible {
  /// `Ω(t) = γ Σ t log t`: the entropic problem, written for L-BFGS (dense plans).
  case negentropy(gamma: Double)
  /// `Ω(t) = (γ/2) |t|²`: quadratically regularized OT (sparse plans, exact zeros).
  case squaredL2(gamma: Double)
  /// `(γ/2) |t|²` with at most `maxNonZeros` non-zeros per column (nonconvex; its duals are
  /// relaxations). `maxNonZeros = 1` recovers unregularized OT on uniform square problems;
  /// `maxNonZeros` at least the support of the quadratic plan recovers quadratic OT.
  case sparse(gamma: Double, maxNonZeros: Int)

  /// The strength `γ`.
  public var gamma: Double {
    switch self {
    case .negentropy(let g), .squaredL2(let g), .sparse(let g, _): g
    }
  }

  /// The most non-zeros per column (`nil`: no constraint).
  public var maxNonZeros: Int? {
    if case .sparse(_, let k) = self { return k }
    return nil
  }

  /// The name in results and JSON: `negentropy`, `squared-l2`, `sparse-l2`.
  public var name: String {
    switch self {
    case .negentropy: "negentropy"
    case .squaredL2: "squared-l2"
    case .sparse: "sparse-l2"
    }
  }

  public var description: String {
    switch self {
    case .negentropy(let g): "negentropy(gamma \(g))"
    case .squaredL2(let g): "squared L2(gamma \(g))"
    case .sparse(let g, let k): "squared L2(gamma \(g)), at most \(k) non-zeros per column"
    }
  }

  /// `Ω(t)` of one plan column.
  ///
  /// - Complexity: `O(n)`.
  public func value(ofColumn t: some Collection<Double>) -> Double {
    switch self {
    case .negentropy(let g): g * t.reduce(0) { $0 + ($1 > 0 ? $1 * .log($1) : 0) }
    case .squaredL2(let g), .sparse(let g, _): 0.5 * g * t.reduce(0) { $0 + $1 * $1 }
    }
  }

  /// `δ_Ω(x)` of one column, replacing `x[0..<n]` by its gradient `∇δ_Ω(x)` (a plan column).
  /// `scratch` holds `n` values and `indices` `n` indices (the sparse case).
  ///
  /// - Complexity: `O(n)`; the sparse case adds a top-`k` selection.
  func dualColumn<T: MatrixScalar>(
    _ x: UnsafeMutablePointer<T>, count n: Int, scratch: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int>
  ) -> T {
    switch self {
    case .negentropy(let gamma):
      // γ Σ exp(x/γ - 1): only values above about 700 γ overflow, and then δ itself does.
      let g = T(gamma), inverse = 1 / T(gamma)
      var total: T = 0
      for i in 0..<n {
        let e = T.exp(x[i] * inverse - 1)
        x[i] = e
        total += e
      }
      return g * total
    case .squaredL2(let gamma):
      let inverse = 1 / T(gamma)
      var total: T = 0
      for i in 0..<n {
        let p = Swift.max(x[i], 0)
        total += p * p
        x[i] = p * inverse
      }
      return total * inverse / 2
    case .sparse(let gamma, let k):
      let inverse = 1 / T(gamma)
      let k = Swift.min(Swift.max(k, 1), n)
      if k == n {
        return TransportRegularizer.squaredL2(gamma: gamma).dualColumn(x, count: n, scratch: scratch, indices: indices)
      }
      // The k largest raw entries (POT's choice), then their positive parts.
      _ = SimplexProjection.largest(UnsafePointer(x), count: n, k: k, indices: indices)
      var total: T = 0
      let kept = scratch
      for r in 0..<k { kept[r] = Swift.max(x[indices[r]], 0) }
      for i in 0..<n { x[i] = 0 }
      for r in 0..<k {
        total += kept[r] * kept[r]
        x[indices[r]] = kept[r] * inverse
      }
      return total * inverse / 2
    }
  }

  /// `max_Ω(x; β)` of one column, replacing `x[0..<n]` by its gradient, a point of the
  /// simplex (the plan column is `β` times it). `scratch` holds `3 n` values, `indices` `n`.
  ///
  /// - Complexity: `O(n)` per pass of the simplex threshold; the sparse case adds a top-`k`
  ///   selection.
  func semiDualColumn<T: MatrixScalar>(
    _ x: UnsafeMutablePointer<T>, count n: Int, mass beta: T, scratch: UnsafeMutablePointer<T>,
    indices: UnsafeMutablePointer<Int>
  ) -> T {
    switch self {
    case .negentropy(let gamma):
      // γ LSE(x/γ) - γ log β, gradient softmax(x/γ), max-shifted.
      let g = T(gamma), inverse = 1 / T(gamma)
      var largest = -T.infinity
      for i in 0..<n { largest = Swift.max(largest, x[i]) }
      var total: T = 0
      for i in 0..<n {
        let e = T.exp((x[i] - largest) * inverse)
        x[i] = e
        total += e
      }
      for i in 0..<n { x[i] /= total }
      return largest + g * T.log(total) - g * T.log(beta)
    case .squaredL2, .sparse:
      let scale = T(gamma) * beta
      let inverse = 1 / scale
      var xy: T = 0, yy: T = 0
      // x / (γ β) into the scratch's last third, projected there (the projection uses the
      // first two thirds), then compared with x.
      let z = scratch + 2 * n
      for i in 0..<n { z[i] = x[i] * inverse }
      if case .sparse(_, let k) = self {
        _ = SimplexProjection.projectSparse(z, count: n, maxNonZeros: k, scratch: scratch, indices: indices)
      } else {
        let theta = SimplexProjection.threshold(UnsafePointer(z), count: n, scratch: scratch)
        for i in 0..<n { z[i] = Swift.max(z[i] - theta, 0) }
      }
      for i in 0..<n {
        let y = z[i]
        xy += x[i] * y
        yy += y * y
        x[i] = y
      }
      return xy - scale / 2 * yy
    }
  }
}
