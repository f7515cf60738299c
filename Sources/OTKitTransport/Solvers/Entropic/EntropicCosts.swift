import OTKitCore

/// The cost matrix of an entropic solve in the working precision: stored (dense) or
/// computed row by row from the point clouds (online, `O(n + m)` memory).
enum EntropicCosts<T: MatrixScalar>: @unchecked Sendable {
  case dense(Matrix<T>)
  /// Source points (`n x d`), target points transposed (`d x m`, so that a row of costs is
  /// computed with contiguous inner loops), and the ground cost.
  case online(x: Matrix<T>, yT: Matrix<T>, cost: any CostFunction)

  var rows: Int {
    switch self {
    case .dense(let c): c.rows
    case .online(let x, _, _): x.rows
    }
  }

  var columns: Int {
    switch self {
    case .dense(let c): c.columns
    case .online(_, let yT, _): yT.columns
    }
  }

  var isOnline: Bool {
    if case .online = self { return true }
    return false
  }

  /// Builds the costs of a problem: online when asked, or when the problem has point
  /// clouds whose cost matrix was never built and would exceed `denseLimit` entries.
  static func make(_ problem: TransportProblem, online: Bool?, denseLimit: Int) -> EntropicCosts {
    let wantOnline: Bool
    if let online {
      wantOnline = online && problem.source != nil
    } else {
      wantOnline = problem.source != nil && !problem.hasCostMatrix && problem.n * problem.m > denseLimit
    }
    if wantOnline, let cloud = problem.pointCloud {
      return .online(x: Matrix<T>(cloud.source), yT: Matrix<T>(cloud.target.transposed()), cost: cloud.costFunction)
    }
    return .dense(Matrix<T>(problem.cost))
  }

  /// Calls `body` with a row source valid for the duration of the call.
  func withSource<R>(_ body: (CostRowSource<T>) -> R) -> R {
    switch self {
    case .dense(let c):
      return c.withUnsafeBufferPointer { p in
        let base = p.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
        let m = c.columns
        return body(CostRowSource(rows: c.rows, columns: m) { i, _ in base + i * m })
      }
    case .online(let x, let yT, let cost):
      let m = yT.columns
      return body(CostRowSource(rows: x.rows, columns: m) { i, out in
        cost.fillRow(i, of: x, against: yT, into: UnsafeMutableBufferPointer(start: out, count: m))
        return UnsafePointer(out)
      })
    }
  }

  /// The maximum, mean and standard deviation of all costs (one streaming pass).
  ///
  /// Overflow-safe: when the sums overflow (costs beyond about `1e154`, whose squares
  /// exceed `Double`), a second pass sums the costs divided by a power of two near the
  /// largest, which is exact, and scales the moments back.
  func statistics() -> (max: Double, mean: Double, std: Double) {
    let (n, m) = (rows, columns)
    guard n * m > 0 else { return (0, 0, 0) }
    let plain = moments(scale: 1)
    guard !(plain.mean.isFinite && plain.variance.isFinite), plain.max.isFinite, plain.max != 0 else {
      return (plain.max, plain.mean, plain.variance.squareRoot())
    }
    let scale = Double(sign: .plus, exponent: Swift.max(plain.max.magnitude.exponent, 0), significand: 1)
    let scaled = moments(scale: 1 / scale)
    return (plain.max, scaled.mean * scale, scaled.variance.squareRoot() * scale)
  }

  /// One pass: the largest cost, and the mean and variance of the costs times `scale`.
  private func moments(scale: Double) -> (max: Double, mean: Double, variance: Double) {
    let (n, m) = (rows, columns)
    let ranges = Parallel.workerRanges(count: n, cost: 4 * m)
    var parts = [(max: Double, sum: Double, squares: Double)](repeating: (-.infinity, 0, 0), count: ranges.count)
    withSource { source in
      parts.withUnsafeMutableBufferPointer { out in
        let out = out.baseAddress!
        Parallel.forEachWorker(count: n, cost: 4 * m) { worker, range in
          let bufferMemory = ScratchMemory<T>(count: m)
          let buffer = bufferMemory.base
          defer { withExtendedLifetime(bufferMemory) {} }
          var (mx, sum, squares) = (-Double.infinity, 0.0, 0.0)
          for i in range {
            let row = source.row(i, buffer)
            for j in 0..<m {
              let raw = Double(row[j])
              mx = Swift.max(mx, raw)
              let v = raw * scale
              sum += v
              squares += v * v
            }
          }
          out[worker] = (mx, sum, squares)
        }
      }
    }
    let count = Double(n * m)
    let mx = parts.map(\.max).max() ?? 0
    let mean = parts.reduce(0) { $0 + $1.sum } / count
    // Clamped at 0 against round-off, but a NaN (from sums that overflowed) stays NaN, so
    // that statistics() sees the overflow.
    let raw = parts.reduce(0) { $0 + $1.squares } / count - mean * mean
    return (mx, mean, raw < 0 ? 0 : raw)
  }
}
