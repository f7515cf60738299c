import OTKitCore

/// Exact optimal transport between two uniform measures of the same size: the linear
/// assignment problem, by the shortest augmenting path algorithm of Jonker and Volgenant.
///
/// R. Jonker and A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
/// linear assignment problems", Computing 38, 1987. Column reduction, reduction transfer
/// and two rounds of augmenting row reduction (an auction-like step) assign most rows
/// cheaply; the rest are assigned by Dijkstra-type shortest augmenting paths on reduced
/// costs. The row and column prices are optimal dual variables, so the result carries the
/// same certificate as the network simplex. With uniform weights `1/n`, an optimal plan is
/// a permutation (Birkhoff-von Neumann), so this solves the transport problem exactly.
///
/// - Complexity: `O(n^3)` in the worst case; far less on typical data.
public struct AssignmentSolver: Sendable {
  public init() {}

  /// Solves the problem; it must have `n == m` and uniform weights.
  ///
  /// - Throws: ``TransportProblemError/notSquareUniform(n:m:)`` otherwise; `MemoryError`
  ///   when the cost matrix it would build does not fit (`MemoryBudget`).
  public func solve(_ problem: TransportProblem) throws -> TransportResult {
    guard problem.isUniformSquare else {
      throw TransportProblemError.notSquareUniform(n: problem.n, m: problem.m)
    }
    try problem.checkMemory(problem.costMatrixBytes, method: .assignment, wayOut: problem.onlineWayOut())
    let n = problem.n
    let c = problem.cost
    let (rowToColumn, u, v, augmentations) = c.withUnsafeBufferPointer {
      Self.lapjv($0.baseAddress!, n: n)
    }
    let mass = problem.sourceWeights[0]
    var plan = SparsePlan(n: n, m: n)
    for i in 0..<n { plan.append(row: i, column: rowToColumn[i], mass: mass) }
    // With a = b = mass * 1, f = u and g = v are optimal potentials for the transport
    // problem; shift them so that <a, f> = <b, g>.
    let shift = (v.reduce(0, +) - u.reduce(0, +)) / Double(2 * n)
    let f = u.map { $0 + shift }
    let g = v.map { $0 - shift }
    return TransportResult(
      method: .assignment, status: .optimal, cost: plan.cost(c), plan: plan,
      sourcePotential: f, targetPotential: g, iterations: augmentations,
      certificate: OptimalityCertificate(problem: problem, plan: plan, f: f, g: g),
      permutation: rowToColumn)
  }

  /// Column prices `v` (with `-v` the auction's prices) from a forward auction with
  /// epsilon scaling (D. P. Bertsekas, "The auction algorithm: a distributed relaxation
  /// method for the assignment problem", Ann. Oper. Res. 14, 1988): in each phase every
  /// unassigned row bids for its cheapest column `c_ij + p_j`, raising that price by the
  /// gap to its second choice plus `eps`; `eps` shrinks by a constant factor per phase.
  /// The prices end `eps`-optimal, which leaves the exact phase little to do.
  static func auctionPrices(_ c: UnsafePointer<Double>, n: Int, into v: UnsafeMutablePointer<Double>) {
    var low = Double.infinity, high = -Double.infinity
    for k in 0..<n * n {
      low = min(low, c[k])
      high = max(high, c[k])
    }
    let range = high - low
    let priceMemory = ScratchMemory<Double>(count: n)
    let price = priceMemory.base
    let ownerMemory = ScratchMemory<Int>(count: n)
    let owner = ownerMemory.base
    let assignedMemory = ScratchMemory<Int>(count: n)
    let assigned = assignedMemory.base
    var queue = [Int]()
    queue.reserveCapacity(n)
    defer {
      withExtendedLifetime(priceMemory) {}
      withExtendedLifetime(ownerMemory) {}
      withExtendedLifetime(assignedMemory) {}
    }
    price.initialize(repeating: 0, count: n)
    guard range > 0, n > 1 else {
      for j in 0..<n { v[j] = 0 }
      return
    }
    let finalEpsilon = range * Self.finalEpsilonFactor / Double(n)
    var epsilon = range / 4
    while true {
      owner.initialize(repeating: -1, count: n)
      assigned.initialize(repeating: -1, count: n)
      queue.removeAll(keepingCapacity: true)
      queue.append(contentsOf: (0..<n).reversed())
      while let i = queue.popLast() {
        let row = c + i * n
        var w1 = Double.infinity, w2 = Double.infinity
        var j1 = 0
        for j in 0..<n {
          let w = row[j] + price[j]
          if w < w2 {
            if w < w1 {
              w2 = w1
              w1 = w
              j1 = j
            } else {
              w2 = w
            }
          }
        }
        price[j1] += (w2 - w1) + epsilon
        let previous = owner[j1]
        owner[j1] = i
        assigned[i] = j1
        if previous >= 0 {
          assigned[previous] = -1
          queue.append(previous)
        }
      }
      if epsilon <= finalEpsilon { break }
      epsilon = max(epsilon / Self.scalingFactor, finalEpsilon)
    }
    for j in 0..<n { v[j] = -price[j] }
  }

  /// The final auction epsilon, times the cost range over `n`. The exact phase repairs
  /// what the auction leaves, so a coarse final epsilon is fastest overall (measured on
  /// Gaussian clouds, n = 1000 to 4000).
  static let finalEpsilonFactor = 1e-2

  /// The factor by which epsilon shrinks per phase.
  static let scalingFactor = 8.0

