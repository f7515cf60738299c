import OTKitAutograd
import OTKitCore

/// Trains a student classifier from a frozen teacher's logits (knowledge distillation, G.
/// Hinton, O. Vinyals and J. Dean, 2015; SinKD's total loss, X. Cui et al., LREC-COLING
/// 2024): `alpha · divergence(p_t, p_s; T_e) + (1 - alpha) · CE(labels) + beta · SinKD`, the
/// temperature `T_e` linear over the epochs (SinKD's `DistillKL_anneal`, 3 to 1). With no
/// divergence and no Sinkhorn term it is plain cross-entropy training.
public struct Distillation: Sendable, Codable, Equatable {
  /// The divergence term (`nil`: none, the cross-entropy weighs 1).
  public var divergence: DistillationDivergence? = .kl
  /// The divergence's weight; the cross-entropy's is `1 - alpha`.
  public var alpha = 0.8
  /// SinKD's batch-wise term (`nil`: none).
  public var sinkhorn: SinkhornDistillation?
  /// The Sinkhorn term's weight.
  public var beta = 0.8
  /// The divergence's temperature at the first and at the last epoch.
  public var startTemperature = 3.0
  public var endTemperature = 1.0

  public init(divergence: DistillationDivergence? = .kl, sinkhorn: SinkhornDistillation? = nil) {
    (self.divergence, self.sinkhorn) = (divergence, sinkhorn)
  }

  /// The divergence's temperature at a 0-based epoch of `epochs`.
  public func temperature(epoch: Int, of epochs: Int) -> Double {
    startTemperature + (endTemperature - startTemperature) * Double(epoch) / Double(max(epochs - 1, 1))
  }

  /// The loss of a batch of student logits against the teacher's logits and the labels.
  public func loss(student logits: Tensor, teacher: Matrix<Double>, labels: [Int], temperature: Double) -> Tensor {
    var loss = crossEntropy(logits: logits, labels: labels) * (divergence == nil ? 1 : 1 - alpha)
    if let divergence { loss = loss + divergence(student: logits, teacher: teacher, temperature: temperature) * alpha }
    if let sinkhorn { loss = loss + sinkhorn(student: logits, teacher: teacher) * beta }
    return loss
  }

  /// Fits `student` on `inputs` with the teacher's logits of the same rows, early stopping on
  /// the validation cross-entropy when `validation` is given.
  ///
  /// - Throws: `AutogradError` from the backward pass.
  /// - Complexity: the configuration's epochs of the student's forward and backward passes,
  ///   plus `O(iterations · B²)` per step for the Sinkhorn term.
  public func fit(
    _ student: some Layer, optimizer: some Optimizer, inputs: Matrix<Double>, teacher: Matrix<Double>, labels: [Int],
    validation: (inputs: Matrix<Double>, labels: [Int])? = nil, configuration: TrainingConfiguration,
    onEpoch: ((EpochRecord) -> Void)? = nil
  ) throws -> TrainingHistory {
    precondition(inputs.rows == labels.count && teacher.rows == inputs.rows, "One label and one teacher row per input row")
    var epoch = 0
    let validate: (() -> (loss: Double, accuracy: Double?))? = validation.map { v in
      {
        let logits = student(Graph.inference().constant(v.inputs))
        let right = correctPredictions(logits.value, v.labels)
        return (crossEntropy(logits: logits, labels: v.labels).scalar, v.labels.isEmpty ? nil : Double(right) / Double(v.labels.count))
      }
    }
    return try Trainer(configuration).fit(
      student, optimizer: optimizer, count: inputs.rows,
      step: { graph, indices in
        let logits = student(graph.constant(inputs.rows(at: indices)))
        let y = indices.map { labels[$0] }
        let right = correctPredictions(logits.value, y)
        let t = temperature(epoch: epoch, of: configuration.epochs)
        return StepResult(loss: loss(student: logits, teacher: teacher.rows(at: indices), labels: y, temperature: t), correct: (right, y.count))
      }, validate: validate,
      onEpoch: { record in
        epoch = record.epoch + 1
        onEpoch?(record)
      })
  }
}
