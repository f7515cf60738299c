import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitAutograd
import OTKitNeural
import OTKitTransport

/// How an ``OTClassifier`` is built and trained.
public struct OTClassifierSettings: Sendable, Equatable, Codable {
  /// Where the dummy class Gaussians sit (ignored when ``dummies`` is given): the study's
  /// circle up to 3 classes, a regular simplex beyond (on BEED 4-class the simplex gives
  /// 0.966 test accuracy where the circle, a square, gives 0.954).
  public var dummyPlacement: DummyPlacement = .automatic
  /// User-given dummy classes (means and covariances in the data's dimension).
  public var dummies: ClassGaussians? = nil
  /// Instances per assignment batch (`B`; the study used 50 on EEG); `nil`: all at once.
  public var assignmentBatchSize: Int? = nil
  /// The hidden widths of the map `T_theta` (the study's 32-32 reaches 0.92 on BEED
  /// 4-class; 64-64 reaches 0.966 in the same time budget).
  public var hidden: [Int] = [64, 64]
  public var epochs: Int = 200
  /// Adam's learning rate.
  public var learningRate: Double = 1e-2
  /// Points per step as a share of the training pairs (the study's `n / 10`).
  public var batchFraction: Double = 0.1
  /// The stratified share of training instances whose pairs monitor early stopping.
  public var validationFraction: Double = 0.1
  public var patience: Int = 10
  public var seed: UInt64 = 0
  /// The entropic Monge gap of the map as a regularizer (`nil`: the study's regression alone).
  public var mongeGap: MongeGapPenalty? = nil

  public init() {}

  /// The keys of model files (`config.json`), kept from 0.2: the dummy placement is written
  /// as `placement`, the assignment batch size as `batchInstances`.
  enum CodingKeys: String, CodingKey {
    case dummyPlacement = "placement"
    case dummies
    case assignmentBatchSize = "batchInstances"
    case hidden, epochs, learningRate, batchFraction, validationFraction, patience, seed, mongeGap
  }
}

/// The entropic Monge gap of the OT classifier's map `T_theta` on each step's points, added
/// to the regression loss with a weight (A. Uscidda and M. Cuturi, ICML 2023; spec
/// `ot-training-signals.md` §1): it pulls `T_theta` towards a map that is optimal from the
/// data to its own image, between the assignment targets the regression fits.
public struct MongeGapPenalty: Sendable, Equatable, Codable {
  /// `lambda`, the gap's weight beside the mean squared error.
  public var weight: Double
  /// The gap is taken on the first `points` of each step's (shuffled) points.
  public var points: Int = 64
  /// Sinkhorn's epsilon as a share of the mean squared Euclidean cost between the training
  /// points and their targets (OTT's 0.01), resolved once per fit.
  public var epsilon: Double = 0.01
  /// The gap's cost.
  public var cost: GroundCost = .squaredEuclidean

  public init(weight: Double, points: Int = 64, epsilon: Double = 0.01, cost: GroundCost = .squaredEuclidean) {
    (self.weight, self.points, self.epsilon, self.cost) = (weight, points, epsilon, cost)
  }

  /// Every field in range (a weight of 0 turns the gap off).
  public func validate() throws {
    guard weight.isFinite, weight >= 0 else { throw TabularModelError("the Monge gap's weight must be finite and at least 0, not \(weight)") }
    guard points >= 2 else { throw TabularModelError("the Monge gap needs at least 2 points per step, not \(points)") }
    guard epsilon.isFinite, epsilon > 0 else { throw TabularModelError("the Monge gap's epsilon must be positive, not \(epsilon)") }
  }
}

/// The OT classifier of the study (A. Candelieri and A. Quadrio, arXiv 2512.09530, section 6): real points
/// are matched to draws of dummy class Gaussians by exact optimal assignment, class by
/// class, and an MLP `T_theta: R^d -> R^d` learns the matching; a point is classified by
/// its image's distance to the dummy means, an instance by the product of its tokens'
/// scores.
///
/// It fixes the two defects of the study's code: new data is standardized with the training
/// statistics, and instance scores multiply token scores (sum of log-scores) instead of
/// adding them.
///
/// - Complexity: fitting solves one assignment of `n_c T` points per class and batch,
///   `O((n_c T)^3)` in the worst case, then trains the MLP.
public final class OTClassifier {
  public var settings: OTClassifierSettings
  public private(set) var map: MLP?
  public private(set) var dummies: ClassGaussians?
  /// The standardization, classes and token layout of the training data.
  public private(set) var layout: FittedLayout?
  /// The training pairs of the last fit: standardized real points and their dummy targets.
  public private(set) var trainingPairs: (inputs: Matrix<Double>, targets: Matrix<Double>)?

  public init(settings: OTClassifierSettings = .init()) {
    self.settings = settings
  }

