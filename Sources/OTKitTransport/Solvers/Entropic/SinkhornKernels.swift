import OTKitCore
import RealModule

/// A source of cost rows for the streaming Sinkhorn kernels: row `i` of an `n x m` cost
/// matrix, either read from storage or computed into the caller's buffer (online costs,
/// so that memory stays `O(n + m)`).
///
/// `row(i, buffer)` returns a pointer to the `m` costs of row `i`; it may write them into
/// `buffer` (capacity `m`, one per thread) and return it. It is called once per row per
/// sweep, from several threads at once.
struct CostRowSource<T: MatrixScalar>: @unchecked Sendable {
  let rows: Int
  let columns: Int
  let provider: (Int, UnsafeMutablePointer<T>) -> UnsafePointer<T>

  /// A source over `provider`, which must be safe to call concurrently for distinct rows.
  init(
    rows: Int, columns: Int,
    provider: @escaping (Int, UnsafeMutablePointer<T>) -> UnsafePointer<T>
  ) {
    self.rows = rows
    self.columns = columns
    self.provider = provider
  }

  @inline(__always)
  func row(_ i: Int, _ buffer: UnsafeMutablePointer<T>) -> UnsafePointer<T> {
    provider(i, buffer)
  }
}

/// The streaming kernels of log-domain Sinkhorn (Peyré and Cuturi, *Computational Optimal
/// Transport*, 2019, section 4.4), with the plan parametrized as
/// `P_ij = exp((f_i + g_j - C_ij) / eps)`.
///
/// One sweep updates every `f_i` and returns the column sums of the plan with the new `f`
/// and the old `g`, reading each cost once and evaluating one exponential per entry: the
/// previous potentials serve as the stabilizing shift (`exp((f_i + g_j - C_ij)/eps)` is an
/// entry of the current plan, at most the mass), so nothing overflows, and a row whose sum
/// leaves the safe range (early iterations, tiny `eps`) is redone with a max-shifted
/// log-sum-exp. The column sums give the `g` update and the marginal error at no extra
/// cost. Rows run in parallel, each worker with its own partial column sums.
enum SinkhornKernels {
  /// The range of row and column sums trusted without recomputing with a max shift.
  static func safeSumRange<T: MatrixScalar>(_: T.Type) -> ClosedRange<T> {
    T.self == Float.self ? T(1e-25)...T(1e25) : T(1e-200)...T(1e200)
  }

