/// The portable matrix product: cache-blocked, packed panels and a register-blocked SIMD
/// micro-kernel, in the layout of Goto and van de Geijn.
///
/// K. Goto and R. A. van de Geijn, "Anatomy of high-performance matrix multiplication",
/// ACM TOMS 34(3), 2008. `W` is one machine register of scalars (`SIMD2<Double>`,
/// `SIMD4<Float>` on the x86-64 baseline). Blocks of `op(B)` (`kc x nc`) are packed into
/// column panels of `nr = 2 W.scalarCount` columns, blocks of `op(A)` (`mc x kc`) into row
/// panels of `mr = 4` rows with every element stored broadcast across a `W`, so that the
/// micro-kernel needs no shuffles; a `4 x nr` tile of `C` lives in 8 registers (with the SSE2 baseline's 16 registers, a larger tile spills an accumulator and stalls on memory) while the
/// shared dimension streams through. Row blocks of `C` run in parallel; transposed operands are handled by packing,
/// so the four transpose forms run the same kernel.
///
/// - Complexity: `O(m n k)` arithmetic, `O(m k + k n)` packing, `O(mc kc + kc nc)` extra
///   memory per call.
struct PortableGEMM<T: MatrixScalar, W: SIMD<T>> {
  static var mr: Int { 5 }
  static var nr: Int { 2 * W.scalarCount }
  static var w: Int { W.scalarCount }
  static var kc: Int { 256 }
  static var mc: Int { 100 }
  static var nc: Int { 2048 }

  static func run(
    _ s: GEMMShape, alpha: T, a: UnsafePointer<T>, b: UnsafePointer<T>,
    beta: T, c: UnsafeMutablePointer<T>
  ) {
    let (m, n, k) = (s.m, s.n, s.k)
    guard m > 0, n > 0 else { return }
    if k == 0 || alpha == 0 {
      scale(c, rows: m, columns: n, ldc: s.ldc, by: beta)
      return
    }
    let nr = Self.nr
    let mr = Self.mr
    let packedB = UnsafeMutablePointer<T>.allocate(capacity: kc * roundUp(min(n, nc), nr))
    defer { packedB.deallocate() }
    var jc = 0
    while jc < n {
      let ncEff = min(nc, n - jc)
      var pc = 0
      while pc < k {
        let kcEff = min(kc, k - pc)
        packB(s, b, packedB, pc: pc, kc: kcEff, jc: jc, nc: ncEff)
        let blockBeta: T = pc == 0 ? beta : 1
        let rowBlocks = (m + mc - 1) / mc
        Parallel.forEachWorker(count: rowBlocks, cost: mc * kcEff * ncEff) { _, blocks in
          let packedA = UnsafeMutablePointer<T>.allocate(capacity: mc * kcEff * w)
          defer { packedA.deallocate() }
          for block in blocks {
            let ic = block * mc
            let mcEff = min(mc, m - ic)
            packA(s, a, packedA, ic: ic, mc: mcEff, pc: pc, kc: kcEff)
            var jr = 0
            while jr < ncEff {
              let nrEff = min(nr, ncEff - jr)
              var ir = 0
              while ir < mcEff {
                let mrEff = min(mr, mcEff - ir)
                microKernel(
                  kc: kcEff, a: packedA + ir * kcEff * w, b: packedB + jr * kcEff,
                  c: c + (ic + ir) * s.ldc + jc + jr, ldc: s.ldc,
                  rows: mrEff, columns: nrEff, alpha: alpha, beta: blockBeta)
                ir += mr
              }
              jr += nr
            }
          }
        }
        pc += kcEff
      }
      jc += ncEff
    }
  }

  @inline(__always)
  static func roundUp(_ x: Int, _ multiple: Int) -> Int {
    (x + multiple - 1) / multiple * multiple
  }

  static func scale(_ c: UnsafeMutablePointer<T>, rows: Int, columns: Int, ldc: Int, by beta: T) {
    for i in 0..<rows {
      let row = c + i * ldc
      if beta == 0 {
        row.update(repeating: 0, count: columns)
      } else if beta != 1 {
        for j in 0..<columns { row[j] *= beta }
      }
    }
  }

