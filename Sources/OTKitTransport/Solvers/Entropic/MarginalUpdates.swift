import OTKitCore

/// The marginal updates of one Sinkhorn run at one epsilon: the offsets `eps log a_i` and
/// `eps log b_j` of the product reference in one scratch buffer, and each side's proximal
/// kind (``MarginalPenalty``); `nil` is the plain balanced update.
struct MarginalUpdates<T: MatrixScalar> {
  /// The offsets: `n` for the rows, then `m` for the columns.
  let memory: ScratchMemory<T>
  let n: Int
  let rowKind: MarginalProx<T>.Kind
  let columnKind: MarginalProx<T>.Kind
  let sourceHard: Bool
  let targetHard: Bool

  init(a: [T], b: [T], epsilon: T, source: MarginalPenalty, target: MarginalPenalty, reference: EntropicReference) {
    (n, memory) = (a.count, ScratchMemory<T>(count: a.count + b.count))
    let rowOffsets = memory.base, columnOffsets = memory.base + a.count
    for i in 0..<a.count { rowOffsets[i] = reference == .product && a[i] > 0 ? epsilon * T.log(a[i]) : 0 }
    for j in 0..<b.count { columnOffsets[j] = reference == .product && b[j] > 0 ? epsilon * T.log(b[j]) : 0 }
    rowKind = source.proxKind(epsilon: Double(epsilon), T.self)
    columnKind = target.proxKind(epsilon: Double(epsilon), T.self)
    (sourceHard, targetHard) = (source.isHard, target.isHard)
  }

  /// The row update at over-relaxation `omega` (nil: the plain balanced update).
  func row(_ omega: T) -> MarginalProx<T>? {
    sourceHard && omega == 1 ? nil : MarginalProx(kind: rowKind, offsets: UnsafePointer(memory.base), omega: omega)
  }

  /// The column update at over-relaxation `omega` (nil: the plain balanced update).
  func column(_ omega: T) -> MarginalProx<T>? {
    targetHard && omega == 1 ? nil : MarginalProx(kind: columnKind, offsets: UnsafePointer(memory.base + n), omega: omega)
  }
}