  /// `f_i <- eps log a_i - eps LSE_j((g_j - C_ij) / eps)` for every row, and the column sums
  /// `s_j = sum_i exp((f_i + g_j - C_ij) / eps)` with the new `f`.
  ///
  /// A row with `a_i = 0` gets `f_i = -infinity` (its plan row is zero). Returns the number
  /// of rows that needed the max-shifted fallback.
  ///
  /// - Complexity: `O(n m)` time, one exponential per entry; `O(threads * m)` memory.
  static func sinkhornRowSweep<T: MatrixScalar>(
    costs: CostRowSource<T>, f: UnsafeMutablePointer<T>, g: UnsafePointer<T>,
    a: UnsafePointer<T>, epsilon: T, columnSums: UnsafeMutablePointer<T>, prox: MarginalProx<T>? = nil
  ) -> Int {
    let (n, m) = (costs.rows, costs.columns)
    columnSums.update(repeating: 0, count: m)
    guard n > 0, m > 0 else { return 0 }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 20 * m)
    let workers = sweep.count
    let (partialMemory, scratchMemory, fallbacksMemory) = (sweep.partials(T(0), perWorker: m), sweep.rowBuffers(T.self), sweep.partials(0, perWorker: 1))
    defer { withExtendedLifetime((partialMemory, scratchMemory, fallbacksMemory)) {} }
    let (partial, scratch, fallbacks) = (partialMemory.base, scratchMemory.base, fallbacksMemory.base)
    let inverse = 1 / epsilon
    let safe = safeSumRange(T.self)
    Parallel.forEachWorker(count: n, cost: 20 * m) { worker, range in
      let sums = partial + worker * m
      let buffer = scratch + worker * 2 * m
      let rowBuffer = buffer + m
      for i in range {
        let ai = a[i]
        guard ai > 0 else {
          f[i] = -.infinity
          continue
        }
        let c = costs.row(i, rowBuffer)
        let fi = f[i]
        // e_j = exp((f_i + g_j - C_ij) / eps), the current plan's row.
        if fi.isFinite {
          let shift = fi * inverse
          for j in 0..<m { buffer[j] = (g[j] - c[j]) * inverse + shift }
          T._exp(buffer, buffer, count: m)
          var total: T = 0
          for j in 0..<m { total = Relaxed.sum(total, buffer[j]) }
          if safe.contains(total) {
            var ratio = ai / total
            if let prox {
              // The penalty's update from the balanced one; the plan row scales by its ratio.
              let fNew = prox.apply(i, fi + epsilon * T.log(ratio), old: fi)
              ratio = T.exp((fNew - fi) * inverse)
              f[i] = fNew
            } else {
              f[i] = fi + epsilon * T.log(ratio)
            }
            for j in 0..<m { sums[j] = Relaxed.multiplyAdd(buffer[j], ratio, sums[j]) }
            continue
          }
        }
        // Max-shifted fallback: exact log-sum-exp of the row.
        fallbacks[worker] += 1
        for j in 0..<m { buffer[j] = (g[j] - c[j]) * inverse }
        let lse = Kernels.logSumExp(UnsafePointer(buffer), count: m)
        let balanced = epsilon * (T.log(ai) - lse)
        let fNew = prox.map { $0.apply(i, balanced, old: fi) } ?? balanced
        guard fNew.isFinite else {
          f[i] = fNew  // reported by the caller as divergence
          continue
        }
        f[i] = fNew
        let shift = fNew * inverse
        for j in 0..<m { buffer[j] += shift }
        T._exp(buffer, buffer, count: m)
        for j in 0..<m { sums[j] += buffer[j] }
      }
    }
    addPartials(partial, workers: workers, count: m, into: columnSums)
    return UnsafeBufferPointer(start: fallbacks, count: workers).reduce(0, +)
  }

  /// `g_j <- eps log b_j - eps LSE_i((f_i - C_ij) / eps)` for the columns where `update[j]`
  /// is true, with a max shift (two streaming passes over the rows). The fallback of the
  /// column update when a column sum leaves the safe range.
  ///
  /// - Complexity: `O(n m)`.
  static func sinkhornColumnUpdate<T: MatrixScalar>(
    costs: CostRowSource<T>, f: UnsafePointer<T>, g: UnsafeMutablePointer<T>,
    b: UnsafePointer<T>, epsilon: T, update: UnsafePointer<Bool>
  ) {
    let (n, m) = (costs.rows, costs.columns)
    guard n > 0, m > 0 else { return }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 20 * m)
    let workers = sweep.count
    let (maximaMemory, sumsMemory, scratchMemory) = (sweep.partials(-T.infinity, perWorker: m), sweep.partials(T(0), perWorker: m), sweep.rowBuffers(T.self))
    defer { withExtendedLifetime((maximaMemory, sumsMemory, scratchMemory)) {} }
    let (maxima, sums, scratch) = (maximaMemory.base, sumsMemory.base, scratchMemory.base)
    let inverse = 1 / epsilon
    // Pass 1: per-column maxima of (f_i - C_ij)/eps; pass 2: sums of exp(x - max).
    for pass in 0..<2 {
      Parallel.forEachWorker(count: n, cost: 20 * m) { worker, range in
        let mx = maxima + worker * m
        let sm = sums + worker * m
        let buffer = scratch + worker * 2 * m
        for i in range {
          let c = costs.row(i, buffer + m)
          let fi = f[i] * inverse
          if pass == 0 {
            for j in 0..<m { mx[j] = Swift.max(mx[j], fi - c[j] * inverse) }
          } else {
            for j in 0..<m {
              let shift = mx[j].isFinite ? mx[j] : 0
              buffer[j] = fi - c[j] * inverse - shift
            }
            T._exp(buffer, buffer, count: m)
            for j in 0..<m { sm[j] += buffer[j] }
          }
        }
      }
    }
    for j in 0..<m where update[j] {
      var best = -T.infinity
      for w in 0..<workers { best = Swift.max(best, maxima[w * m + j]) }
      var total: T = 0
      for w in 0..<workers where maxima[w * m + j] > -T.infinity {
        let shift = maxima[w * m + j].isFinite ? maxima[w * m + j] : 0
        total += sums[w * m + j] * T.exp(shift - best)
      }
      let lse = best + T.log(total)
      g[j] = b[j] > 0 ? epsilon * (T.log(b[j]) - lse) : -.infinity
    }
  }

  /// Row sums, column sums and `sum_ij P_ij C_ij` of `P_ij = exp((f_i + g_j - C_ij)/eps)`.
  ///
  /// - Complexity: `O(n m)`, one exponential per entry.
  static func sinkhornPlanSummary<T: MatrixScalar>(
    costs: CostRowSource<T>, f: UnsafePointer<T>, g: UnsafePointer<T>, epsilon: T,
    rowSums: UnsafeMutablePointer<Double>, columnSums: UnsafeMutablePointer<Double>
  ) -> Double {
    let (n, m) = (costs.rows, costs.columns)
    columnSums.update(repeating: 0, count: m)
    guard n > 0, m > 0 else { return 0 }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 20 * m)
    let workers = sweep.count
    let (partialMemory, linearMemory, scratchMemory) = (sweep.partials(0.0, perWorker: m), sweep.partials(0.0, perWorker: 1), sweep.rowBuffers(T.self))
    defer { withExtendedLifetime((partialMemory, linearMemory, scratchMemory)) {} }
    let (partial, linear, scratch) = (partialMemory.base, linearMemory.base, scratchMemory.base)
    let inverse = 1 / epsilon
    Parallel.forEachWorker(count: n, cost: 20 * m) { worker, range in
      let sums = partial + worker * m
      let buffer = scratch + worker * 2 * m
      var pc = 0.0
      for i in range {
        let c = costs.row(i, buffer + m)
        let fi = f[i]
        guard fi > -T.infinity else {
          rowSums[i] = 0
          continue
        }
        for j in 0..<m { buffer[j] = (fi + g[j] - c[j]) * inverse }
        T._exp(buffer, buffer, count: m)
        var total = 0.0
        for j in 0..<m {
          let p = Double(buffer[j])
          total += p
          sums[j] += p
          pc += p * Double(c[j])
        }
        rowSums[i] = total
      }
      linear[worker] = pc
    }
    addPartials(partial, workers: workers, count: m, into: columnSums)
    return UnsafeBufferPointer(start: linear, count: workers).reduce(0, +)
  }

  /// `P v` (when `transpose` is false, `v` has `m` entries) or `P^T v` (`v` has `n`
  /// entries) for `P_ij = exp((f_i + g_j - C_ij)/eps)`, without forming `P`.
  ///
  /// - Complexity: `O(n m)`, one exponential per entry.
  static func sinkhornPlanApply<T: MatrixScalar>(
    costs: CostRowSource<T>, f: UnsafePointer<T>, g: UnsafePointer<T>, epsilon: T,
    vector: UnsafePointer<Double>, transpose: Bool, result: UnsafeMutablePointer<Double>
  ) {
    let (n, m) = (costs.rows, costs.columns)
    result.update(repeating: 0, count: transpose ? m : n)
    guard n > 0, m > 0 else { return }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 20 * m)
    let workers = sweep.count
    // Partial column sums only for P^T v.
    let (partialMemory, scratchMemory) = (transpose ? sweep.partials(0.0, perWorker: m) : ScratchMemory<Double>(count: 1), sweep.rowBuffers(T.self))
    defer { withExtendedLifetime((partialMemory, scratchMemory)) {} }
    let (partial, scratch) = (partialMemory.base, scratchMemory.base)
    let inverse = 1 / epsilon
    Parallel.forEachWorker(count: n, cost: 20 * m) { worker, range in
      let buffer = scratch + worker * 2 * m
      for i in range {
        let c = costs.row(i, buffer + m)
        let fi = f[i]
        guard fi > -T.infinity else { continue }
        for j in 0..<m { buffer[j] = (fi + g[j] - c[j]) * inverse }
        T._exp(buffer, buffer, count: m)
        if transpose {
          let sums = partial + worker * m
          let vi = vector[i]
          for j in 0..<m { sums[j] += Double(buffer[j]) * vi }
        } else {
          var total = 0.0
          for j in 0..<m { total += Double(buffer[j]) * vector[j] }
          result[i] = total
        }
      }
    }
    if transpose { addPartials(partial, workers: workers, count: m, into: result) }
  }
}

