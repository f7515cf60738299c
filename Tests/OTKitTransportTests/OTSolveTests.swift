import Foundation
import OTKitCore
import Testing

@testable import OTKitTransport

@Suite("OT.solve and the geometry layer")
struct OTSolveTests {
  static func clouds(n: Int, m: Int, d: Int, seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
    var rng = SeededGenerator(seed: seed)
    let x: Matrix<Double> = rng.normalMatrix(rows: n, columns: d)
    let y: Matrix<Double> = rng.normalMatrix(rows: m, columns: d, mean: 0.5, standardDeviation: 1)
    return (x, y)
  }

  @Test("Every method through OT.solve: the solver's own result, its method and status", arguments: TransportMethod.allCases)
  func everyMethod(method: TransportMethod) throws {
    let (x, y) = Self.clouds(n: 30, m: 30, d: method == .oneDimensional ? 1 : 3, seed: 7)
    let problem = try TransportProblem(source: x, target: y)
    let options = SolveOptions(
      epsilon: method.isEntropic ? .relative(0.05, to: .max) : nil, tolerance: 1e-9, gamma: method.isSmooth ? 1 : nil,
      maxNonZeros: method == .sparse ? 30 : nil)
    let solution = try OT.solve(problem, method: method, options: options)
    let expectedMethod = method == .auto ? TransportMethod.assignment : method
    #expect(solution.method == expectedMethod)
    #expect(solution.status.isSuccess, "\(solution.summary)")
    // The same numbers as calling the solver directly.
    let direct: any TransportSolution =
      switch expectedMethod {
      case .exact, .auto: NetworkSimplex().solve(problem)
      case .assignment: try AssignmentSolver().solve(problem)
      case .oneDimensional: try OneDimensionalTransport().solve(problem)
      case .sinkhorn: Sinkhorn(epsilon: .relative(0.05, to: .max), tolerance: 1e-9).solve(problem)
      case .sns: SinkhornNewtonSparse(epsilon: .relative(0.05, to: .max), tolerance: 1e-9).solve(problem)
      case .quadratic: SmoothTransport(regularizer: .squaredL2(gamma: 1)).solve(problem)
      case .sparse: SmoothTransport(regularizer: .sparse(gamma: 1, maxNonZeros: 30)).solve(problem)
      case .entropicLBFGS: SmoothTransport(regularizer: .negentropy(gamma: 1)).solve(problem)
      }
    #expect(solution.cost == direct.cost)
    #expect(solution.densePlan().rowSums().enumerated().allSatisfy { abs($1 - problem.sourceWeights[$0]) < 1e-8 })
    #expect(solution.applyPlan([Double](repeating: 1, count: 30)).count == 30)
    #expect(solution.sourcePotential.count == 30 && solution.targetPotential.count == 30)
    #expect(solution.errorHistory.isEmpty == !expectedMethod.isEntropic)
  }

  @Test("auto chooses as the command line always did")
  func autoChoice() throws {
    let (x, y) = Self.clouds(n: 10, m: 12, d: 2, seed: 1)
    #expect(OT.chooseMethod(for: try TransportProblem(source: x, target: y)) == .exact)
    #expect(OT.chooseMethod(for: try TransportProblem(source: x, target: y.rows(0..<10))) == .assignment)
    #expect(OT.chooseMethod(for: try TransportProblem(source: x.columns(0..<1), target: y.columns(0..<1))) == .oneDimensional)
    #expect(OT.chooseMethod(for: try TransportProblem(source: x.columns(0..<1), target: y.columns(0..<1), cost: .cosine)) == .exact)
    #expect(OT.chooseMethod(for: try TransportProblem(source: x, target: y), epsilon: .absolute(1)) == .sinkhorn)
    #expect(OT.chooseMethod(for: try TransportProblem(cost: Matrix(rows: 2, columns: 2, elements: [0, 1, 1, 0]))) == .assignment)
  }

