import OTKitCore

/// Euclidean projections onto the probability simplex `Δ = {y ≥ 0, Σ y = 1}` and onto its
/// `k`-sparse subset `{y ∈ Δ, |y|_0 ≤ k}`: the gradients of the quadratic and
/// sparsity-constrained semi-duals.
///
/// The projection is `[v - θ]_+` with `θ` the unique threshold at which the result sums to
/// one. It is found by Michelot's fixed point (C. Michelot, "A finite algorithm for finding
/// the projection of a point onto the canonical simplex of Rⁿ", J. Optim. Theory Appl. 50,
/// 1986): `θ ← (Σ_{v_i > θ} v_i - 1) / #{v_i > θ}` from `θ = (Σ v - 1)/n`, which increases
/// monotonically and stops after finitely many passes, each over the entries still above
/// the threshold (moved to the front of a scratch buffer), so no sort is needed. The
/// `k`-sparse projection keeps the `k` largest entries (ties to the lower index) and projects
/// them (A. Kyrillidis, S. Becker, V. Cevher, C. Koch, "Sparse projections onto the simplex",
/// ICML 2013: this is the exact projection onto the nonconvex set).
public enum SimplexProjection {
  /// The threshold `θ` of the projection of `v[0..<count]` (`count ≥ 1`): the projection is
  /// `max(v_i - θ, 0)`. `scratch` holds `count` elements.
  ///
  /// - Complexity: `O(count)` per pass; a few passes in practice, at most `count`.
  @inlinable
  public static func threshold<T: BinaryFloatingPoint>(
    _ v: UnsafePointer<T>, count: Int, scratch: UnsafeMutablePointer<T>
  ) -> T {
    precondition(count >= 1, "the simplex projection needs at least one entry")
    var total: T = 0
    for i in 0..<count {
      scratch[i] = v[i]
      total += v[i]
    }
    var active = count
    var theta = (total - 1) / T(active)
    while true {
      var kept = 0
      var sum: T = 0
      for i in 0..<active where scratch[i] > theta {
        scratch[kept] = scratch[i]
        sum += scratch[i]
        kept += 1
      }
      // `kept ≥ 1`: the largest entry exceeds the mean threshold.
      if kept == active || kept == 0 { return theta }
      active = kept
      let next = (sum - 1) / T(kept)
      if !(next > theta) { return theta }
      theta = next
    }
  }

  /// Projects `v` onto the simplex in place.
  ///
  /// - Complexity: `O(n)` per pass of ``threshold(_:count:scratch:)``.
  public static func project<T: BinaryFloatingPoint>(_ v: inout [T]) {
    let n = v.count
    guard n > 0 else { return }
    let memory = ScratchMemory<T>(count: n)
    defer { withExtendedLifetime(memory) {} }
    v.withUnsafeMutableBufferPointer { p in
      let theta = threshold(p.baseAddress!, count: n, scratch: memory.base)
      for i in 0..<n { p[i] = Swift.max(p[i] - theta, 0) }
    }
  }

  /// Projects `v` onto `{y ∈ Δ, |y|_0 ≤ k}` in place (`k` clamped to `1...n`; `k ≥ n` is the
  /// plain projection).
  ///
  /// - Complexity: `O(n k)` for `k ≤ 32`, else `O(n log n)`, plus the projection of `k`
  ///   entries.
  public static func projectSparse<T: BinaryFloatingPoint>(_ v: inout [T], maxNonZeros k: Int) {
    let n = v.count
    guard n > 0 else { return }
    let memory = ScratchMemory<T>(count: 2 * n)
    let indexMemory = ScratchMemory<Int>(count: n)
    defer { withExtendedLifetime((memory, indexMemory)) {} }
    v.withUnsafeMutableBufferPointer { p in
      _ = projectSparse(p.baseAddress!, count: n, maxNonZeros: k, scratch: memory.base, indices: indexMemory.base)
    }
  }

  /// The in-place `k`-sparse projection of `v[0..<count]` with `2 count` scratch values and
  /// `count` scratch indices; returns the number of entries kept (before the projection
  /// zeroes any of them).
  static func projectSparse<T: BinaryFloatingPoint>(
    _ v: UnsafeMutablePointer<T>, count n: Int, maxNonZeros k: Int, scratch: UnsafeMutablePointer<T>,
    indices: UnsafeMutablePointer<Int>
  ) -> Int {
    let k = Swift.min(Swift.max(k, 1), n)
    if k == n {
      let theta = threshold(UnsafePointer(v), count: n, scratch: scratch)
      for i in 0..<n { v[i] = Swift.max(v[i] - theta, 0) }
      return n
    }
    let kept = largest(UnsafePointer(v), count: n, k: k, indices: indices)
    let values = scratch + n
    for r in 0..<kept { values[r] = v[indices[r]] }
    let theta = threshold(UnsafePointer(values), count: kept, scratch: scratch)
    for i in 0..<n { v[i] = 0 }
    for r in 0..<kept { v[indices[r]] = Swift.max(values[r] - theta, 0) }
    return kept
  }

  /// Writes the indices of the `k` largest entries of `v` (ties to the lower index; NaN
  /// never chosen over a number) to `indices[0..<k]` and returns `k` (`1 ≤ k ≤ count`).
  ///
  /// - Complexity: `O(count k)` for `k ≤ 32` (insertion into a sorted list), else
  ///   `O(count log count)`.
  static func largest<T: BinaryFloatingPoint>(
    _ v: UnsafePointer<T>, count n: Int, k: Int, indices: UnsafeMutablePointer<Int>
  ) -> Int {
    @inline(__always) func before(_ i: Int, _ j: Int) -> Bool {
      v[i] > v[j] || (v[i] == v[j] && i < j) || (v[j].isNaN && !v[i].isNaN)
    }
    if k <= 32 {
      var size = 0
      for i in 0..<n {
        if size == k && !before(i, indices[k - 1]) { continue }
        var r = size == k ? k - 1 : size
        while r > 0 && before(i, indices[r - 1]) {
          indices[r] = indices[r - 1]
          r -= 1
        }
        indices[r] = i
        if size < k { size += 1 }
      }
      return k
    }
    var buffer = UnsafeMutableBufferPointer(start: indices, count: n)
    for i in 0..<n { indices[i] = i }
    buffer.sort(by: before)
    return k
  }
}
