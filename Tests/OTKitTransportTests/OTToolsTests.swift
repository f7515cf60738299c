import Foundation
import Testing
import OTKitCore
@testable import OTKitTransport

/// OTT-JAX's and POT's answers for the OT tools (`Resources/ot-tools.json`, written by
/// `scripts/reference/ot_tools.py`).
struct ToolsReference: Decodable, Sendable {
  struct Op: Decodable, Sendable {
    var values: [Double]
    var upstream: [Double]
    var gradient: [Double]
  }
  struct Soft: Decodable, Sendable, CustomStringConvertible {
    var n: Int
    var epsilon: Double
    var x: [Double]
    var ops: [String: Op]
    var description: String { "n \(n), ε \(epsilon)" }
  }
  struct Sliced: Decodable, Sendable {
    var x: [[Double]]
    var y: [[Double]]
    var a: [Double]
    var b: [Double]
    var directions: [[Double]]
    var p: Double
    var distance: Double
  }
  struct Fixed: Decodable, Sendable {
    var histograms: [[Double]]
    var cost: [[Double]]
    var epsilon: Double
    var lambdas: [Double]
    var barycenter: [Double]
  }
  struct Free: Decodable, Sendable {
    var clouds: [[[Double]]]
    var start: [[Double]]
    var barycenter: [[Double]]
  }
  struct Barycenters: Decodable, Sendable {
    var fixed: Fixed
    var free: Free
  }
  var softSort: [Soft]
  var sliced: [Sliced]
  var barycenters: Barycenters

  static let loaded: ToolsReference? = {
    let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
      .map { $0.appendingPathComponent("Resources/ot-tools.json") }
    guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }),
      let data = try? Data(contentsOf: url)
    else { return nil }
    return try? JSONDecoder().decode(ToolsReference.self, from: data)
  }()
}

func matrix(_ rows: [[Double]]) -> Matrix<Double> { Matrix(rows: rows.count, columns: rows[0].count, elements: rows.flatMap { $0 }) }

@Suite("OT tools: soft sorting, sliced Wasserstein, barycenters, the entropic map")
struct OTToolsTests {
  @Test("The references are there")
  func present() throws {
    let reference = try #require(ToolsReference.loaded)
    #expect(reference.softSort.count == 3 && reference.sliced.count == 2)
  }

