import OTKitCore
import RealModule

extension SinkhornRun {
  /// One log-domain iteration: the rows in one streaming pass (which also sums the new
  /// plan's columns), the error from the column sums, the columns from the sums (a sum out
  /// of the safe range redone exactly), the safeguard, and the switch to the kernel domain
  /// after two clean sweeps.
  mutating func logIteration(
    _ source: CostRowSource<T>, accelerated: Bool, omega: T, history: inout [Double], report: inout SinkhornAccelerationReport
  ) -> Step {
    let rowProx = updates.row(omega)
    var columnProx = updates.column(omega)
    let input: [T]? = accelerated && safeguard.anderson != nil ? g : nil
    let previousF = f
    let epsilon = epsilon
    let fallbacks = a.withUnsafeBufferPointer { ap in
      g.withUnsafeBufferPointer { gp in
        f.withUnsafeMutableBufferPointer { fp in
          sums.withUnsafeMutableBufferPointer { sp in
            SinkhornKernels.sinkhornRowSweep(
              costs: source, f: fp.baseAddress!, g: gp.baseAddress!, a: ap.baseAddress!, epsilon: epsilon, columnSums: sp.baseAddress!, prox: rowProx)
          }
        }
      }
    }
    iterations += 1
    guard SinkhornState<T>.allValid(f, weights: a) else { return diverged(restoring: previousF, rows: true, &report) }
    let error = logColumnError()
    history.append(error)
    guard error.isFinite else { return diverged(restoring: previousF, rows: true, &report) }
    if error <= tolerance {
      if !accelerated { return .finished(.converged) }
      safeguard.plainNext = true
      columnProx = updates.column(1)
    } else {
      safeguard.plainNext = false
    }
    let previousG = g
    let anyRedo = logColumnUpdate(source, columnProx, previousG: previousG)
    guard SinkhornState<T>.allValid(g, weights: b) else { return diverged(restoring: previousG, rows: false, &report) }
    if afterIteration(error: error, accelerated: accelerated, input: input, history: history, report: &report) { return .next }
    cleanLogSweeps = fallbacks == 0 && !anyRedo ? cleanLogSweeps + 1 : 0
    if kernelDomain && cleanLogSweeps >= 2 { switchToKernel(source) }
    return .next
  }

  /// A log-domain update that left a potential non-finite: the safeguard's last check, or
  /// the potentials before the update and the status `diverged`.
  mutating func diverged(restoring previous: [T], rows: Bool, _ report: inout SinkhornAccelerationReport) -> Step {
    if fallBack(&report) { return .next }
    if rows { f = previous } else { g = previous }
    return .finished(.diverged)
  }

  /// The column error of the last row sweep: the column mass the penalty's update would
  /// move (`|s - b|` when balanced).
  func logColumnError() -> Double {
    var error = 0.0
    guard let columnPlain else {
      for j in 0..<m { error += abs(Double(sums[j]) - Double(b[j])) }
      return error
    }
    for j in 0..<m where b[j] > 0 {
      let s = sums[j]
      if Self.safeSum.contains(s) {
        error += columnPlain.movedMass(j, sum: Double(s), current: g[j], balanced: g[j] + epsilon * T.log(b[j] / s), epsilon: epsilon)
      } else {
        error += abs(Double(s) - Double(b[j]))
      }
    }
    return error
  }

  /// The column update from the sums; the columns whose sum left the safe range are redone
  /// with an exact pass. Returns whether any was.
  mutating func logColumnUpdate(_ source: CostRowSource<T>, _ columnProx: MarginalProx<T>?, previousG: [T]) -> Bool {
    let epsilon = epsilon
    var anyRedo = false
    for j in 0..<m {
      guard b[j] > 0 else { continue }
      let s = sums[j]
      if Self.safeSum.contains(s) {
        g[j] = columnProx.map { $0.apply(j, g[j] + epsilon * T.log(b[j] / s), old: g[j]) } ?? g[j] + epsilon * T.log(b[j] / s)
        redo[j] = false
      } else {
        (redo[j], anyRedo) = (true, true)
      }
    }
    guard anyRedo else { return false }
    let (rows, columns, exact) = (f, b, redo)
    rows.withUnsafeBufferPointer { fp in
      g.withUnsafeMutableBufferPointer { gp in
        columns.withUnsafeBufferPointer { bp in
          exact.withUnsafeBufferPointer { rp in
            SinkhornKernels.sinkhornColumnUpdate(costs: source, f: fp.baseAddress!, g: gp.baseAddress!, b: bp.baseAddress!, epsilon: epsilon, update: rp.baseAddress!)
          }
        }
      }
    }
    if let columnProx {
      for j in 0..<m where redo[j] && g[j].isFinite { g[j] = columnProx.apply(j, g[j], old: previousG[j]) }
    }
    return true
  }