  @Test("Settings that do not fit the method are typed errors")
  func settingErrors() throws {
    let (x, y) = Self.clouds(n: 5, m: 5, d: 2, seed: 2)
    let problem = try TransportProblem(source: x, target: y)
    #expect(throws: SolveError.missingEpsilon(.sinkhorn)) { try OT.solve(problem, method: .sinkhorn) }
    #expect(throws: SolveError.missingEpsilon(.sns)) { try OT.solve(problem, method: .sns) }
    #expect(throws: SolveError.unsupportedSetting("useFloat", method: .sns)) {
      try OT.solve(problem, method: .sns, options: SolveOptions(epsilon: .absolute(1), useFloat: true))
    }
    #expect(throws: TransportProblemError.self) { try OT.solve(problem, method: .oneDimensional) }
    let line = try TransportProblem(source: x.columns(0..<1), target: y.columns(0..<1), cost: .cosine)
    #expect(throws: TransportProblemError.unsupportedCost(method: "1-D", cost: "cosine")) { try OneDimensionalTransport().solve(line) }
  }

  @Test("Results, problems and divergences print one line, never their matrices")
  func conciseDescriptions() throws {
    let (x, y) = Self.clouds(n: 300, m: 300, d: 4, seed: 3)
    let problem = try TransportProblem(source: x, target: y)
    let sinkhorn = Sinkhorn(epsilon: .relative(0.05, to: .max))
    let texts = [
      "\(try OT.solve(problem))", "\(sinkhorn.solve(problem))", "\(try sinkhorn.divergence(x, y))", "\(problem)",
    ]
    for text in texts {
      #expect(text.count < 400 && !text.contains("\n"), "\(text.prefix(500))")
    }
    #expect(texts[1].contains("converged") && texts[1].contains("epsilon"))
  }

  @Test("Each cost function: pairs, rows and matrices agree with the formula", arguments: [
    GroundCost.squaredEuclidean, .euclidean, .cosine, .minkowski(p: 1, q: 1), .minkowski(p: 3, q: 1), .minkowski(p: 2.5, q: 2),
  ])
  func costFunctions(cost: GroundCost) throws {
    let (x, y) = Self.clouds(n: 7, m: 9, d: 6, seed: 4)
    func formula(_ a: [Double], _ b: [Double]) -> Double {
      switch cost {
      case .squaredEuclidean: return zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      case .euclidean: return zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      case .cosine:
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        return 1 - dot / (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
      case .minkowski(let p, let q): return pow(zip(a, b).reduce(0) { $0 + pow(abs($1.0 - $1.1), p) }, q / p)
      case .custom: return .nan
      }
    }
    let matrix = cost.matrix(x, y)
    let cloud = PointCloud(source: x, target: y, cost: cost)
    var row = [Float](repeating: 0, count: 9)
    for i in 0..<7 {
      row.withUnsafeMutableBufferPointer { cost.function.fillRow(i, of: Matrix<Float>(x), against: Matrix<Float>(y.transposed()), into: $0) }
      for j in 0..<9 {
        let expected = formula(x.row(i), y.row(j))
        #expect(abs(matrix[i, j] - expected) <= 1e-12 * max(1, expected))
        #expect(abs(cloud.cost(i, j) - expected) <= 1e-12 * max(1, expected))
        #expect(abs(Double(row[j]) - expected) <= 1e-4 * max(1, expected))
      }
    }
  }

  @Test("Cosine of a zero vector is 1, and no NaN reaches a solver")
  func cosineZero() throws {
    let x = Matrix<Double>(rows: 2, columns: 2, elements: [0, 0, 1, 0])
    let y = Matrix<Double>(rows: 2, columns: 2, elements: [0, 1, 1, 0])
    let c = GroundCost.cosine.matrix(x, y)
    #expect(c.elements == [1, 1, 1, 0])
    #expect(try OT.solve(source: x, target: y, cost: .cosine).cost == 0.5)
  }

  @Test("Online and stored costs give the same Sinkhorn solution for every cost", arguments: [GroundCost.cosine, .minkowski(p: 1, q: 1), .euclidean])
  func onlineMatchesDense(cost: GroundCost) throws {
    let (x, y) = Self.clouds(n: 40, m: 50, d: 3, seed: 5)
    let problem = try TransportProblem(source: x, target: y, cost: cost)
    let dense = Sinkhorn(epsilon: .relative(0.05, to: .max), tolerance: 1e-10, online: false).solve(problem)
    let online = Sinkhorn(epsilon: .relative(0.05, to: .max), tolerance: 1e-10, online: true).solve(problem)
    #expect(dense.status == .converged && online.status == .converged && online.online)
    #expect(abs(dense.cost - online.cost) <= 1e-9 * dense.cost)
  }

  @Test("A geometry given directly: the problem keeps it and validates its costs")
  func geometry() throws {
    let (x, y) = Self.clouds(n: 4, m: 4, d: 2, seed: 6)
    let cloud = PointCloud(source: x, target: y, cost: .euclidean)
    let problem = try TransportProblem(geometry: cloud)
    #expect(problem.pointCloud != nil && problem.groundCost?.description == "euclidean")
    #expect(!problem.hasCostMatrix)
    let fromMatrix = try TransportProblem(geometry: CostMatrix(cloud.costMatrix))
    #expect(try OT.solve(fromMatrix).cost == (try OT.solve(problem).cost))
    #expect(throws: TransportProblemError.nonFiniteCost(row: 0, column: 1, value: .infinity)) {
      try TransportProblem(geometry: CostMatrix(Matrix(rows: 1, columns: 2, elements: [0, .infinity])))
    }
  }
}