  /// Fits the classifier on sequence data.
  @discardableResult
  public func fit(_ data: SequenceData, showsProgress: Bool = false, onEpoch: ((EpochRecord) -> Void)? = nil) throws -> TrainingHistory {
    guard data.instances > 0 else { throw TabularModelError("no training instances") }
    let d = data.dimension, k = data.classCount
    let dummies = try settings.dummies ?? ClassGaussians.dummies(classes: k, dimension: d, placement: settings.dummyPlacement)
    guard dummies.classes == k, dummies.dimension == d else {
      throw TabularModelError("the dummy classes are \(dummies.classes) Gaussians in R^\(dummies.dimension), the data has \(k) classes in R^\(d)")
    }
    try dummies.validate()
    let scaler = Standardizer(fitting: data.points)
    let x = try data.standardized(scaler)
    var generator = SeededGenerator(seed: settings.seed &+ 3)
    let (fitPart, validationPart) = x.validationSplit(fraction: settings.validationFraction, generator: &generator)
    let pairs = try Self.pairs(fitPart, dummies: dummies, assignmentBatchSize: settings.assignmentBatchSize, generator: &generator)
    let validation = try validationPart.map { try Self.pairs($0, dummies: dummies, assignmentBatchSize: settings.assignmentBatchSize, generator: &generator) }

    var initGenerator = SeededGenerator(seed: settings.seed)
    let map = MLP(sizes: [d] + settings.hidden + [d], activation: .relu, generator: &initGenerator)
    let config = TrainingConfiguration(
      epochs: settings.epochs, batchSize: max(1, Int((Double(pairs.inputs.rows) * settings.batchFraction).rounded())),
      patience: settings.patience, seed: settings.seed &+ 1, showsProgress: showsProgress)
    let count = pairs.inputs.rows
    let gap = try settings.mongeGap.map { try GapTerm($0, pairs: pairs) }.flatMap { $0.penalty.weight > 0 ? $0 : nil }
    var gapError: Error?
    let history = try Trainer(config).fit(
      map, optimizer: Adam(learningRate: settings.learningRate), count: count,
      step: { graph, indices in
        let full = indices.count == count
        let input = graph.constant(full ? pairs.inputs : pairs.inputs.rows(at: indices))
        let target = graph.constant(full ? pairs.targets : pairs.targets.rows(at: indices))
        let loss = meanSquaredError(map(input), target)
        guard let gap, gapError == nil else { return StepResult(loss: loss) }
        do {
          return StepResult(loss: loss + (try gap.value(map, points: pairs.inputs, indices: indices, graph: graph)))
        } catch {
          gapError = error
          return StepResult(loss: loss)
        }
      },
      validate: validation.map { v in
        {
          let graph = Graph.inference()
          return (meanSquaredError(map(graph.constant(v.inputs)), graph.constant(v.targets)).scalar, nil)
        }
      }, onEpoch: onEpoch)
    if let gapError { throw gapError }
    self.map = map
    self.dummies = dummies
    self.layout = FittedLayout(data, standardizer: scaler)
    self.trainingPairs = pairs
    return history
  }

  /// The training pairs of standardized data: in each batch of instances and for each
  /// class, as many dummy points as real points, matched by an exact assignment for the
  /// squared Euclidean cost; each real point's target is its matched dummy point.
  ///
  /// - Complexity: one assignment per class and batch.
  static func pairs(
    _ data: SequenceData, dummies: ClassGaussians, assignmentBatchSize: Int?, generator: inout SeededGenerator
  ) throws -> (inputs: Matrix<Double>, targets: Matrix<Double>) {
    var order = Array(0..<data.instances)
    let batch = min(max(assignmentBatchSize ?? data.instances, 1), data.instances)
    // The largest assignment: one class's points of a batch, an n x n cost matrix.
    let largestClass = (0..<dummies.classes).map { c in data.labels.filter { $0 == c }.count }.max() ?? 0
    let points = min(batch, largestClass) * data.tokens
    try MemoryBudget.check(
      MemoryBudget.bytes(points, points), for: "the OT classifier's assignment of \(points) points of one class",
      wayOut: "assignment batches of fewer instances (--batch-size)")
    if batch < data.instances { generator.shuffle(&order) }
    var inputs = Matrix<Double>(rows: 0, columns: data.dimension)
    var targets = inputs
    var first = 0
    while first < order.count {
      let members = order[first..<min(first + batch, order.count)]
      first += batch
      for c in 0..<dummies.classes {
        let instances = members.filter { data.labels[$0] == c }
        guard !instances.isEmpty else { continue }
        let real = data.points.rows(at: SequenceData.pointRows(of: instances, tokens: data.tokens))
        let dummy = dummies.sample(class: c, count: real.rows, generator: &generator)
        let result = try AssignmentSolver().solve(TransportProblem(source: real, target: dummy))
        guard let sigma = result.permutation else { throw TabularModelError("the assignment solver returned no permutation") }
        inputs = inputs.appendingRows(real)
        targets = targets.appendingRows(dummy.rows(at: sigma))
      }
    }
    return (inputs, targets)
  }

  /// The Monge gap's term of a fit: its penalty and Sinkhorn with the fit's absolute epsilon.
  struct GapTerm {
    var penalty: MongeGapPenalty
    var solver: Sinkhorn

