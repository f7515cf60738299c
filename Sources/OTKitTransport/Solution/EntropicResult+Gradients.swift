import OTKitCore
import RealModule

/// Gradients of the regularized cost `OT_eps = <P, C> + eps KL(P | a b^T)` with respect
/// to the weights and the points, read off the solution by the envelope theorem (no
/// differentiation through the iterations): `dOT/da_i = f_i - eps log a_i` and
/// `dOT/dx_i = sum_j P_ij grad_x c(x_i, y_j)`, and symmetrically for `b` and `y`
/// (Peyré and Cuturi, *Computational Optimal Transport*, 2019, Proposition 9.2; Feydy et
/// al., AISTATS 2019). Weight gradients are defined up to an additive constant (the total
/// mass is fixed); they are returned centered (weighted mean zero).
public struct EntropicGradients: Sendable {
  /// `dOT/da`.
  public var sourceWeights: [Double]
  /// `dOT/db`.
  public var targetWeights: [Double]
  /// `dOT/dx` (`n x d`), for point-cloud problems.
  public var sourcePoints: Matrix<Double>?
  /// `dOT/dy` (`m x d`), for point-cloud problems.
  public var targetPoints: Matrix<Double>?
}

extension EntropicResult {
  /// The gradients of the regularized cost at this solution (see ``EntropicGradients``).
  /// Point gradients need a point-cloud problem with the squared Euclidean or Euclidean
  /// cost; other costs give `nil` point gradients.
  ///
  /// - Complexity: `O(n m d)`.
  public func gradients(for problem: TransportProblem) -> EntropicGradients {
    func centered(_ potential: [Double], _ weights: [Double]) -> [Double] {
      var g = zip(potential, weights).map { $1 > 0 ? $0 - epsilon * Double.log($1) : 0 }
      let total = weights.reduce(0, +)
      let mean = zip(g, weights).reduce(0) { $0 + $1.0 * $1.1 } / total
      for k in 0..<g.count where weights[k] > 0 { g[k] -= mean }
      return g
    }
    let da = centered(sourcePotential, problem.sourceWeights)
    let db = centered(targetPotential, problem.targetWeights)
    guard let x = problem.source, let y = problem.target else {
      return EntropicGradients(sourceWeights: da, targetWeights: db)
    }
    let (n, m, d) = (x.rows, y.rows, x.columns)
    switch problem.groundCost {
    case .squaredEuclidean?:
      // 2 (r_i x_i - (P y)_i) and 2 (s_j y_j - (P^T x)_j), one lazy plan product per column.
      var gx = Matrix<Double>(rows: n, columns: d)
      var gy = Matrix<Double>(rows: m, columns: d)
      let r = applyPlan([Double](repeating: 1, count: m))
      let s = applyTransposedPlan([Double](repeating: 1, count: n))
      for k in 0..<d {
        let py = applyPlan(y.column(k))
        let ptx = applyTransposedPlan(x.column(k))
        for i in 0..<n { gx[i, k] = 2 * (r[i] * x[i, k] - py[i]) }
        for j in 0..<m { gy[j, k] = 2 * (s[j] * y[j, k] - ptx[j]) }
      }
      return EntropicGradients(sourceWeights: da, targetWeights: db, sourcePoints: gx, targetPoints: gy)
    case .euclidean?:
      // sum_j P_ij (x_i - y_j) / |x_i - y_j| (zero where the points coincide).
      let p = densePlan()
      var gx = Matrix<Double>(rows: n, columns: d)
      var gy = Matrix<Double>(rows: m, columns: d)
      for i in 0..<n {
        for j in 0..<m where p[i, j] > 0 {
          var norm = 0.0
          for k in 0..<d { norm += (x[i, k] - y[j, k]) * (x[i, k] - y[j, k]) }
          norm = norm.squareRoot()
          guard norm > 0 else { continue }
          for k in 0..<d {
            let t = p[i, j] * (x[i, k] - y[j, k]) / norm
            gx[i, k] += t
            gy[j, k] -= t
          }
        }
      }
      return EntropicGradients(sourceWeights: da, targetWeights: db, sourcePoints: gx, targetPoints: gy)
    default:
      return EntropicGradients(sourceWeights: da, targetWeights: db)
    }
  }
}
