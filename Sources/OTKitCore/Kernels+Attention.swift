import RealModule

/// Fused multi-head scaled dot-product attention over groups of tokens, with its backward
/// pass.
///
/// The inputs hold `instances * tokens` rows; the rows of one instance attend to each other
/// only. Queries and keys have `heads * keySize` columns, values `heads * valueSize`; head `h`
/// uses the `h`-th block of columns. For instance `b` and head `h`:
/// `S = scale * Q_bh K_bh^T`, `A = softmax_rows(S + bias)`, `O_bh = A V_bh`.
///
/// A. Vaswani et al., "Attention is all you need", NeurIPS 2017.
///
/// - Complexity: `O(instances * heads * tokens^2 * (keySize + valueSize))` time, forward and
///   backward; the weights, `instances * heads * tokens^2` values, are kept for the backward.
extension Kernels {
  /// The shape of a fused attention call.
  public struct AttentionShape: Sendable, Equatable {
    public var instances: Int
    public var tokens: Int
    public var heads: Int
    public var keySize: Int
    public var valueSize: Int

    public init(instances: Int, tokens: Int, heads: Int, keySize: Int, valueSize: Int) {
      self.instances = instances
      self.tokens = tokens
      self.heads = heads
      self.keySize = keySize
      self.valueSize = valueSize
    }
  }