  /// Switches to the kernel domain at the current potentials.
  mutating func switchToKernel(_ source: CostRowSource<T>) {
    let memory = ScratchMemory<T>(count: n * m)
    kernelMemory = memory
    kernel = memory.base
    (fHat, gHat) = (f, g)
    u = [T](repeating: 1, count: n)
    v = [T](repeating: 1, count: m)
    for j in 0..<m where b[j] == 0 { v[j] = 0 }
    Self.build(memory.base, source, fHat, gHat, epsilon)
  }
}

extension SinkhornRun {
  /// One kernel-domain iteration: `u = a / (K v)` and `w = K^T u` in one fused pass, the
  /// error from `v ∘ w`, the columns as scalings, the safeguard, and the absorption of
  /// scalings that left the safe range; an underflowing sum returns to the log domain.
  mutating func kernelIteration(
    _ source: CostRowSource<T>, accelerated: Bool, omega: T, history: inout [Double], report: inout SinkhornAccelerationReport
  ) -> Step {
    let K = kernel!
    var columnProx = updates.column(omega)
    let input: [T]? = accelerated && safeguard.anderson != nil ? potentials(u, v).1 : nil
    let previousU = u
    guard kernelSweep(K, updates.row(omega)) == 0, let error = kernelColumnError(), error.isFinite else {
      if fallBack(&report) { return .next }
      // Underflow: back to the log domain from the last good scalings.
      (f, g) = potentials(previousU, v)
      dropKernel()
      return .next
    }
    iterations += 1
    history.append(error)
    if error <= tolerance {
      if !accelerated {
        (f, g) = potentials(u, v)
        return .finished(.converged)
      }
      safeguard.plainNext = true
      columnProx = updates.column(1)
    } else {
      safeguard.plainNext = false
    }
    kernelColumnUpdate(columnProx)
    if afterIteration(error: error, accelerated: accelerated, input: input, history: history, report: &report) { return .next }
    if !SinkhornState<T>.allValid(v, weights: b) || v.contains(where: { !$0.isFinite }) {
      if fallBack(&report) { return .next }
    }
    absorbExtremeScalings(K, source)
    return .next
  }

  /// `u = a / (K v)` (or the row penalty's update) and `w = K^T u`; the number of rows
  /// whose sum underflowed.
  mutating func kernelSweep(_ K: UnsafeMutablePointer<T>, _ rowProx: MarginalProx<T>?) -> Int {
    let (n, m, epsilon) = (n, m, epsilon)
    return v.withUnsafeBufferPointer { vp in
      a.withUnsafeBufferPointer { ap in
        u.withUnsafeMutableBufferPointer { up in
          w.withUnsafeMutableBufferPointer { wp in
            fHat.withUnsafeBufferPointer { fp in
              SinkhornKernels.sinkhornKernelSweep(
                kernel: K, rows: n, columns: m, v: vp.baseAddress!, a: ap.baseAddress!, u: up.baseAddress!, w: wp.baseAddress!,
                prox: rowProx.map { ($0, fp.baseAddress!, epsilon) })
            }
          }
        }
      }
    }
  }

  /// The column error of `v ∘ w` (for a penalized target, the mass its update would move);
  /// `nil` when a column sum left the safe range.
  func kernelColumnError() -> Double? {
    var columnsOK = true
    var error = 0.0
    for j in 0..<m {
      if b[j] > 0 && !(w[j] > 0 && Self.safeSum.contains(T(w[j]))) { columnsOK = false }
      if let columnPlain, b[j] > 0, w[j] > 0 {
        error += columnPlain.movedMass(
          j, sum: Double(v[j]) * w[j], current: gHat[j] + epsilon * T.log(v[j]),
          balanced: gHat[j] + epsilon * T.log(T(Double(b[j]) / w[j])), epsilon: epsilon)
      } else {
        error += abs(Double(v[j]) * w[j] - Double(b[j]))
      }
    }
    return columnsOK ? error : nil
  }

  /// The column scalings from `w = K^T u`: `b / w`, or the column penalty's update.
  mutating func kernelColumnUpdate(_ columnProx: MarginalProx<T>?) {
    guard let columnProx else {
      for j in 0..<m { v[j] = b[j] > 0 ? T(Double(b[j]) / w[j]) : 0 }
      return
    }
    for j in 0..<m where b[j] > 0 {
      let old = v[j] > 0 ? gHat[j] + epsilon * T.log(v[j]) : -T.infinity
      let next = columnProx.apply(j, gHat[j] + epsilon * T.log(T(Double(b[j]) / w[j])), old: old)
      v[j] = T.exp((next - gHat[j]) / epsilon)
    }
  }

  /// Absorbs scalings that left the safe range into the potentials and rebuilds `K`.
  mutating func absorbExtremeScalings(_ K: UnsafeMutablePointer<T>, _ source: CostRowSource<T>) {
    let safe = Self.safeScaling
    guard u.contains(where: { $0 > 0 && !safe.contains($0) }) || v.contains(where: { $0 > 0 && !safe.contains($0) }) else { return }
    (fHat, gHat) = potentials(u, v)
    for i in 0..<n where u[i] > 0 { u[i] = 1 }
    for j in 0..<m where v[j] > 0 { v[j] = 1 }
    Self.build(K, source, fHat, gHat, epsilon)
  }
}
