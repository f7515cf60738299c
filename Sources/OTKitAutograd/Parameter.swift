import OTKitCore

/// A trainable matrix: its value, the gradient accumulated by backward passes, and whether
/// it is trainable (a frozen parameter gets no gradient and optimizers skip it).
public final class Parameter {
  /// The current value.
  public var value: Matrix<Double>
  /// The gradient summed over backward passes since the last ``zeroGradient()``.
  public var gradient: Matrix<Double>
  /// Whether gradients flow to this parameter and optimizers update it.
  public var isTrainable: Bool

  public init(_ value: Matrix<Double>, trainable: Bool = true) {
    self.value = value
    self.gradient = Matrix(rows: value.rows, columns: value.columns)
    self.isTrainable = trainable
  }

  /// Sets the gradient to zero.
  public func zeroGradient() {
    gradient = Matrix(rows: value.rows, columns: value.columns)
  }

  func accumulate(_ g: Matrix<Double>) {
    gradient += g
  }
}
