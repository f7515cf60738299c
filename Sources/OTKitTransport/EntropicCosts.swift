import OTKitCore

/// The cost matrix of an entropic solve in the working precision: stored (dense) or
/// computed row by row from the point clouds (online, `O(n + m)` memory).
enum EntropicCosts<T: MatrixScalar>: @unchecked Sendable {
  case dense(Matrix<T>)
  /// Source points (`n x d`), target points transposed (`d x m`, so that a row of costs is
  /// computed with contiguous inner loops), and the ground cost.
  case online(x: Matrix<T>, yT: Matrix<T>, cost: GroundCost)

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
    if wantOnline, let x = problem.source, let y = problem.target, let cost = problem.groundCost {
      return .online(x: Matrix<T>(x), yT: Matrix<T>(y.transposed()), cost: cost)
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
      let (d, m) = (x.columns, yT.columns)
      return x.withUnsafeBufferPointer { xp in
        yT.withUnsafeBufferPointer { yp in
          let xb = xp.baseAddress, yb = yp.baseAddress
          return body(CostRowSource(rows: x.rows, columns: m) { i, out in
            Self.costRow(i, x: xb, yT: yb, d: d, m: m, cost: cost, into: out)
            return UnsafePointer(out)
          })
        }
      }
    }
  }

  /// `out_j = c(x_i, y_j)` for `j < m`, with loops over `j` innermost.
  @inline(__always)
  static func costRow(
    _ i: Int, x: UnsafePointer<T>?, yT: UnsafePointer<T>?, d: Int, m: Int, cost: GroundCost,
    into out: UnsafeMutablePointer<T>
  ) {
    out.update(repeating: 0, count: m)
    guard let x, let yT else { return }
    let xi = x + i * d
    switch cost {
    case .squaredEuclidean, .euclidean:
      for k in 0..<d {
        let v = xi[k]
        let row = yT + k * m
        for j in 0..<m {
          let t = v - row[j]
          out[j] += t * t
        }
      }
      if case .euclidean = cost {
        for j in 0..<m { out[j] = out[j].squareRoot() }
      }
    case .minkowski(let p, let q):
      for k in 0..<d {
        let v = xi[k]
        let row = yT + k * m
        for j in 0..<m { out[j] += T.pow((v - row[j]).magnitude, T(p)) }
      }
      for j in 0..<m { out[j] = T.pow(out[j], T(q / p)) }
    case .custom(_, let f):
      var point = [Double](repeating: 0, count: d)
      var other = [Double](repeating: 0, count: d)
      for k in 0..<d { point[k] = Double(xi[k]) }
      for j in 0..<m {
        for k in 0..<d { other[k] = Double(yT[k * m + j]) }
        out[j] = T(f(point[...], other[...]))
      }
    }
  }

  /// The maximum, mean and standard deviation of all costs (one streaming pass).
  func statistics() -> (max: Double, mean: Double, std: Double) {
    let (n, m) = (rows, columns)
    guard n * m > 0 else { return (0, 0, 0) }
    let ranges = Parallel.workerRanges(count: n, cost: 4 * m)
    var parts = [(max: Double, sum: Double, squares: Double)](repeating: (-.infinity, 0, 0), count: ranges.count)
    withSource { source in
      parts.withUnsafeMutableBufferPointer { out in
        let out = out.baseAddress!
        Parallel.forEachWorker(count: n, cost: 4 * m) { worker, range in
          let buffer = UnsafeMutablePointer<T>.allocate(capacity: m)
          defer { buffer.deallocate() }
          var (mx, sum, squares) = (-Double.infinity, 0.0, 0.0)
          for i in range {
            let row = source.row(i, buffer)
            for j in 0..<m {
              let v = Double(row[j])
              mx = Swift.max(mx, v)
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
    let variance = Swift.max(0, parts.reduce(0) { $0 + $1.squares } / count - mean * mean)
    return (mx, mean, variance.squareRoot())
  }
}
