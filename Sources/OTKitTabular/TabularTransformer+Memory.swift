import OTKitCore

extension TransformerSettings {
  /// The inference passes (validation, trace, predictions) run over chunks of instances
  /// whose estimated pass stays under this many bytes (all instances when they fit): a
  /// fixed figure, so that results do not depend on the machine's memory.
  public static let inferenceChunkBytes = 256 << 20

  /// The estimated peak bytes of one pass of the network over `instances` instances of
  /// `tokens` tokens of width `width`.
  ///
  /// A block's forward values are the attention weights of every instance and head
  /// (`instances x heads x tokens^2`, with the planes the anchor saves beside them) and,
  /// per token row, the four `heads * keySize` projections, the two feed-forward planes
  /// and six rows of the width (residuals and norms). Training keeps every block's values
  /// on the tape and, at its peak in the backward pass, one block's row gradients; the
  /// head and the input add two planes of their widths. Inference holds one block at a
  /// time. Measured with `otkit train --model transformer --token-dim 1` (400 instances,
  /// 10 heads, batch 64): 285 MB per block for 284 estimated at 200 tokens, 382 MB for
  /// 371 in all (one block), 103 for 102 (2 heads), 537 for 555 (feed-forward 512);
  /// `scripts/memory/estimates.sh` prints the table.
  ///
  /// - Complexity: O(1).
  public func passBytes(instances: Int, tokens: Int, width: Int, classes: Int, training: Bool) -> Int {
    let rows = MemoryBudget.bytes(instances, tokens, scalar: 1)
    let planes = 1 + (resolvedHeadAnchors.map(\.savedPlanes).max() ?? 0)
    let weights = MemoryBudget.bytes(planes, instances, heads, tokens, tokens)
    let perRow = MemoryBudget.sum(
      MemoryBudget.bytes(4, heads, keySize, scalar: 1), MemoryBudget.bytes(2, feedForward, scalar: 1),
      MemoryBudget.bytes(6, width, scalar: 1))
    let rowValues = MemoryBudget.bytes(rows, perRow)
    let headRows = MemoryBudget.bytes(2, rows, MemoryBudget.sum(headUnits, classes, width))
    guard training else { return MemoryBudget.sum(weights, rowValues, headRows) }
    let tape = MemoryBudget.bytes(max(blocks, 1), MemoryBudget.sum(weights, rowValues), scalar: 1)
    return MemoryBudget.sum(tape, rowValues, MemoryBudget.bytes(2, headRows, scalar: 1))
  }

  /// Instances per inference pass: as many as stay under ``inferenceChunkBytes`` (at
  /// least one).
  ///
  /// - Complexity: O(1).
  public func inferenceChunk(tokens: Int, width: Int, classes: Int) -> Int {
    let one = passBytes(instances: 1, tokens: tokens, width: width, classes: classes, training: false)
    return max(1, Self.inferenceChunkBytes / max(one, 1))
  }

  /// Refuses a fit whose training step or inference pass does not fit in memory
  /// (`MemoryBudget`).
  ///
  /// - Parameters:
  ///   - instances: the instances the training steps draw from.
  ///   - inferenceInstances: the instances of the inference passes during the fit (the
  ///     validation part, or the training part for a trace), run in chunks.
  ///   - tokens: the tokens of an instance in the encoder.
  /// - Throws: `MemoryError` naming the batch and the way out.
  /// - Complexity: O(1) arithmetic (and a read of the available memory above 64 MiB).
  public func checkMemory(instances: Int, inferenceInstances: Int, tokens: Int, width: Int, classes: Int) throws {
    let batch = min(max(batchSize ?? instances, 1), max(instances, 1))
    let step = passBytes(instances: batch, tokens: tokens, width: width, classes: classes, training: true)
    let chunk = min(inferenceChunk(tokens: tokens, width: width, classes: classes), inferenceInstances)
    let inference = passBytes(instances: chunk, tokens: tokens, width: width, classes: classes, training: false)
    try MemoryBudget.check(
      max(step, inference),
      for: "training the transformer on steps of \(batch) instances of \(tokens) tokens (\(heads) heads, \(blocks) block(s))",
      wayOut: "a smaller batch (--batch-size), fewer heads or blocks (--heads, --blocks), or fewer tokens per instance (--token-dim)")
  }
}

extension TransformerSettings {
  /// Refuses inference whose pass over one instance does not fit in memory
  /// (`MemoryBudget`); more instances run in chunks of ``inferenceChunk(tokens:width:classes:)``.
  ///
  /// - Throws: `MemoryError`.
  /// - Complexity: O(1).
  public func checkInferenceMemory(tokens: Int, width: Int, classes: Int) throws {
    try MemoryBudget.check(
      passBytes(instances: 1, tokens: tokens, width: width, classes: classes, training: false),
      for: "the transformer on one instance of \(tokens) tokens (\(heads) heads)",
      wayOut: "fewer tokens per instance")
  }
}

/// `pass` over `input` (whole instances of `rowsPerInstance` rows) in chunks of
/// `chunk` instances, the outputs stacked: one call when every instance fits in one chunk,
/// so small inputs compute exactly as one pass.
func chunked(
  _ input: Matrix<Double>, rowsPerInstance: Int, chunk: Int, _ pass: (Matrix<Double>) -> Matrix<Double>
) -> Matrix<Double> {
  let rowsPerChunk = max(chunk, 1) * max(rowsPerInstance, 1)
  guard input.rows > rowsPerChunk else { return pass(input) }
  var elements: [Double] = []
  var (rows, columns) = (0, 0)
  for first in stride(from: 0, to: input.rows, by: rowsPerChunk) {
    let part = pass(input.rows(first..<min(first + rowsPerChunk, input.rows)))
    elements += part.elements
    (rows, columns) = (rows + part.rows, part.columns)
  }
  return Matrix(rows: rows, columns: columns, elements: elements)
}