/// The kernel-domain Sinkhorn sweep (scalings on a stored, stabilized Gibbs kernel).
extension SinkhornKernels {
  /// One fused sweep of Sinkhorn's scaling iteration on a stored kernel `K` (`n x m`):
  /// `u_i = a_i / (K v)_i` for every row, and `w = K^T u` with the new `u`, reading `K`
  /// once (each row is used twice while it is in cache). Rows with `a_i = 0` get `u_i = 0`.
  /// Sums accumulate in `Double` whatever `T` is (free in this memory-bound loop, and it
  /// keeps a `Float` kernel's marginals accurate to about `1e-7`).
  /// Returns the number of rows whose sum `(K v)_i` left the safe range (their `u_i` is
  /// set to zero; the caller must then return to the log domain).
  ///
  /// - Complexity: `O(n m)` multiply-adds, memory-bound; `O(threads * m)` extra memory.
  static func sinkhornKernelSweep<T: MatrixScalar>(
    kernel: UnsafePointer<T>, rows n: Int, columns m: Int, v: UnsafePointer<T>,
    a: UnsafePointer<T>, u: UnsafeMutablePointer<T>, w: UnsafeMutablePointer<Double>,
    prox: (MarginalProx<T>, base: UnsafePointer<T>, epsilon: T)? = nil
  ) -> Int {
    w.update(repeating: 0, count: m)
    guard n > 0, m > 0 else { return 0 }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 2 * m)
    let workers = sweep.count
    let (partialMemory, badMemory) = (sweep.partials(0.0, perWorker: m), sweep.partials(0, perWorker: 1))
    defer { withExtendedLifetime((partialMemory, badMemory)) {} }
    let (partial, bad) = (partialMemory.base, badMemory.base)
    let safe = safeSumRange(T.self)
    Parallel.forEachWorker(count: n, cost: 2 * m) { worker, range in
      let sums = partial + worker * m
      for i in range {
        let ai = a[i]
        guard ai > 0 else {
          u[i] = 0
          continue
        }
        let row = kernel + i * m
        var t = 0.0
        for j in 0..<m { t = Relaxed.multiplyAdd(Double(row[j]), Double(v[j]), t) }
        guard safe.contains(T(t)) && t > 0 else {
          u[i] = 0
          bad[worker] += 1
          continue
        }
        var ui = T(Double(ai) / t)
        if let (prox, base, epsilon) = prox {
          // u_i = exp((prox(f̂_i + ε log(a_i / t)) - f̂_i) / ε) around the kernel's potential f̂.
          let old = u[i] > 0 ? base[i] + epsilon * T.log(u[i]) : -T.infinity
          ui = T.exp((prox.apply(i, base[i] + epsilon * T.log(ui), old: old) - base[i]) / epsilon)
        }
        u[i] = ui
        let ud = Double(ui)
        for j in 0..<m { sums[j] = Relaxed.multiplyAdd(ud, Double(row[j]), sums[j]) }
      }
    }
    addPartials(partial, workers: workers, count: m, into: w)
    return UnsafeBufferPointer(start: bad, count: workers).reduce(0, +)
  }

  /// `K_ij = exp((f_i + g_j - C_ij) / eps)` into `kernel` (`n x m`); rows with
  /// `f_i = -infinity` are zero.
  ///
  /// - Complexity: `O(n m)`, one exponential per entry.
  static func sinkhornBuildKernel<T: MatrixScalar>(
    costs: CostRowSource<T>, f: UnsafePointer<T>, g: UnsafePointer<T>, epsilon: T,
    kernel: UnsafeMutablePointer<T>
  ) {
    let (n, m) = (costs.rows, costs.columns)
    guard n > 0, m > 0 else { return }
    let inverse = 1 / epsilon
    Parallel.forEachRange(count: n, cost: 20 * m) { range in
      let bufferMemory = ScratchMemory<T>(count: m)
      let buffer = bufferMemory.base
      defer { withExtendedLifetime(bufferMemory) {} }
      for i in range {
        let out = kernel + i * m
        let fi = f[i]
        guard fi > -T.infinity else {
          out.update(repeating: 0, count: m)
          continue
        }
        let c = costs.row(i, buffer)
        for j in 0..<m { out[j] = (fi + g[j] - c[j]) * inverse }
        T._exp(out, out, count: m)
      }
    }
  }
}

