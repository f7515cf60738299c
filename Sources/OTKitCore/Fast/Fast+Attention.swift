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
extension Fast {
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
  /// one C kernel per pair does the work (the portable loops below otherwise), in phases
  /// over the pair's block so that the exponentials of its rows overlap.
  public static func multiHeadAttention<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    shape: AttentionShape, scale: T, bias: Matrix<T>? = nil
  ) -> (output: Matrix<T>, weights: [T]) {
    if T.self == Double.self {
      let r: (Matrix<Double>, [Double]) = attentionForward(
        same(q), same(k), same(v), shape: shape, scale: same(scale) as Double, bias: same(bias))
      return (same(r.0), same(r.1))
    }
    if T.self == Float.self {
      let r: (Matrix<Float>, [Float]) = attentionForward(
        same(q), same(k), same(v), shape: shape, scale: same(scale) as Float, bias: same(bias))
      return (same(r.0), same(r.1))
    }
    preconditionFailure("Fast.multiHeadAttention runs on Double and Float")
  }

  /// The backward pass of ``multiHeadAttention(queries:keys:values:shape:scale:bias:)``:
  /// given the output gradient, returns the gradients of the queries, keys and values.
  public static func multiHeadAttentionBackward<T: MatrixScalar>(
    queries q: Matrix<T>, keys k: Matrix<T>, values v: Matrix<T>,
    weights: [T], shape: AttentionShape, scale: T, gradient g: Matrix<T>
  ) -> (queries: Matrix<T>, keys: Matrix<T>, values: Matrix<T>) {
    if T.self == Double.self {
      let r: (Matrix<Double>, Matrix<Double>, Matrix<Double>) = attentionBackward(
        same(q), same(k), same(v), weights: same(weights), shape: shape, scale: same(scale) as Double,
        gradient: same(g))
      return (same(r.0), same(r.1), same(r.2))
    }
    if T.self == Float.self {
      let r: (Matrix<Float>, Matrix<Float>, Matrix<Float>) = attentionBackward(
        same(q), same(k), same(v), weights: same(weights), shape: shape, scale: same(scale) as Float,
        gradient: same(g))
      return (same(r.0), same(r.1), same(r.2))
    }
    preconditionFailure("Fast.multiHeadAttentionBackward runs on Double and Float")
  }

  /// The forward, specialized for one kernel scalar.
  static func attentionForward<T: AttentionKernelScalar>(
    _ q: Matrix<T>, _ k: Matrix<T>, _ v: Matrix<T>, shape: AttentionShape, scale: T, bias: Matrix<T>?
  ) -> (Matrix<T>, [T]) {
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
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          output.withUnsafeMutableBufferPointer { op in
            weights.withUnsafeMutableBufferPointer { wp in
              biasElements.withOptionalPointer { biasPointer in
                let call = HeadAttentionCall(
                  shape: shape, scale: scale, queries: qp.baseAddress!, keys: kp.baseAddress!,
                  values: vp.baseAddress!, weights: wp.baseAddress!)
                Parallel.forEachRange(count: n, cost: h * t * t * (dk + dv + 8)) { range in
                  call.forward(instances: range, bias: biasPointer, output: op.baseAddress!)
                }
              }
            }
          }
        }
      }
    }
    return (output, weights)
  }

  /// The backward, specialized for one kernel scalar.
  static func attentionBackward<T: AttentionKernelScalar>(
    _ q: Matrix<T>, _ k: Matrix<T>, _ v: Matrix<T>, weights: [T], shape: AttentionShape, scale: T,
    gradient g: Matrix<T>
  ) -> (Matrix<T>, Matrix<T>, Matrix<T>) {
    let (n, t, h, dk, dv) = (shape.instances, shape.tokens, shape.heads, shape.keySize, shape.valueSize)
    guard n > 0 && t > 0 && h > 0 && dk > 0 && dv > 0 else {
      return (Matrix(rows: q.rows, columns: q.columns), Matrix(rows: k.rows, columns: k.columns),
              Matrix(rows: v.rows, columns: v.columns))
    }
    // Every element of the three is written below.
    var dq = Matrix<T>(uninitializedRows: q.rows, columns: q.columns)
    var dK = Matrix<T>(uninitializedRows: k.rows, columns: k.columns)
    var dV = Matrix<T>(uninitializedRows: v.rows, columns: v.columns)
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          g.withUnsafeBufferPointer { gp in
            weights.withUnsafeBufferPointer { wp in
              dq.withUnsafeMutableBufferPointer { dqp in
                dK.withUnsafeMutableBufferPointer { dkp in
                  dV.withUnsafeMutableBufferPointer { dvp in
                    let call = HeadAttentionCall(
                      shape: shape, scale: scale, queries: qp.baseAddress!, keys: kp.baseAddress!,
                      values: vp.baseAddress!, weights: UnsafeMutablePointer(mutating: wp.baseAddress!))
                    let gradients = HeadAttentionGradients(
                      output: gp.baseAddress!, queries: dqp.baseAddress!, keys: dkp.baseAddress!, values: dvp.baseAddress!)
                    Parallel.forEachRange(count: n, cost: 2 * h * t * t * (dk + dv + 4)) { range in
                      call.backward(instances: range, gradients: gradients)
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
}

/// The gradients a backward call reads (`output`) and writes (the other three).
struct HeadAttentionGradients<T> {
  var output: UnsafePointer<T>
  var queries: UnsafeMutablePointer<T>
  var keys: UnsafeMutablePointer<T>
  var values: UnsafeMutablePointer<T>
}

/// One fused attention call over raw buffers: the offsets of each (instance, head) block
/// and the loops over a range of instances, on the AVX kernels or the portable rows.
struct HeadAttentionCall<T: AttentionKernelScalar> {
  var shape: Fast.AttentionShape
  var scale: T
  var queries: UnsafePointer<T>
  var keys: UnsafePointer<T>
  var values: UnsafePointer<T>
  /// Written by the forward, read by the backward.
  var weights: UnsafeMutablePointer<T>

  /// The offset of a block in the queries and keys, and in the values and outputs.
  func offsets(instance b: Int, head: Int) -> (query: Int, value: Int) {
    let t = shape.tokens
    return (b * t * shape.heads * shape.keySize + head * shape.keySize,
            b * t * shape.heads * shape.valueSize + head * shape.valueSize)
  }

  func block(instance b: Int, head: Int) -> HeadAttentionBlock<T> {
    let (qo, vo) = offsets(instance: b, head: head)
    return HeadAttentionBlock(
      queries: queries + qo, keys: keys + qo, values: values + vo, queryStride: shape.heads * shape.keySize,
      valueStride: shape.heads * shape.valueSize, tokens: shape.tokens, keySize: shape.keySize,
      valueSize: shape.valueSize, scale: scale)
  }

  func weights(instance b: Int, head: Int) -> UnsafeMutablePointer<T> {
    weights + (b * shape.heads + head) * shape.tokens * shape.tokens
  }

  /// The scratch of the AVX kernels for one range of blocks, or `nil` when they are not in
  /// use (the portable rows allocate their own); the caller deallocates it.
  func kernelScratch() -> UnsafeMutablePointer<T>? {
    let count = Fast.headAttentionScratchCount(tokens: shape.tokens, keySize: shape.keySize, valueSize: shape.valueSize)
    return count > 0 ? UnsafeMutablePointer<T>.allocate(capacity: count) : nil
  }

  /// The forward of the blocks of `instances`.
  ///
  /// - Complexity: `O(|instances| heads tokens^2 (keySize + valueSize))`.
  func forward(instances: Range<Int>, bias: UnsafePointer<T>?, output: UnsafeMutablePointer<T>) {
    let (t, dk, dv) = (shape.tokens, shape.keySize, shape.valueSize)
    if let scratch = kernelScratch() {
      defer { scratch.deallocate() }
      for b in instances {
        for head in 0..<shape.heads {
          T.headAttentionForward(
            block(instance: b, head: head), bias: bias, weights: weights(instance: b, head: head),
            output: output + offsets(instance: b, head: head).value, scratch: scratch)
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
    for b in instances {
      for head in 0..<shape.heads {
        let block = block(instance: b, head: head)
        Fast.packHead(block.keys, stride: block.queryStride, size: dk, tokens: t, into: kt)
        Fast.packHead(block.values, stride: block.valueStride, size: dv, tokens: t, into: vt)
        Fast.portableAttentionRows(
          queries: block.queries, queryStride: block.queryStride, keysT: kt, valuesT: vt, bias: bias,
          weights: weights(instance: b, head: head), output: output + offsets(instance: b, head: head).value,
          outputStride: block.valueStride, tokens: t, keySize: dk, valueSize: dv, scale: scale)
      }
    }
  }

  /// The backward of the blocks of `instances`.
  ///
  /// - Complexity: `O(|instances| heads tokens^2 (keySize + valueSize))`.
  func backward(instances: Range<Int>, gradients g: HeadAttentionGradients<T>) {
    if let scratch = kernelScratch() {
      defer { scratch.deallocate() }
      for b in instances {
        for head in 0..<shape.heads {
          let (qo, vo) = offsets(instance: b, head: head)
          T.headAttentionBackward(
            block(instance: b, head: head), weights: weights(instance: b, head: head), gradient: g.output + vo,
            queries: g.queries + qo, keys: g.keys + qo, values: g.values + vo, scratch: scratch)
        }
      }
      return
    }
    portableBackward(instances: instances, gradients: g)
  }

  /// The backward on the portable rows: per block, the keys and values packed transposed,
  /// their gradients accumulated packed and unpacked at the end.
  func portableBackward(instances: Range<Int>, gradients g: HeadAttentionGradients<T>) {
    let (t, dk, dv) = (shape.tokens, shape.keySize, shape.valueSize)
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
    for b in instances {
      for head in 0..<shape.heads {
        let block = block(instance: b, head: head)
        let (qo, vo) = offsets(instance: b, head: head)
        let (qs, vs) = (block.queryStride, block.valueStride)
        Fast.packHead(block.keys, stride: qs, size: dk, tokens: t, into: kt)
        Fast.packHead(block.values, stride: vs, size: dv, tokens: t, into: vt)
        dkt.update(repeating: 0, count: dk * t)
        dvt.update(repeating: 0, count: dv * t)
        Fast.portableAttentionBackwardRows(
          queries: block.queries, queryStride: qs, keysT: kt, valuesT: vt,
          weights: weights(instance: b, head: head), gradient: g.output + vo, gradientStride: vs,
          queriesGradient: g.queries + qo, keysGradientT: dkt, valuesGradientT: dvt, scratch: ds,
          tokens: t, keySize: dk, valueSize: dv, scale: scale)
        Fast.unpackHead(dkt, size: dk, tokens: t, into: g.keys + qo, stride: qs)
        Fast.unpackHead(dvt, size: dv, tokens: t, into: g.values + vo, stride: vs)
      }
    }
  }
}

extension Fast {
  /// One (instance, head) of the portable forward pass: the scaled scores of each query row
  /// against the packed keys (`keySize x tokens`), the bias, the row softmax (a fully
  /// masked row attends to nothing), and the row's output from the packed values.
  ///
  /// - Complexity: `O(tokens^2 (keySize + valueSize))`.
  static func portableAttentionRows<T: MatrixScalar>(
    queries q: UnsafePointer<T>, queryStride qs: Int, keysT kt: UnsafePointer<T>, valuesT vt: UnsafePointer<T>, bias: UnsafePointer<T>?,
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
      Kernels.softmaxInPlace(row, count: t, peak: peak)
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
  static func packHead<T>(_ source: UnsafePointer<T>, stride: Int, size: Int, tokens: Int, into packed: UnsafeMutablePointer<T>) {
    for j in 0..<tokens {
      let row = source + j * stride
      for c in 0..<size { packed[c * tokens + j] = row[c] }
    }
  }

  /// The inverse of ``packHead(_:stride:size:tokens:into:)``.
  static func unpackHead<T>(_ packed: UnsafePointer<T>, size: Int, tokens: Int, into target: UnsafeMutablePointer<T>, stride: Int) {
    for j in 0..<tokens {
      let row = target + j * stride
      for c in 0..<size { row[c] = packed[c * tokens + j] }
    }
  }
}

extension Optional {
  /// Calls `body` with a pointer to the elements of an array, or `nil` when there is none.
  func withOptionalPointer<T, R>(_ body: (UnsafePointer<T>?) throws -> R) rethrows -> R where Wrapped == [T] {
    guard let array = self else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
  }
}