  @Test("OTT-JAX's soft sort, ranks, top-k mask and quantiles, and their gradients, to 1e-6", arguments: ToolsReference.loaded?.softSort ?? [])
  func softSort(reference: ToolsReference.Soft) throws {
    let tool = SoftSort(epsilon: reference.epsilon)
    #expect(reference.ops.count == 6)
    for (name, op) in reference.ops {
      let output: SoftSort.Output =
        switch name {
        case "sort": try tool.sort(reference.x)
        case "sortTopk3": try tool.sort(reference.x, topk: 3)
        case "sortTargets5": try tool.sort(reference.x, targets: 5)
        case "ranks": try tool.ranks(reference.x)
        case "topkMask3": try tool.topkMask(reference.x, k: 3)
        default: try tool.quantiles(reference.x, levels: [0.2, 0.5, 0.8])
        }
      #expect(output.status == .converged, "\(name)")
      let gap = zip(output.values, op.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
      #expect(output.values.count == op.values.count && gap < 1e-6, "\(name): values differ by \(gap)")
      let gradient = output.pullback(op.upstream)
      let gradientGap = zip(gradient, op.gradient).reduce(0) { max($0, abs($1.0 - $1.1)) }
      let scale = op.gradient.reduce(0) { max($0, abs($1)) }
      #expect(gradientGap < 1e-6 * max(1, scale), "\(name): gradients differ by \(gradientGap) (largest \(scale))")
    }
  }

  @Test("Soft sorting tends to sorting as epsilon falls; the pullback matches finite differences")
  func softSortLimits() throws {
    let x = [0.3, -1.2, 2.5, 0.9, -0.4, 1.7]
    let sorted = try SoftSort(epsilon: 1e-4, squashing: .identity).sort(x)
    #expect(zip(sorted.values, x.sorted()).allSatisfy { abs($0 - $1) < 1e-3 })
    let tool = SoftSort(epsilon: 0.05)
    let w = [0.5, -1, 2, 0.3, 1, -0.7]
    let output = try tool.ranks(x)
    let gradient = output.pullback(w)
    for k in x.indices {
      var plus = x, minus = x
      plus[k] += 1e-6
      minus[k] -= 1e-6
      let fp = try tool.ranks(plus).values, fm = try tool.ranks(minus).values
      let numeric = zip(w, zip(fp, fm)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } / 2e-6
      #expect(abs(numeric - gradient[k]) < 1e-5 * max(1, abs(numeric)), "input \(k): \(numeric) vs \(gradient[k])")
    }
  }

  @Test("POT's sliced_wasserstein_distance with given projections, to 1e-10")
  func sliced() throws {
    let reference = try #require(ToolsReference.loaded)
    for c in reference.sliced {
      let r = try SlicedWasserstein.distance(
        matrix(c.x), matrix(c.y), sourceWeights: c.a, targetWeights: c.b, directions: matrix(c.directions), p: c.p, rescale: true)
      #expect(abs(r.distance - c.distance) < 1e-10, "\(r.distance) vs \(c.distance)")
    }
    // One direction in 1-D is the exact W_p.
    let x = Matrix<Double>(rows: 4, columns: 1, elements: [0, 1, 3, 7]), y = Matrix<Double>(rows: 4, columns: 1, elements: [2, 2, 5, 6])
    let one = try SlicedWasserstein.distance(x, y, directions: Matrix(rows: 1, columns: 1, elements: [1]), p: 1)
    let exact = try OT.solve(TransportProblem(source: x, target: y, cost: .euclidean))
    #expect(abs(one.distance - exact.cost) < 1e-12)
    #expect(SlicedWasserstein.randomDirections(count: 5, dimension: 3, seed: 1).rows == 5)
  }

  @Test("POT's fixed-support barycenter (sinkhorn_log) to 1e-6 and free-support barycenter to 1e-6")
  func barycenters() throws {
    let reference = try #require(ToolsReference.loaded)
    let fixed = reference.barycenters.fixed
    let r = Barycenter.fixedSupport(fixed.histograms, cost: matrix(fixed.cost), epsilon: fixed.epsilon, lambdas: fixed.lambdas, tolerance: 1e-12)
    #expect(r.status == .converged)
    let gap = zip(r.weights, fixed.barycenter).reduce(0) { max($0, abs($1.0 - $1.1)) }
    #expect(gap < 1e-6, "fixed support differs by \(gap)")
    let free = reference.barycenters.free
    let f = try Barycenter.freeSupport(free.clouds.map { (matrix($0), nil) }, start: matrix(free.start), tolerance: 1e-9)
    #expect(f.status == .converged)
    let freeGap = zip(f.points!.elements, matrix(free.barycenter).elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
    #expect(freeGap < 1e-6, "free support differs by \(freeGap)")
  }

  @Test("The entropic map at the source points is the plan's barycentric projection; it moves new points toward the target")
  func entropicMap() throws {
    var rng = SeededGenerator(seed: 4)
    let x: Matrix<Double> = rng.normalMatrix(rows: 30, columns: 2)
    let y: Matrix<Double> = rng.normalMatrix(rows: 25, columns: 2, mean: 3, standardDeviation: 0.5)
    let problem = try TransportProblem(source: x, target: y)
    let result = Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-12).solve(problem)
    let mapped = result.transport(x, target: y)
    let plan = result.densePlan()
    for i in 0..<30 {
      for c in 0..<2 {
        let projection = (0..<25).reduce(0) { $0 + plan[i, $1] * y[$1, c] } * 30
        #expect(abs(mapped[i, c] - projection) < 1e-8)
      }
    }
    let fresh = result.transport(Matrix(rows: 1, columns: 2, elements: [0.1, -0.2]), target: y)
    #expect(fresh[0, 0] > 2 && fresh[0, 1] > 2)
  }
}