/// The pass of Sinkhorn-Newton-Sparse that measures and sparsifies the plan.
extension SinkhornKernels {
  /// Row sums and column sums of `P_ij = exp((f_i + g_j - C_ij)/eps)` and, per row, the
  /// `k` largest entries (column and value, `k` slots per row in `columns` and `values`,
  /// unused slots with column `-1`).
  ///
  /// - Complexity: `O(n m (1 + log k))`, one exponential per entry.
  static func sinkhornSparsify(
    costs: CostRowSource<Double>, f: UnsafePointer<Double>, g: UnsafePointer<Double>,
    epsilon: Double, k: Int, rowSums: UnsafeMutablePointer<Double>,
    columnSums: UnsafeMutablePointer<Double>, columns: UnsafeMutablePointer<Int>,
    values: UnsafeMutablePointer<Double>
  ) {
    let (n, m) = (costs.rows, costs.columns)
    columnSums.update(repeating: 0, count: m)
    columns.update(repeating: -1, count: n * k)
    values.update(repeating: 0, count: n * k)
    guard n > 0, m > 0 else { return }
    let sweep = SweepWorkers(rows: n, columns: m, cost: 20 * m)
    let partialMemory = sweep.partials(0.0, perWorker: m)
    defer { withExtendedLifetime(partialMemory) {} }
    let partial = partialMemory.base
    let inverse = 1 / epsilon
    Parallel.forEachWorker(count: n, cost: 20 * m) { worker, range in
      let sums = partial + worker * m
      let bufferMemory = ScratchMemory<Double>(count: 2 * m)
      let buffer = bufferMemory.base
      defer { withExtendedLifetime(bufferMemory) {} }
      for i in range {
        rowSums[i] = 0
        guard f[i] > -.infinity else { continue }
        let c = costs.row(i, buffer + m)
        for j in 0..<m { buffer[j] = (f[i] + g[j] - c[j]) * inverse }
        Double._exp(buffer, buffer, count: m)
        var total = 0.0
        let topColumns = columns + i * k
        let topValues = values + i * k
        for j in 0..<m {
          let p = buffer[j]
          total += p
          sums[j] += p
          // Insertion into the row's top-k list (kept in decreasing order).
          if p > topValues[k - 1] {
            var slot = k - 1
            while slot > 0 && topValues[slot - 1] < p {
              topValues[slot] = topValues[slot - 1]
              topColumns[slot] = topColumns[slot - 1]
              slot -= 1
            }
            topValues[slot] = p
            topColumns[slot] = j
          }
        }
        rowSums[i] = total
      }
    }
    addPartials(partial, workers: sweep.count, count: m, into: columnSums)
  }

