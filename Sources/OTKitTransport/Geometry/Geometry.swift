import OTKitCore

/// Where the costs of a transport problem come from (OTT-JAX's geometry layer): a cost
/// matrix given outright, or two point clouds and a ground cost.
///
/// Solvers ask a geometry for what they need and nothing more: the exact solvers read the
/// cost matrix (built once, on first use, and shared by copies), the 1-D solver reads the
/// points, the entropic solvers stream rows of costs from the points when the matrix would
/// be too large (``PointCloud/costFunction``).
public protocol Geometry: Sendable {
  /// The number of source points (rows of the cost matrix).
  var n: Int { get }
  /// The number of target points (columns).
  var m: Int { get }
  /// The `n x m` cost matrix.
  var costMatrix: Matrix<Double> { get }
  /// Whether ``costMatrix`` is already stored (given, or built by an earlier use).
  var hasCostMatrix: Bool { get }
  /// The cost between source point `i` and target point `j`, without building the matrix.
  func cost(_ i: Int, _ j: Int) -> Double
}

/// A geometry given by its cost matrix.
public struct CostMatrix: Geometry {
  public let costMatrix: Matrix<Double>

  public init(_ matrix: Matrix<Double>) { costMatrix = matrix }

  public var n: Int { costMatrix.rows }
  public var m: Int { costMatrix.columns }
  public var hasCostMatrix: Bool { true }
  public func cost(_ i: Int, _ j: Int) -> Double { costMatrix[i, j] }
}

/// Two point clouds (rows are points) and a ground cost; the cost matrix is built on first
/// use, once, and shared by copies.
public struct PointCloud: Geometry {
  /// The source points (`n x d`).
  public let source: Matrix<Double>
  /// The target points (`m x d`).
  public let target: Matrix<Double>
  /// The ground cost.
  public let groundCost: GroundCost
  /// The cost function of ``groundCost`` (made once: pair costs are read per plan entry).
  public let costFunction: any CostFunction
  let cache: CostCache

  /// - Precondition: both clouds have the same dimension (``TransportProblem`` checks it
  ///   and throws first).
  public init(source: Matrix<Double>, target: Matrix<Double>, cost: GroundCost = .squaredEuclidean) {
    precondition(source.columns == target.columns, "point dimensions \(source.columns) and \(target.columns) differ")
    self.source = source
    self.target = target
    self.groundCost = cost
    self.costFunction = cost.function
    self.cache = CostCache()
  }

  public var n: Int { source.rows }
  public var m: Int { target.rows }
  /// The dimension of the points.
  public var dimension: Int { source.columns }

  public var costMatrix: Matrix<Double> { cache.matrix { costFunction.matrix(source, target) } }
  public var hasCostMatrix: Bool { cache.isBuilt }

  public func cost(_ i: Int, _ j: Int) -> Double {
    if let built = cache.built { return built[i, j] }
    let d = dimension
    return costFunction.cost(source.elements[i * d..<(i + 1) * d], target.elements[j * d..<(j + 1) * d])
  }
}

/// The lazily built cost matrix of a point cloud, shared by its copies.
final class CostCache: Sendable {
  private let storage: Locked<Matrix<Double>?>

  init(_ matrix: Matrix<Double>? = nil) {
    storage = Locked(matrix)
  }

  var isBuilt: Bool { storage.withLock { $0 != nil } }
  var built: Matrix<Double>? { storage.withLock { $0 } }

  func matrix(_ build: () -> Matrix<Double>) -> Matrix<Double> {
    if let built { return built }
    let matrix = build()
    storage.withLock { $0 = matrix }
    return matrix
  }
}
