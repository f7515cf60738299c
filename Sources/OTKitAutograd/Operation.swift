import OTKitAttention
import OTKitCore
import OTKitTransport

/// The axis an operation reduces or joins along.
public enum Axis: Sendable, Equatable {
  /// Down the rows: a reduction gives one row (`1 x columns`); a concatenation stacks rows.
  case rows
  /// Across the columns: a reduction gives one column (`rows x 1`); a concatenation puts
  /// matrices side by side.
  case columns
  /// Every element: a reduction gives `1 x 1`.
  case all
}

/// An operation on the tape, with what its backward rule needs from the forward pass.
enum Operation {
  case constant
  case variable
  case add
  case subtract
  case multiply
  case divide
  case affine(scale: Double, shift: Double)
  case product(transposeA: Bool, transposeB: Bool)
  /// `x W + b` with the bias row broadcast; inputs x, W and optionally b.
  case linear
  case sum(Axis)
  case mean(Axis)
  case exp
  case log
  case sqrt
  case tanh
  case relu
  case gelu
  case sigmoid
  case softplus
  /// `|x|`, with the subgradient 0 at 0.
  case abs
  case square
  case softmax
  case logSoftmax
  case logSumExp
  case layerNorm(inverseDeviation: [Double])
  case dropout(mask: Matrix<Double>)
  case reshape
  case transpose
  case concatenate(Axis, sizes: [Int])
  case slice(rows: Range<Int>, columns: Range<Int>)
  case gatherRows([Int])
  case scatterRows([Int])
  case crossEntropy(labels: [Int], weights: [Double]?, probabilities: Matrix<Double>, total: Double)
  case attention(AttentionRecord)
  /// An attention anchor other than the softmax (sparsemax, entmax, Sinkhorn, orthostochastic).
  case anchor(AnchorRecord)
  /// Multi-head attention with an anchor other than the softmax, all blocks in one node.
  case anchoredAttention(AnchoredAttentionRecord)
  /// A soft sorting operator per row (``OTKitTransport/SoftSort``): the rows' outputs and
  /// their implicit-differentiation pullbacks.
  case softSort([SoftSort.Output])
  /// An optimal transport term or plan (OTKitTransport's solvers): its vector-Jacobian
  /// product, bound at the forward pass (``TransportLoss``).
  case transport(TransportPullback)
  /// An operation with no derivative (rounding, comparisons): a gradient reaching it is an
  /// error, never a silent zero.
  case nondifferentiable(String)

}

/// What the fused multi-head attention keeps for its backward pass.
struct AttentionRecord {
  var tokens: Int
  var heads: Int
  var keySize: Int
  var valueSize: Int
  var scale: Double
  /// The attention weights, `instances x heads x tokens x tokens`.
  var weights: [Double]
}