  /// Packs `op(B)[pc..<pc+kc, jc..<jc+nc]` into panels of `nr` columns, each `kc x nr`
  /// row-major, the last one padded with zeros.
  static func packB(
    _ s: GEMMShape, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
    pc: Int, kc: Int, jc: Int, nc: Int
  ) {
    let nr = Self.nr
    var panel = 0
    while panel * nr < nc {
      let j0 = panel * nr
      let width = min(nr, nc - j0)
      let dst = out + panel * nr * kc
      if !s.transposeB {
        var src = b + pc * s.ldb + jc + j0
        for p in 0..<kc {
          let d = dst + p * nr
          if width == nr {
            d.update(from: src, count: nr)
          } else {
            d.update(from: src, count: width)
            (d + width).update(repeating: 0, count: nr - width)
          }
          src += s.ldb
        }
      } else {
        // op(B)[p, j] = B[jc + j, pc + p]
        for j in 0..<nr {
          if j < width {
            let src = b + (jc + j0 + j) * s.ldb + pc
            for p in 0..<kc { dst[p * nr + j] = src[p] }
          } else {
            for p in 0..<kc { dst[p * nr + j] = 0 }
          }
        }
      }
      panel += 1
    }
  }

  /// Packs `op(A)[ic..<ic+mc, pc..<pc+kc]` into panels of `mr` rows, each `kc x mr`
  /// (column `p` of the panel holds rows `0..<mr` contiguously), every element repeated
  /// `w` times (a broadcast register), padded with zeros.
  static func packA(
    _ s: GEMMShape, _ a: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
    ic: Int, mc: Int, pc: Int, kc: Int
  ) {
    let mr = Self.mr
    let w = Self.w
    var panel = 0
    while panel * mr < mc {
      let i0 = panel * mr
      let height = min(mr, mc - i0)
      let dst = out + i0 * kc * w
      for r in 0..<mr {
        if r < height {
          if !s.transposeA {
            let src = a + (ic + i0 + r) * s.lda + pc
            for p in 0..<kc { store(W(repeating: src[p]), dst + (p * mr + r) * w) }
          } else {
            // op(A)[i, p] = A[pc + p, ic + i]
            let src = a + pc * s.lda + ic + i0 + r
            for p in 0..<kc { store(W(repeating: src[p * s.lda]), dst + (p * mr + r) * w) }
          }
        } else {
          for p in 0..<kc { store(W(), dst + (p * mr + r) * w) }
        }
      }
      panel += 1
    }
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<T>) -> W {
    UnsafeRawPointer(p).loadUnaligned(as: W.self)
  }

  @inline(__always)
  static func store(_ v: W, _ p: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: W.self)
  }

  /// `C[0..<rows, 0..<columns] = alpha * Ap * Bp + beta * C` for one `4 x nr` tile.
  @inline(__always)
  static func microKernel(
    kc: Int, a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>, ldc: Int,
    rows: Int, columns: Int, alpha: T, beta: T
  ) {
    let w = W.scalarCount
    var c00 = W(), c01 = W(), c10 = W(), c11 = W(), c20 = W(), c21 = W()
    var c30 = W(), c31 = W(), c40 = W(), c41 = W()
    var pa = a
    var pb = b
    for _ in 0..<kc {
      let b0 = load(pb)
      let b1 = load(pb + w)
      var ar = load(pa)
      c00 += ar * b0
      c01 += ar * b1
      ar = load(pa + w)
      c10 += ar * b0
      c11 += ar * b1
      ar = load(pa + 2 * w)
      c20 += ar * b0
      c21 += ar * b1
      ar = load(pa + 3 * w)
      c30 += ar * b0
      c31 += ar * b1
      ar = load(pa + 4 * w)
      c40 += ar * b0
      c41 += ar * b1
      pa += 5 * w
      pb += 2 * w
    }
    if rows == 5 && columns == 2 * w {
      writeRow(c00, c01, c, alpha, beta)
      writeRow(c10, c11, c + ldc, alpha, beta)
      writeRow(c20, c21, c + 2 * ldc, alpha, beta)
      writeRow(c30, c31, c + 3 * ldc, alpha, beta)
      writeRow(c40, c41, c + 4 * ldc, alpha, beta)
    } else {
      let tile = [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41]
      for r in 0..<rows {
        let row = c + r * ldc
        for j in 0..<columns {
          let value = alpha * tile[2 * r + j / w][j % w]
          row[j] = beta == 0 ? value : value + beta * row[j]
        }
      }
    }
  }

  @inline(__always)
  static func writeRow(_ x0: W, _ x1: W, _ row: UnsafeMutablePointer<T>, _ alpha: T, _ beta: T) {
    let w = W.scalarCount
    writeHalf(x0, row, alpha, beta)
    writeHalf(x1, row + w, alpha, beta)
  }

  @inline(__always)
  static func writeHalf(_ acc: W, _ row: UnsafeMutablePointer<T>, _ alpha: T, _ beta: T) {
    if beta == 0 {
      store(alpha == 1 ? acc : acc * alpha, row)
    } else if beta == 1 {
      store(load(row) + (alpha == 1 ? acc : acc * alpha), row)
    } else {
      store(load(row) * beta + acc * alpha, row)
    }
  }
}