@Suite("TransportReport: the command line's JSON as a library value")
struct TransportReportTests {
  static func keys(_ report: TransportReport) throws -> [String: Any] {
    let data = try JSONEncoder().encode(report)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("Exact and entropic reports encode the documented keys with Foundation's JSONEncoder")
  func encodes() throws {
    let (x, y) = OTSolveTests.clouds(n: 6, m: 6, d: 2, seed: 8)
    let problem = try TransportProblem(source: x, target: y)
    let exact = try Self.keys(TransportReport(try OT.solve(problem), problem: problem, seconds: 0.5))
    #expect(Set(exact.keys) == ["cost", "method", "status", "iterations", "marginalError", "seconds", "n", "m", "groundCost", "nonZeros", "certificate"])
    #expect(exact["method"] as? String == "assignment" && exact["status"] as? String == "optimal")
    #expect(Set((exact["certificate"] as? [String: Any] ?? [:]).keys) == ["holds", "minimumReducedCost", "complementarySlackness", "dualityGap", "tolerance"])
    let entropicSolution = try OT.solve(problem, method: .sns, options: SolveOptions(epsilon: .absolute(0.5)))
    let entropic = try Self.keys(TransportReport(entropicSolution, problem: problem, seconds: 0.5, tolerance: 1e-9))
    #expect(Set(entropic.keys) == [
      "cost", "method", "status", "iterations", "marginalError", "seconds", "n", "m", "groundCost", "epsilon",
      "regularizedCost", "dualObjective", "precision", "online", "errorHistory", "tolerance", "toleranceNorm",
    ])
    #expect(entropic["toleranceNorm"] as? String == "l1-relative-to-mass" && entropic["method"] as? String == "sns")
  }

  @Test("Non-finite numbers encode as null, never as an encoding error")
  func nonFinite() throws {
    let problem = try TransportProblem(cost: Matrix(rows: 1, columns: 1, elements: [1]))
    var report = TransportReport(try OT.solve(problem), problem: problem, seconds: .infinity)
    report.cost = .nan
    let json = try Self.keys(report)
    #expect(json["cost"] is NSNull && json["seconds"] is NSNull)
    #expect(json["groundCost"] as? String == "matrix")
  }

  @Test("Each method-specific setting is taken by the methods whose solver lists it")
  func settingsTable() {
    #expect(SolveOptions.methods(taking: "epsilon") == [.sinkhorn, .sns])
    #expect(SolveOptions.methods(taking: "useFloat") == [.sinkhorn, .quadratic, .sparse, .entropicLBFGS])
    for setting in ["epsilonScaling", "acceleration", "penalties"] {
      #expect(SolveOptions.methods(taking: setting) == [.sinkhorn])
    }
    #expect(SolveOptions.methods(taking: "gamma") == [.quadratic, .sparse, .entropicLBFGS])
    #expect(SolveOptions.methods(taking: "maxNonZeros") == [.sparse])
    #expect(SolveOptions.methods(taking: "tolerance") == TransportMethod.allCases)
    for method in TransportMethod.allCases where method != .auto {
      #expect(method.solverType.settings(for: method).isSubset(of: SolveOptions.restrictedSettings), "\(method)")
    }
  }
}
