import OTKitCore

/// Cross-entropy of integer labels against the rows of `logits` (a softmax over classes),
/// the weighted mean `sum_i w_{y_i} (-log softmax(z_i)_{y_i}) / sum_i w_{y_i}` (PyTorch's
/// convention); `classWeights` default to 1.
///
/// - Complexity: `O(rows * classes)`.
public func crossEntropy(logits: Tensor, labels: [Int], classWeights: [Double]? = nil) -> Tensor {
  precondition(labels.count == logits.rows, "\(labels.count) labels for \(logits.rows) rows")
  if let classWeights { precondition(classWeights.count == logits.columns, "\(classWeights.count) class weights for \(logits.columns) classes") }
  let logProbabilities = Kernels.softmaxRows(logits.value, log: true)
  var loss = 0.0, total = 0.0
  for (i, label) in labels.enumerated() {
    precondition(label >= 0 && label < logits.columns, "Label \(label) outside 0..<\(logits.columns)")
    let w = classWeights?[label] ?? 1
    loss -= w * logProbabilities[i, label]
    total += w
  }
  let value = Matrix<Double>(rows: 1, columns: 1, repeating: total > 0 ? loss / total : 0)
  return logits.graph.record(
    .crossEntropy(labels: labels, weights: classWeights, probabilities: logProbabilities.exp(), total: total),
    inputs: [logits], value: value)
}