  /// Adds the per-worker partial vectors (`workers` consecutive blocks of `count`) into
  /// `result`, in worker order so that the sum is deterministic.
  static func addPartials<T: FloatingPoint>(
    _ partial: UnsafePointer<T>, workers: Int, count: Int, into result: UnsafeMutablePointer<T>
  ) {
    for w in 0..<workers {
      let block = partial + w * count
      for j in 0..<count { result[j] += block[j] }
    }
  }
}

/// The workers of a streaming sweep over the cost rows and their scratch, set up the same
/// way by every sweep: as many workers as `Parallel.workerRanges` gives for the rows, then
/// per worker zeroed partials (column sums, counters) and a row buffer of `2 m` values (the
/// row's exponentials below, its costs above).
struct SweepWorkers {
  let count: Int
  let columns: Int

  init(rows n: Int, columns m: Int, cost: Int) {
    (count, columns) = (Parallel.workerRanges(count: n, cost: cost).count, m)
  }

  /// `perWorker` values for each worker, each `value`.
  func partials<E>(_ value: E, perWorker: Int) -> ScratchMemory<E> {
    ScratchMemory(repeating: value, count: count * perWorker)
  }

  /// A row buffer of `2 m` values for each worker, uninitialized.
  func rowBuffers<T>(_: T.Type) -> ScratchMemory<T> {
    ScratchMemory(count: count * 2 * columns)
  }
}
