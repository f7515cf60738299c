import OTKitCore
import RealModule

/// Sparse row anchors of attention: sparsemax and alpha-entmax, with their backward passes.
///
/// Replacing the Shannon entropy of the softmax (one-sided entropic OT) by the Tsallis
/// entropy gives alpha-entmax, `p_i = [(alpha - 1) z_i - tau]_+^(1 / (alpha - 1))` with the
/// threshold `tau` that makes `p` sum to 1; alpha = 2 is sparsemax (the Euclidean projection
/// onto the simplex), alpha -> 1 the softmax. They give exact zeros.
///
/// A. F. T. Martins and R. F. Astudillo, "From softmax to sparsemax", ICML 2016;
/// B. Peters, V. Niculae and A. F. T. Martins, "Sparse sequence-to-sequence models",
/// ACL 2019 (the sort-based entmax-1.5 and the bisection for any alpha).
///
/// Each row is solved exactly: only entries above `max - 1` (after the `alpha - 1` scaling)
/// can be in the support, so they are gathered first and only they are sorted.
///
/// - Complexity: `O(rows * (columns + s log s))` for supports of candidates `s`; bisection
///   `O(rows * columns * iterations)`.
public enum Entmax {
  /// Row-wise sparsemax (entmax with alpha = 2).
  @inlinable
  public static func sparsemax<T: MatrixScalar>(_ z: Matrix<T>) -> Matrix<T> {
    thresholdRows(z, scale: 1) { sorted, count in
      // The largest k with 1 + k z_(k) > sum_{j <= k} z_(j); tau = (sum - 1) / k.
      var sum: T = 0, tau: T = sorted[0] - 1
      for k in 1...count {
        sum += sorted[k - 1]
        let candidate = (sum - 1) / T(k)
        if sorted[k - 1] > candidate { tau = candidate }
      }
      return tau
    } transform: { $0 }
  }

  /// Row-wise entmax with alpha = 1.5, exactly by sorting: `p = [z / 2 - tau]_+^2`.
  @inlinable
  public static func exact15<T: MatrixScalar>(_ z: Matrix<T>) -> Matrix<T> {
    thresholdRows(z, scale: T(1) / 2) { sorted, count in
      // For a support of the k largest, tau solves sum (x_j - tau)^2 = 1:
      // tau_k = mean_k - sqrt((1 - k (meanSquare_k - mean_k^2)) / k); the support is the
      // largest k with tau_k <= x_(k).
      var sum: T = 0, squares: T = 0, tau: T = sorted[0] - 1
      for k in 1...count {
        let x = sorted[k - 1]
        sum += x
        squares += x * x
        let kk = T(k)
        let mean = sum / kk
        let delta = (1 - kk * (squares / kk - mean * mean)) / kk
        let candidate = mean - (delta > 0 ? delta.squareRoot() : 0)
        if candidate <= x { tau = candidate }
      }
      return tau
    } transform: { $0 * $0 }
  }

  /// The shared frame of the sort-based anchors: per row, scale, gather the candidates
  /// (entries above `max - 1`), sort them descending, find the threshold and write
  /// `transform(max(x - tau, 0))`.
  @inlinable
  static func thresholdRows<T: MatrixScalar>(
    _ z: Matrix<T>, scale: T, threshold: (UnsafeMutablePointer<T>, Int) -> T, transform: (T) -> T
  ) -> Matrix<T> {
    var y = z
    let (rows, n) = (z.rows, z.columns)
    guard n > 0 else { return y }
    y.withUnsafeMutableBufferPointer { yp in
      let base = yp.baseAddress!
      Parallel.forEachRange(count: rows, cost: 12 * n) { range in
        ScratchMemory<T>.withTemporary(count: n) { candidates in
          for i in range {
            let row = base + i * n
            var peak = -T.infinity
            for j in 0..<n {
              row[j] *= scale
              if row[j] > peak { peak = row[j] }
            }
            // Shift by the peak: the threshold is then found among numbers near 0 (a
            // cumulative sum of scores of 1e16 would lose the 1 it is compared with).
            for j in 0..<n { row[j] -= peak }
            var count = 0
            let floor: T = -1
            for j in 0..<n where row[j] >= floor {
              candidates[count] = row[j]
              count += 1
            }
            var buffer = UnsafeMutableBufferPointer(start: candidates, count: count)
            buffer.sort(by: >)
            let tau = threshold(candidates, count)
            for j in 0..<n {
              let x = row[j] - tau
              row[j] = x > 0 ? transform(x) : 0
            }
          }
        }
      }
    }
    return y
  }

