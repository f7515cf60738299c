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
  public static func multiHeadAttention(
    queries q: Matrix<Double>, keys k: Matrix<Double>, values v: Matrix<Double>,
    shape: AttentionShape, scale: Double, bias: Matrix<Double>? = nil
  ) -> (output: Matrix<Double>, weights: [Double]) {
    let (n, t, h, dk, dv) = (shape.instances, shape.tokens, shape.heads, shape.keySize, shape.valueSize)
    precondition(q.rows == n * t && k.rows == n * t && v.rows == n * t, "Attention inputs need \(n * t) rows")
    precondition(q.columns == h * dk && k.columns == h * dk, "Queries and keys need \(h * dk) columns")
    precondition(v.columns == h * dv, "Values need \(h * dv) columns")
    if let bias { precondition(bias.rows == t && bias.columns == t, "The bias must be \(t) x \(t)") }
    var output = Matrix<Double>(rows: n * t, columns: h * dv)
    var weights = [Double](repeating: 0, count: n * h * t * t)
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          output.withUnsafeMutableBufferPointer { op in
            weights.withUnsafeMutableBufferPointer { wp in
              let biasElements = bias?.elements
              guard let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress,
                let ob = op.baseAddress, let wb = wp.baseAddress
              else { return }
              let (qs, vs) = (h * dk, h * dv)
              Parallel.forEachRange(count: n, cost: h * t * t * (dk + dv + 8)) { range in
                for b in range {
                  for head in 0..<h {
                    let a = wb + (b * h + head) * t * t
                    for i in 0..<t {
                      let qi = qb + (b * t + i) * qs + head * dk
                      let row = a + i * t
                      var peak = -Double.infinity
                      for j in 0..<t {
                        let kj = kb + (b * t + j) * qs + head * dk
                        var dot = 0.0
                        for c in 0..<dk { dot += qi[c] * kj[c] }
                        var s = scale * dot
                        if let biasElements { s += biasElements[i * t + j] }
                        row[j] = s
                        if s > peak { peak = s }
                      }
                      var total = 0.0
                      for j in 0..<t {
                        let e = row[j] == -.infinity ? 0 : Double.exp(row[j] - peak)
                        row[j] = e
                        total += e
                      }
                      let inverse = total > 0 ? 1 / total : 0
                      let oi = ob + (b * t + i) * vs + head * dv
                      for j in 0..<t {
                        row[j] *= inverse
                        let w = row[j]
                        if w == 0 { continue }
                        let vj = vb + (b * t + j) * vs + head * dv
                        for c in 0..<dv { oi[c] += w * vj[c] }
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
    return (output, weights)
  }

  /// The backward pass of ``multiHeadAttention(queries:keys:values:shape:scale:bias:)``:
  /// given the output gradient, returns the gradients of the queries, keys and values.
  public static func multiHeadAttentionBackward(
    queries q: Matrix<Double>, keys k: Matrix<Double>, values v: Matrix<Double>,
    weights: [Double], shape: AttentionShape, scale: Double, gradient g: Matrix<Double>
  ) -> (queries: Matrix<Double>, keys: Matrix<Double>, values: Matrix<Double>) {
    let (n, t, h, dk, dv) = (shape.instances, shape.tokens, shape.heads, shape.keySize, shape.valueSize)
    var dq = Matrix<Double>(rows: q.rows, columns: q.columns)
    var dK = Matrix<Double>(rows: k.rows, columns: k.columns)
    var dV = Matrix<Double>(rows: v.rows, columns: v.columns)
    q.withUnsafeBufferPointer { qp in
      k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in
          g.withUnsafeBufferPointer { gp in
            weights.withUnsafeBufferPointer { wp in
              dq.withUnsafeMutableBufferPointer { dqp in
                dK.withUnsafeMutableBufferPointer { dkp in
                  dV.withUnsafeMutableBufferPointer { dvp in
                    guard let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress,
                      let gb = gp.baseAddress, let wb = wp.baseAddress, let dqb = dqp.baseAddress,
                      let dkb = dkp.baseAddress, let dvb = dvp.baseAddress
                    else { return }
                    let (qs, vs) = (h * dk, h * dv)
                    Parallel.forEachRange(count: n, cost: 2 * h * t * t * (dk + dv + 4)) { range in
                      let ds = UnsafeMutablePointer<Double>.allocate(capacity: max(t, 1))
                      defer { ds.deallocate() }
                      for b in range {
                        for head in 0..<h {
                          let a = wb + (b * h + head) * t * t
                          for i in 0..<t {
                            let row = a + i * t
                            let gi = gb + (b * t + i) * vs + head * dv
                            // dA_ij = g_i . v_j and dV_j += A_ij g_i.
                            var dot = 0.0
                            for j in 0..<t {
                              let w = row[j]
                              let vj = vb + (b * t + j) * vs + head * dv
                              let dvj = dvb + (b * t + j) * vs + head * dv
                              var da = 0.0
                              for c in 0..<dv {
                                da += gi[c] * vj[c]
                                dvj[c] += w * gi[c]
                              }
                              ds[j] = da
                              dot += w * da
                            }
                            // dS_ij = A_ij (dA_ij - sum_l A_il dA_il), then the scaled products.
                            let qi = qb + (b * t + i) * qs + head * dk
                            let dqi = dqb + (b * t + i) * qs + head * dk
                            for j in 0..<t {
                              let s = row[j] * (ds[j] - dot) * scale
                              if s == 0 { continue }
                              let kj = kb + (b * t + j) * qs + head * dk
                              let dkj = dkb + (b * t + j) * qs + head * dk
                              for c in 0..<dk {
                                dqi[c] += s * kj[c]
                                dkj[c] += s * qi[c]
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
        }
      }
    }
    return (dq, dK, dV)
  }
}