  /// The dense LAPJV algorithm on an `n x n` row-major cost matrix. Returns the column of
  /// each row, the row and column duals (`u_i + v_j <= c_ij`, with equality on the
  /// assignment) and the number of augmenting paths.
  ///
  /// One function on purpose (longer than the house's 80 lines): Jonker and Volgenant's
  /// classic loop (column reduction, reduction transfer, augmenting row reduction, shortest
  /// augmenting paths) shares its arrays across the phases, and keeping it whole keeps it
  /// checkable line by line against the published algorithm.
  static func lapjv(_ c: UnsafePointer<Double>, n: Int) -> ([Int], [Double], [Double], Int) {
    var rowsol = [Int](repeating: -1, count: n)
    var colsol = [Int](repeating: -1, count: n)
    var v = [Double](repeating: .infinity, count: n)
    var augmentations = 0
    rowsol.withUnsafeMutableBufferPointer { rowsolBuffer in
      colsol.withUnsafeMutableBufferPointer { colsolBuffer in
        v.withUnsafeMutableBufferPointer { vBuffer in
          let rowsol = rowsolBuffer.baseAddress!
          let colsol = colsolBuffer.baseAddress!
          let v = vBuffer.baseAddress!
          let freeMemory = ScratchMemory<Int>(count: n)
          let free = freeMemory.base
          let collistMemory = ScratchMemory<Int>(count: n)
          let collist = collistMemory.base
          let dMemory = ScratchMemory<Double>(count: n)
          let d = dMemory.base
          let predMemory = ScratchMemory<Int>(count: n)
          let pred = predMemory.base
          defer {
            withExtendedLifetime(freeMemory) {}
            withExtendedLifetime(collistMemory) {}
            withExtendedLifetime(dMemory) {}
            withExtendedLifetime(predMemory) {}
          }
          // Near-optimal column prices from an auction with epsilon scaling; then every
          // row takes its exactly cheapest column at those prices when that column is
          // still unclaimed, which keeps the invariant the shortest-path phase needs
          // (each assigned column minimizes c_ij - v_j over j for its row).
          Self.auctionPrices(c, n: n, into: v)
          var numFree = 0
          for i in 0..<n {
            let row = c + i * n
            var best = Double.infinity
            var bestColumn = 0
            for j in 0..<n {
              let h = row[j] - v[j]
              if h < best {
                best = h
                bestColumn = j
              }
            }
            if colsol[bestColumn] < 0 {
              colsol[bestColumn] = i
              rowsol[i] = bestColumn
            } else {
              free[numFree] = i
              numFree += 1
            }
          }

          // Shortest augmenting paths for the rows still free.
          for f in 0..<numFree {
            let freeRow = free[f]
            let frow = c + freeRow * n
            for j in 0..<n {
              d[j] = frow[j] - v[j]
              pred[j] = freeRow
              collist[j] = j
            }
            var low = 0
            var up = 0
            var last = 0
            var minimum = 0.0
            var endOfPath = -1
            while endOfPath < 0 {
              if up == low {
                last = low - 1
                minimum = d[collist[up]]
                up += 1
                var k = up
                while k < n {
                  let j = collist[k]
                  let h = d[j]
                  if h <= minimum {
                    if h < minimum {
                      up = low
                      minimum = h
                    }
                    collist[k] = collist[up]
                    collist[up] = j
                    up += 1
                  }
                  k += 1
                }
                for k in low..<up where colsol[collist[k]] < 0 {
                  endOfPath = collist[k]
                  break
                }
              }
              if endOfPath < 0 {
                let j1 = collist[low]
                low += 1
                let i = colsol[j1]
                let row = c + i * n
                let h = row[j1] - v[j1] - minimum
                var k = up
                while k < n {
                  let j = collist[k]
                  let v2 = row[j] - v[j] - h
                  if v2 < d[j] {
                    pred[j] = i
                    if v2 == minimum {
                      if colsol[j] < 0 {
                        endOfPath = j
                        break
                      }
                      collist[k] = collist[up]
                      collist[up] = j
                      up += 1
                    }
                    d[j] = v2
                  }
                  k += 1
                }
              }
            }
            // Update the prices of the scanned columns.
            if last >= 0 {
              for k in 0...last {
                let j1 = collist[k]
                v[j1] += d[j1] - minimum
              }
            }
            // Augment along the alternating path.
            var i = -1
            repeat {
              i = pred[endOfPath]
              colsol[endOfPath] = i
              let j1 = endOfPath
              endOfPath = rowsol[i]
              rowsol[i] = j1
            } while i != freeRow
            augmentations += 1
          }
        }
      }
    }
    var u = [Double](repeating: 0, count: n)
    for i in 0..<n { u[i] = c[i * n + rowsol[i]] - v[rowsol[i]] }
    return (rowsol, u, v, augmentations)
  }
}

extension AssignmentSolver: TransportSolver {
  public var method: TransportMethod { .assignment }
  public func solution(of problem: TransportProblem) throws -> any TransportSolution { try solve(problem) }
  public static func settings(for method: TransportMethod) -> Set<String> { [] }
  /// Its peak: the cost matrix when it is built (`8 n^2` bytes from point clouds).
  public static func configured(_ method: TransportMethod, for problem: TransportProblem, options: SolveOptions) throws -> Self {
    try problem.checkMemory(problem.costMatrixBytes, method: .assignment, wayOut: problem.onlineWayOut())
    return AssignmentSolver()
  }
}
