import OTKitCore
import OTKitTransport

/// The author's constructed-transformer experiment (E3 of `shared/specs/transformers-solve-ot.md`,
/// his Figures 3-4): `n = 6`, `x` a random permutation of `{0, 1/6, …, 5/6}`, `y_j = j`,
/// `λ = 0.1`, `γ = 0.05`, 5,000 layers; the readout every `every` layers beside the
/// row-normalized Sinkhorn plan, and the sorted readout (the author reports
/// `[0.025, 0.165, 0.333, 0.500, 0.668, 0.808]`).
public struct SortingExample: Sendable {
  public var x: [Double]
  public var y: [Double]
  /// `(depth, readout)` every `every` layers.
  public var readouts: [(depth: Int, readout: Matrix<Double>)]
  /// `P̄_λ` from OTKit's Sinkhorn (rows targets).
  public var plan: Matrix<Double>
  /// The output register after the last layer.
  public var sortedReadout: [Double]
  /// `|M_L - P̄_λ|_F`.
  public var finalError: Double

  /// Runs the example.
  public static func run(layers: Int = 5000, every: Int = 1000, seed: UInt64 = 0, sinkMode: OTTransformer.SinkMode = .drift) throws -> SortingExample {
    let n = 6
    var generator = SeededGenerator(seed: seed)
    let x = generator.permutation(n).map { Double($0) / Double(n) }
    let y = (0..<n).map(Double.init)
    let xm = Matrix(rows: n, columns: 1, elements: x), ym = Matrix(rows: n, columns: 1, elements: y)
    let transformer = OTTransformer(dimension: 1, lambda: 0.1, gamma: 0.05, sinkMode: sinkMode)
    let record = Set(stride(from: every, through: layers, by: every))
    let layersRun = transformer.run(x: xm, y: ym, depth: layers, record: record)
    let (plan, _, _) = try SortingDepthStudy.references(x: xm, y: ym, lambda: 0.1)
    let last = layersRun.last!
    return SortingExample(
      x: x, y: y, readouts: layersRun.map { ($0.depth, $0.readout) }, plan: plan,
      sortedReadout: last.output.elements, finalError: SortingDepthStudy.distance(last.readout, plan).frobenius)
  }
}