    init(_ penalty: MongeGapPenalty, pairs: (inputs: Matrix<Double>, targets: Matrix<Double>)) throws {
      try penalty.validate()
      // The mean cost on at most 1,024 evenly spaced pairs of points and targets.
      let rows = (0..<min(pairs.inputs.rows, 1_024)).map { $0 * pairs.inputs.rows / min(pairs.inputs.rows, 1_024) }
      let scale = Matrix.squaredDistances(pairs.inputs.rows(at: rows), pairs.targets.rows(at: rows)).mean()
      self.penalty = penalty
      self.solver = Sinkhorn(epsilon: .absolute(max(penalty.epsilon * scale, 1e-12)), tolerance: 1e-3, maxIterations: 2_000)
    }

    /// `lambda` times the entropic gap of `map` on the first points of a step.
    ///
    /// - Complexity: one Sinkhorn solve on `points x points` costs.
    func value(_ map: MLP, points: Matrix<Double>, indices: [Int], graph: Graph) throws -> Tensor {
      let x = graph.constant(points.rows(at: Array(indices.prefix(penalty.points))))
      return try TransportLoss.mongeGap(source: x, mapped: map(x), cost: penalty.cost, solver: solver).value * penalty.weight
    }
  }

  /// `T_theta` of standardized points.
  public func mapped(standardized points: Matrix<Double>) throws -> Matrix<Double> {
    guard let map else { throw TabularModelError("the model is not fitted") }
    var parts: [Matrix<Double>] = []
    var first = 0
    while first < points.rows {
      let graph = Graph.inference()
      parts.append(map(graph.constant(points.rows(first..<min(first + 8192, points.rows)))).value)
      first += 8192
    }
    return parts.dropFirst().reduce(parts.first ?? Matrix(rows: 0, columns: points.columns)) { $0.appendingRows($1) }
  }

  /// Per point, the class log-scores `-|T_theta(x) - mu_c|` (not normalized).
  func logScores(_ points: Matrix<Double>) throws -> Matrix<Double> {
    guard let layout, let dummies else { throw TabularModelError("the model is not fitted") }
    let images = try mapped(standardized: try layout.standardizer.transform(points))
    return Matrix(rows: images.rows, columns: dummies.classes) { i, c in
      var s = 0.0
      for j in 0..<images.columns {
        let delta = images[i, j] - dummies.means[c][j]
        s += delta * delta
      }
      return -s.squareRoot()
    }
  }

  /// Per point (token), the scores `exp(-|T_theta(x) - mu_c|)` normalized over classes.
  public func predictPointProbabilities(_ data: SequenceData) throws -> Matrix<Double> {
    Kernels.softmaxRows(try logScores(data.points))
  }

  /// Per instance, the product of its tokens' scores normalized over classes.
  public func predictProbabilities(_ data: SequenceData) throws -> Matrix<Double> {
    let scores = try logScores(data.points)
    let t = data.tokens
    let summed = Matrix<Double>(rows: data.instances, columns: scores.columns) { i, c in
      (0..<t).reduce(0) { $0 + scores[i * t + $1, c] }
    }
    return Kernels.softmaxRows(summed)
  }

  public func evaluate(_ data: SequenceData) throws -> SequenceEvaluation {
    SequenceEvaluation(pointProbabilities: try predictPointProbabilities(data), instanceProbabilities: try predictProbabilities(data), data: data)
  }
}

extension OTClassifier: SequenceClassifier {
  public var standardizer: Standardizer? { layout?.standardizer }
  public var classLabels: [String] { layout?.classLabels ?? [] }

  public var configuration: TabularModelConfiguration? {
    guard let layout, let dummies else { return nil }
    return layout.configuration(model: "ot", ot: settings, dummies: dummies)
  }

  public func save(to directory: String) throws {
    guard let map, let configuration else { throw TabularModelError("the model is not fitted") }
    try ModelFile.save(map, configuration: configuration, to: directory)
  }

  /// Loads a model saved by ``save(to:)``.
  public static func load(from directory: String) throws -> OTClassifier {
    let config = try ModelFile.configuration(TabularModelConfiguration.self, from: directory)
    guard config.model == "ot", let settings = config.ot, let dummies = config.dummies else {
      throw TabularModelError("\(directory) holds a \(config.model) model, not an ot model")
    }
    let layout = try FittedLayout(config, path: directory)
    guard dummies.dimension == layout.dimension, dummies.classes == layout.classLabels.count else {
      throw ModelFileError(path: directory, reason: "the dummy classes do not match the data's dimension or classes")
    }
    let model = OTClassifier(settings: settings)
    var generator = SeededGenerator(seed: 0)
    let map = MLP(sizes: [layout.dimension] + settings.hidden + [layout.dimension], activation: .relu, generator: &generator)
    try ModelFile.loadParameters(into: map, from: directory)
    model.map = map
    model.dummies = dummies
    model.layout = layout
    return model
  }
}
