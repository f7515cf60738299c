import OTKitCore

/// The cost of moving a unit of mass from `x` to `y`: the serializable choice of a
/// ``CostFunction`` (the command line's `--cost`).
///
/// Each case names one cost function type (``function``), which holds the math; a new cost
/// is one file with a ``CostFunction`` and one case here.
public enum GroundCost: Sendable, CustomStringConvertible {
  /// `|x - y|_2^2`, the default (the `W_2` cost): ``SquaredEuclidean``.
  case squaredEuclidean
  /// `|x - y|_2`: ``Euclidean``.
  case euclidean
  /// `|x - y|_p^q` for `p >= 1`, `q > 0` (`p = 1, q = 1`: Manhattan): ``Minkowski``.
  case minkowski(p: Double, q: Double)
  /// `1 - cos(x, y)`: ``Cosine``.
  case cosine
  /// A user-supplied cost of two points (rows of the source and target), which must return
  /// finite values: ``CustomCost``.
  case custom(name: String, @Sendable (ArraySlice<Double>, ArraySlice<Double>) -> Double)

  /// The cost function of this case.
  public var function: any CostFunction {
    switch self {
    case .squaredEuclidean: SquaredEuclidean()
    case .euclidean: Euclidean()
    case .minkowski(let p, let q): Minkowski(p: p, q: q)
    case .cosine: Cosine()
    case .custom(let name, let f): CustomCost(name: name, f)
    }
  }

  public var description: String { function.description }

  /// Whether the 1-D solver takes this cost: a function `h(x - y)` of the difference (a
  /// custom cost is read as `h(t) = c(t, 0)`). Not the cosine distance.
  public var hasOneDimensionalSolver: Bool {
    if case .cosine = self { return false }
    return true
  }

  /// The `n x m` cost matrix between the rows of `x` and `y`.
  ///
  /// - Complexity: `O(n m d)`.
  public func matrix(_ x: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
    precondition(x.columns == y.columns, "point dimensions \(x.columns) and \(y.columns) differ")
    return function.matrix(x, y)
  }

  /// The names of the built-in costs, as the command line takes them (`--cost NAME`).
  public static let names = ["sqeuclidean", "euclidean", "cosine", "minkowski"]

  /// The command-line name of this cost (a custom cost's own name).
  public var name: String {
    switch self {
    case .squaredEuclidean: "sqeuclidean"
    case .euclidean: "euclidean"
    case .cosine: "cosine"
    case .minkowski: "minkowski"
    case .custom(let name, _): name
    }
  }

  /// The built-in cost of a name (``names``; `squared` is taken for `sqeuclidean`); `p` is
  /// the exponent of `minkowski` (`|x - y|_p`).
  public init?(name: String, p: Double = 1) {
    switch name {
    case "sqeuclidean", "squared": self = .squaredEuclidean
    case "euclidean": self = .euclidean
    case "cosine": self = .cosine
    case "minkowski": self = .minkowski(p: p, q: 1)
    default: return nil
    }
  }
}
