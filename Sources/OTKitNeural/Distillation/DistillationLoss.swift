import OTKitAutograd
import OTKitCore

/// A divergence between a frozen teacher's and a student's class distributions, each the
/// softmax of its logits at a temperature, averaged over the batch's rows (knowledge
/// distillation, G. Hinton, O. Vinyals and J. Dean, 2015). The teacher enters as a constant:
/// no gradient reaches it.
///
/// - Complexity: `O(rows · classes)`, forward and backward.
public enum DistillationDivergence: String, Sendable, Codable, CaseIterable {
  /// `KL(p_t | p_s)`, forward KL: mode-averaging when the two overlap little.
  case kl
  /// `KL(p_s | p_t)`, reverse KL: mode-seeking.
  case reverseKL = "rkl"
  /// `KL(p_t | m) / 2 + KL(p_s | m) / 2` with `m = (p_t + p_s) / 2`, the Jensen-Shannon divergence.
  case jensenShannon = "js"

  /// The divergence, a `1 x 1` tensor: the mean over rows of the per-row divergence.
  public func callAsFunction(student logits: Tensor, teacher: Matrix<Double>, temperature: Double = 1) -> Tensor {
    precondition(teacher.rows == logits.rows && teacher.columns == logits.columns, "One teacher row per student row")
    precondition(temperature > 0 && temperature.isFinite, "A positive temperature")
    let graph = logits.graph
    let teacherLog = Kernels.softmaxRows(teacher * (1 / temperature), log: true)
    let (logT, pT) = (graph.constant(teacherLog), graph.constant(teacherLog.exp()))
    let logS = (logits * (1 / temperature)).logSoftmax()
    switch self {
    case .kl:
      return (pT * (logT - logS)).sum(.columns).mean()
    case .reverseKL:
      return (logS.exp() * (logS - logT)).sum(.columns).mean()
    case .jensenShannon:
      let pS = logS.exp()
      let logM = ((pS + pT) * 0.5 + 1e-300).log()
      return ((pT * (logT - logM)).sum(.columns) * 0.5 + (pS * (logS - logM)).sum(.columns) * 0.5).mean()
    }
  }
}

/// SinKD's batch-wise Sinkhorn distance between the student's and the teacher's class
/// distributions (X. Cui et al., "SinKD: Sinkhorn distance minimization for knowledge
/// distillation", LREC-COLING 2024, arXiv 2402.17110; spec `ot-training-signals.md` §2): the
/// cost between student row `i` and teacher row `j` of a batch is `D_ij = |p_s,i - p_t,j|_1`,
/// the plan `P` comes from `iterations` rounds of Sinkhorn scaling of `exp(-D / epsilon)`, and
/// the loss is `scale · sum_ij P_ij D_ij`, differentiated through the unrolled iterations and
/// `D` (the teacher detached, which the public code does not do).
///
/// `paper` scales as the public code does (rows, then columns to sum 1; total mass `B`, no log
/// domain): at a small epsilon the kernel underflows. `stable` runs the same iterations in the
/// log domain with marginals `1 / B` and multiplies by `B`: the same loss where both are finite.
///
/// The sample-wise variant (``Granularity/sample``) transports each row's student
/// distribution onto the teacher's over the classes, with the cost 1 between different
/// classes and 0 within one (the paper's sample-wise cost was not retrieved; with this cost
/// the distance tends to the total variation as epsilon falls), and averages over rows.
public struct SinkhornDistillation: Sendable, Codable, Equatable {
  public enum Scaling: String, Sendable, Codable, CaseIterable {
    case paper, stable
  }

  /// Across the batch's rows (SinKD's batch-wise term) or within each row over the classes.
  public enum Granularity: String, Sendable, Codable, CaseIterable {
    case batch, sample
  }

  /// The code's fixed temperature of both softmaxes (its argument is ignored there).
  public var temperature = 2.0
  public var epsilon = 0.1
  public var iterations = 20
  /// The code's factor `0.0008 · 20 / 8 = 0.002`.
  public var scale = 0.002
  public var scaling = Scaling.stable
  public var granularity = Granularity.batch

  public init(granularity: Granularity = .batch) {
    self.granularity = granularity
  }

  /// The loss, a `1 x 1` tensor.
  ///
  /// - Complexity: `O(B² · classes)` for the cost and `O(iterations · B²)` for the scaling,
  ///   forward and backward.
  public func callAsFunction(student logits: Tensor, teacher: Matrix<Double>) -> Tensor {
    precondition(teacher.rows == logits.rows && teacher.columns == logits.columns, "One teacher row per student row")
    if granularity == .sample { return sampleWise(student: (logits * (1 / temperature)).softmax(), teacher: Kernels.softmaxRows(teacher * (1 / temperature))) }
    let d = costs(student: (logits * (1 / temperature)).softmax(), teacher: Kernels.softmaxRows(teacher * (1 / temperature)))
    let plan = scaling == .paper ? paperPlan(d) : stablePlan(d)
    return (plan * d).sum() * scale
  }

  /// Each row's entropic transport from `s_i` to `t_i` over the classes (cost `1 - delta`),
  /// by `iterations` Sinkhorn scalings of all rows at once (`U = S / (V K^T)`,
  /// `V = T / (U K)`), then `scale · mean_i <P_i, C>`.
  func sampleWise(student s: Tensor, teacher t: Matrix<Double>) -> Tensor {
    let graph = s.graph
    let c = Matrix<Double>(rows: t.columns, columns: t.columns) { a, b in a == b ? 0 : 1 }
    let k = c.map { Double.exp(-$0 / epsilon) }
    let (kernel, weighted, target) = (graph.constant(k), graph.constant(k * c), graph.constant(t))
    var v = graph.constant(Matrix(rows: t.rows, columns: t.columns, repeating: 1))
    var u = v
    for _ in 0..<iterations {
      u = s / Tensor.product(v, kernel, transposeB: true)
      v = target / Tensor.product(u, kernel)
    }
    return (u * Tensor.product(v, weighted, transposeB: true)).sum(.columns).mean() * scale
  }

  /// `D_ij = sum_c |s_ic - t_jc|` on the tape (one broadcast difference per class).
  func costs(student s: Tensor, teacher t: Matrix<Double>) -> Tensor {
    let graph = s.graph
    var total: Tensor?
    for c in 0..<t.columns {
      let unit = graph.constant(Matrix(rows: t.columns, columns: 1) { k, _ in k == c ? 1 : 0 })
      let difference = (Tensor.product(s, unit) - graph.constant(Matrix(rows: 1, columns: t.rows) { _, j in t[j, c] })).abs()
      total = total.map { $0 + difference } ?? difference
    }
    return total!
  }

  /// The public code's scaling: rows then columns of `exp(-D / epsilon)` divided by their sums.
  func paperPlan(_ d: Tensor) -> Tensor {
    var k = (d * (-1 / epsilon)).exp()
    for _ in 0..<iterations {
      k = k / k.sum(.columns)
      k = k / k.sum(.rows)
    }
    return k
  }

  /// The same iterations in the log domain with marginals `1 / B`, times `B`.
  func stablePlan(_ d: Tensor) -> Tensor {
    let logB = Double.log(Double(d.rows))
    var logP = d * (-1 / epsilon)
    for _ in 0..<iterations {
      logP = logP - logP.logSumExp() - logB
      logP = (logP.transposed() - logP.transposed().logSumExp() - logB).transposed()
    }
    return logP.exp() * Double(d.rows)
  }
}