  /// Row-wise alpha-entmax for any `alpha > 1` by bisection on the threshold, to round-off
  /// (the result is renormalized to sum to 1 exactly).
  @inlinable
  public static func bisection<T: MatrixScalar>(_ z: Matrix<T>, alpha: T, iterations: Int = 60) -> Matrix<T> {
    precondition(alpha > 1, "entmax needs alpha > 1 (alpha = 1 is the softmax)")
    var y = z
    let (rows, n) = (z.rows, z.columns)
    guard n > 0 else { return y }
    let am1 = alpha - 1
    let power = 1 / am1
    y.withUnsafeMutableBufferPointer { yp in
      let base = yp.baseAddress!
      Parallel.forEachRange(count: rows, cost: 4 * n * iterations) { range in
        for i in range {
          let row = base + i * n
          var peak = -T.infinity
          for j in 0..<n {
            row[j] *= am1
            if row[j] > peak { peak = row[j] }
          }
          // Shifted by the peak, so that the bisection's interval is resolved to
          // round-off whatever the scores' magnitude.
          for j in 0..<n { row[j] -= peak }
          // sum_j [x_j - tau]_+^(1/(alpha-1)) is 1 between these two thresholds.
          var low: T = -1
          var high = -T.pow(1 / T(n), am1)
          func mass(_ tau: T) -> T {
            var s: T = 0
            for j in 0..<n where row[j] > tau { s += T.pow(row[j] - tau, power) }
            return s
          }
          for _ in 0..<iterations {
            let mid = (low + high) / 2
            if mass(mid) >= 1 { low = mid } else { high = mid }
            if high - low <= T.ulpOfOne { break }
          }
          let tau = low
          var total: T = 0
          for j in 0..<n {
            let x = row[j] - tau
            row[j] = x > 0 ? T.pow(x, power) : 0
            total += row[j]
          }
          let inverse = 1 / total
          for j in 0..<n { row[j] *= inverse }
        }
      }
    }
    return y
  }

  /// The backward pass of row-wise alpha-entmax with output `p` (alpha = 2 is sparsemax):
  /// with `s = p^(2 - alpha)` on the support, `dz = g s - s (sum g s / sum s)`.
  @inlinable
  public static func backward<T: MatrixScalar>(weights p: Matrix<T>, gradient g: Matrix<T>, alpha: T) -> Matrix<T> {
    var dz = g
    let (rows, n) = (p.rows, p.columns)
    let exponent = 2 - alpha
    p.withUnsafeBufferPointer { pp in
      dz.withUnsafeMutableBufferPointer { dp in
        guard let pbase = pp.baseAddress, let dbase = dp.baseAddress else { return }
        Parallel.forEachRange(count: rows, cost: 6 * n) { range in
          for i in range {
            let pr = pbase + i * n, dr = dbase + i * n
            var weighted: T = 0, total: T = 0
            for j in 0..<n {
              let s: T = pr[j] > 0 ? (exponent == 0 ? 1 : (exponent == T(1) / 2 ? pr[j].squareRoot() : T.pow(pr[j], exponent))) : 0
              dr[j] *= s
              weighted += dr[j]
              total += s
            }
            let q = total > 0 ? weighted / total : 0
            for j in 0..<n where pr[j] > 0 {
              let s: T = exponent == 0 ? 1 : (exponent == T(1) / 2 ? pr[j].squareRoot() : T.pow(pr[j], exponent))
              dr[j] -= q * s
            }
          }
        }
      }
    }
    return dz
  }
}

/// The sparsemax anchor: the Euclidean projection of each row of scores onto the simplex
/// (quadratically regularized one-sided OT; entmax with alpha = 2).
///
/// - Complexity: `O(n (m + s log s))` for `s` candidates per row, forward; `O(n m)` backward.
public struct SparsemaxAnchor: AnchorRule {
  @inlinable
  public init() {}

  public var isRowwise: Bool { true }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> { Entmax.sparsemax(scores) }

  public static var name: String { "sparsemax" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor { .sparsemax }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Void, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    Entmax.backward(weights: weights, gradient: gradient, alpha: 2)
  }
}

/// The alpha-entmax anchor (Tsallis-regularized one-sided OT, sparse): alpha = 1.5 exactly
/// by sorting, other `alpha > 1` by bisection on the threshold. ``AttentionAnchor`` maps
/// alpha = 2 to ``SparsemaxAnchor``.
///
/// - Complexity: `O(n (m + s log s))` (alpha 1.5) or `O(n m k)` for `k` bisection steps,
///   forward; `O(n m)` backward.
public struct EntmaxAnchor: AnchorRule {
  public var alpha: Double

  public var isRowwise: Bool { true }

  @inlinable
  public init(alpha: Double) { self.alpha = alpha }

  @inlinable
  public func weights<T: MatrixScalar>(_ scores: Matrix<T>) -> Matrix<T> {
    alpha == 1.5 ? Entmax.exact15(scores) : Entmax.bisection(scores, alpha: T(alpha))
  }

  public static var name: String { "entmax" }

  public static func anchor(_ parameters: AttentionAnchor.Parameters) -> AttentionAnchor {
    .entmax(alpha: parameters.alpha)
  }

  public var parameterDescription: String { " (alpha \(alpha))" }

  public func backward(
    scores: Matrix<Double>, weights: Matrix<Double>, saved: Void, gradient: Matrix<Double>
  ) -> Matrix<Double> {
    Entmax.backward(weights: weights, gradient: gradient, alpha: alpha)
  }
}

extension AttentionAnchor {
  /// Entmax's alpha; `nil` for the other anchors.
  public var entmaxAlpha: Double? {
    if case .entmax(let alpha) = self { return alpha }
    return nil
  }
}