  /// The forward pass: returns the output (`instances * tokens` x `heads * valueSize`) and the
  /// weights (`instances x heads x tokens x tokens`, row-major). `bias`, when given, is a
  /// `tokens x tokens` additive score bias (a mask uses `-infinity`) shared by all heads.
  ///
  /// Each (instance, head) pair packs its keys and values transposed (`size x tokens`) so
  /// that the inner loops run over tokens, contiguous, and vectorize. With AVX-512 or AVX2
  /// one C kernel per pair does the work (`_HeadAttentionBlock`; the portable loops below
  /// otherwise), in phases over the pair's block so that the exponentials of its rows
  /// overlap.
  @inlinable
  public static func multiHeadAttention<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    shape: AttentionShape, scale: T, bias: Matrix<T>? = nil
  ) -> (output: Matrix<T>, weights: [T]) {
    let (n, t, h, dk, dv) = (shape.instances, shape.tokens, shape.heads, shape.keySize, shape.valueSize)
    precondition(q.rows == n * t && k.rows == n * t && v.rows == n * t, "Attention inputs need \(n * t) rows")
    precondition(q.columns == h * dk && k.columns == h * dk, "Queries and keys need \(h * dk) columns")
    precondition(v.columns == h * dv, "Values need \(h * dv) columns")
    if let bias { precondition(bias.rows == t && bias.columns == t, "The bias must be \(t) x \(t)") }
    guard n > 0 && t > 0 && h > 0 && dk > 0 && dv > 0 else {
      return (Matrix<T>(rows: n * t, columns: h * dv), [T](repeating: 0, count: n * h * t * t))
    }
    // Every element of both is written below.
    var output = Matrix<T>(uninitializedRows: n * t, columns: h * dv)
    var weights = [T](unsafeUninitializedCapacity: n * h * t * t) { _, count in count = n * h * t * t }
    let biasElements = bias?.elements
    let scratchCount = headAttentionScratchCount(tokens: t, keySize: dk, valueSize: dv)
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          output.withUnsafeMutableBufferPointer { op in
            weights.withUnsafeMutableBufferPointer { wp in
              let (qb, kb, vb, ob, wb) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, op.baseAddress!, wp.baseAddress!)
              let (qs, vs) = (h * dk, h * dv)
              Parallel.forEachRange(count: n, cost: h * t * t * (dk + dv + 8)) { range in
                if scratchCount > 0 {
                  // The AVX kernels, one call per (instance, head).
                  let scratch = UnsafeMutablePointer<T>.allocate(capacity: scratchCount)
                  defer { scratch.deallocate() }
                  biasElements.withOptionalPointer { biasPointer in
                    for b in range {
                      for head in 0..<h {
                        let block = _HeadAttentionBlock(
                          queries: qb + b * t * qs + head * dk, keys: kb + b * t * qs + head * dk,
                          values: vb + b * t * vs + head * dv, queryStride: qs, valueStride: vs, tokens: t,
                          keySize: dk, valueSize: dv, scale: scale)
                        T._headAttentionForward(
                          block, bias: biasPointer, weights: wb + (b * h + head) * t * t,
                          output: ob + b * t * vs + head * dv, scratch: scratch)
                      }
                    }
                  }
                  return
                }
                let kt = UnsafeMutablePointer<T>.allocate(capacity: dk * t)
                let vt = UnsafeMutablePointer<T>.allocate(capacity: dv * t)
                defer {
                  kt.deallocate()
                  vt.deallocate()
                }
                for b in range {
                  for head in 0..<h {
                    packHead(kb + b * t * qs + head * dk, stride: qs, size: dk, tokens: t, into: kt)
                    packHead(vb + b * t * vs + head * dv, stride: vs, size: dv, tokens: t, into: vt)
                    portableAttentionRows(
                      queries: qb + b * t * qs + head * dk, queryStride: qs, keysT: kt, valuesT: vt, bias: biasElements,
                      weights: wb + (b * h + head) * t * t, output: ob + b * t * vs + head * dv, outputStride: vs,
                      tokens: t, keySize: dk, valueSize: dv, scale: scale)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (output, weights)
  }

  /// The backward pass of ``multiHeadAttention(queries:keys:values:shape:scale:bias:)``:
  /// given the output gradient, returns the gradients of the queries, keys and values.
  @inlinable
  public static func multiHeadAttentionBackward<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    weights: [T], shape: AttentionShape, scale: T, gradient g: Matrix<T>
  ) -> (queries: Matrix<T>, keys: Matrix<T>, values: Matrix<T>) {
    let (n, t, h, dk, dv) = (shape.instances, shape.tokens, shape.heads, shape.keySize, shape.valueSize)
    guard n > 0 && t > 0 && h > 0 && dk > 0 && dv > 0 else {
      return (Matrix(rows: q.rows, columns: q.columns), Matrix(rows: k.rows, columns: k.columns),
              Matrix(rows: v.rows, columns: v.columns))
    }
    // Every element of the three is written below.
    var dq = Matrix<T>(uninitializedRows: q.rows, columns: q.columns)
    var dK = Matrix<T>(uninitializedRows: k.rows, columns: k.columns)
    var dV = Matrix<T>(uninitializedRows: v.rows, columns: v.columns)
    let scratchCount = headAttentionScratchCount(tokens: t, keySize: dk, valueSize: dv)
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          g.withUnsafeBufferPointer { gp in
            weights.withUnsafeBufferPointer { wp in
              dq.withUnsafeMutableBufferPointer { dqp in
                dK.withUnsafeMutableBufferPointer { dkp in
                  dV.withUnsafeMutableBufferPointer { dvp in
                    let (qb, kb, vb, gb, wb) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, gp.baseAddress!, wp.baseAddress!)
                    let (dqb, dkb, dvb) = (dqp.baseAddress!, dkp.baseAddress!, dvp.baseAddress!)
                    let (qs, vs) = (h * dk, h * dv)
                    Parallel.forEachRange(count: n, cost: 2 * h * t * t * (dk + dv + 4)) { range in
                      if scratchCount > 0 {
                        let scratch = UnsafeMutablePointer<T>.allocate(capacity: scratchCount)
                        defer { scratch.deallocate() }
                        for b in range {
                          for head in 0..<h {
                            let (qo, vo) = (b * t * qs + head * dk, b * t * vs + head * dv)
                            let block = _HeadAttentionBlock(
                              queries: qb + qo, keys: kb + qo, values: vb + vo, queryStride: qs, valueStride: vs,
                              tokens: t, keySize: dk, valueSize: dv, scale: scale)
                            T._headAttentionBackward(
                              block, weights: wb + (b * h + head) * t * t, gradient: gb + vo, queries: dqb + qo,
                              keys: dkb + qo, values: dvb + vo, scratch: scratch)
                          }
                        }
                        return
                      }
                      let kt = UnsafeMutablePointer<T>.allocate(capacity: dk * t)
                      let vt = UnsafeMutablePointer<T>.allocate(capacity: dv * t)
                      let dkt = UnsafeMutablePointer<T>.allocate(capacity: dk * t)
                      let dvt = UnsafeMutablePointer<T>.allocate(capacity: dv * t)
                      let ds = UnsafeMutablePointer<T>.allocate(capacity: t)
                      defer {
                        kt.deallocate()
                        vt.deallocate()
                        dkt.deallocate()
                        dvt.deallocate()
                        ds.deallocate()
                      }
                      for b in range {
                        for head in 0..<h {
                          packHead(kb + b * t * qs + head * dk, stride: qs, size: dk, tokens: t, into: kt)
                          packHead(vb + b * t * vs + head * dv, stride: vs, size: dv, tokens: t, into: vt)
                          dkt.update(repeating: 0, count: dk * t)
                          dvt.update(repeating: 0, count: dv * t)
                          portableAttentionBackwardRows(
                            queries: qb + b * t * qs + head * dk, queryStride: qs, keysT: kt, valuesT: vt,
                            weights: wb + (b * h + head) * t * t, gradient: gb + b * t * vs + head * dv, gradientStride: vs,
                            queriesGradient: dqb + b * t * qs + head * dk, keysGradientT: dkt, valuesGradientT: dvt, scratch: ds,
                            tokens: t, keySize: dk, valueSize: dv, scale: scale)
                          unpackHead(dkt, size: dk, tokens: t, into: dkb + b * t * qs + head * dk, stride: qs)
                          unpackHead(dvt, size: dv, tokens: t, into: dvb + b * t * vs + head * dv, stride: vs)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (dq, dK, dV)
  }

  /// One (instance, head) of the portable forward pass: the scaled scores of each query row
  /// against the packed keys (`keySize x tokens`), the bias, the row softmax (a fully
  /// masked row attends to nothing), and the row's output from the packed values.
  ///
  /// - Complexity: `O(tokens^2 (keySize + valueSize))`.
  @inlinable
  static func portableAttentionRows<T: MatrixScalar>(
    queries q: UnsafePointer<T>, queryStride qs: Int, keysT kt: UnsafePointer<T>, valuesT vt: UnsafePointer<T>, bias: [T]?,
    weights a: UnsafeMutablePointer<T>, output o: UnsafeMutablePointer<T>, outputStride vs: Int,
    tokens t: Int, keySize dk: Int, valueSize dv: Int, scale: T
  ) {
    for i in 0..<t {
      let qi = q + i * qs
      let row = a + i * t
      for j in 0..<t { row[j] = 0 }
      for c in 0..<dk {
        let qc = qi[c] * scale
        let kc = kt + c * t
        for j in 0..<t { row[j] += qc * kc[j] }
      }
      if let bias {
        for j in 0..<t { row[j] += bias[i * t + j] }
      }
      var peak = row[0]
      for j in 1..<t where row[j] > peak { peak = row[j] }
      let oi = o + i * vs
      if peak == -.infinity {
        // A fully masked row attends to nothing.
        for j in 0..<t { row[j] = 0 }
        for c in 0..<dv { oi[c] = 0 }
        continue
      }
      softmaxInPlace(row, count: t, peak: peak)
      for c in 0..<dv {
        let vc = vt + c * t
        var sum: T = 0
        for j in 0..<t { sum += row[j] * vc[j] }
        oi[c] = sum
      }
    }
  }

  /// One (instance, head) of the portable backward pass: per query row, `dA = g V^T` and
  /// `dV += A^T g`, the softmax's `dS = A (dA - rowsum(A dA))` scaled, then `dQ = dS K` and
  /// `dK += dS^T Q` (keys' and values' gradients packed `size x tokens`).
  ///
  /// - Complexity: `O(tokens^2 (keySize + valueSize))`.
  @inlinable
  static func portableAttentionBackwardRows<T: MatrixScalar>(
    queries q: UnsafePointer<T>, queryStride qs: Int, keysT kt: UnsafePointer<T>, valuesT vt: UnsafePointer<T>,
    weights a: UnsafePointer<T>, gradient g: UnsafePointer<T>, gradientStride vs: Int,
    queriesGradient dq: UnsafeMutablePointer<T>, keysGradientT dkt: UnsafeMutablePointer<T>, valuesGradientT dvt: UnsafeMutablePointer<T>,
    scratch ds: UnsafeMutablePointer<T>, tokens t: Int, keySize dk: Int, valueSize dv: Int, scale: T
  ) {
    for i in 0..<t {
      let row = a + i * t
      let gi = g + i * vs
      // dA_ij = g_i . v_j, and dV_j += A_ij g_i.
      for j in 0..<t { ds[j] = 0 }
      for c in 0..<dv {
        let gc = gi[c]
        let vc = vt + c * t, dvc = dvt + c * t
        for j in 0..<t {
          ds[j] += gc * vc[j]
          dvc[j] += gc * row[j]
        }
      }
      // dS_ij = A_ij (dA_ij - sum_l A_il dA_il), then the scaled products.
      var dot: T = 0
      for j in 0..<t { dot += row[j] * ds[j] }
      for j in 0..<t { ds[j] = row[j] * (ds[j] - dot) * scale }
      let qi = q + i * qs
      let dqi = dq + i * qs
      for c in 0..<dk {
        let kc = kt + c * t, dkc = dkt + c * t
        let qc = qi[c]
        var sum: T = 0
        for j in 0..<t {
          sum += ds[j] * kc[j]
          dkc[j] += ds[j] * qc
        }
        dqi[c] = sum
      }
    }
  }

  /// Copies one head's `tokens x size` block (rows `stride` apart) transposed into
  /// `size x tokens` contiguous storage.
  @inlinable
  static func packHead<T>(_ source: UnsafePointer<T>, stride: Int, size: Int, tokens: Int, into packed: UnsafeMutablePointer<T>) {
    for j in 0..<tokens {
      let row = source + j * stride
      for c in 0..<size { packed[c * tokens + j] = row[c] }
    }
  }

  /// The inverse of ``packHead(_:stride:size:tokens:into:)``.
  @inlinable
  static func unpackHead<T>(_ packed: UnsafePointer<T>, size: Int, tokens: Int, into target: UnsafeMutablePointer<T>, stride: Int) {
    for j in 0..<tokens {
      let row = target + j * stride
      for c in 0..<size { row[c] = packed[c * tokens + j] }
    }
  }
}

extension Optional {
  /// Calls `body` with a pointer to the elements of an array, or `nil` when there is none.
  @inlinable
  func withOptionalPointer<T, R>(_ body: (UnsafePointer<T>?) throws -> R) rethrows -> R where Wrapped == [T] {
    guard let array = self else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
  }
}
