import Foundation
import OTKitReport

/// `otkit reproduce alignment`: the synthetic translation task of seed 001 (spec §7.4):
/// the OT accuracy of the embeddings against noise and context shift, an encoder trained to
/// name each token's concept measured layer by layer as a language model (cosine with the
/// identity, OT accuracy, correlation with the plan), and the fixed-weight transformer on
/// the same embeddings. Real models go through `otkit align`.
///
/// - Complexity: `noises · shifts · pairs` exact OT solves, one encoder training run
///   (`encoderSteps` steps), and the fixed-weight transformer on 50 pairs.
public struct AlignmentStudy: Reproduction {
  public static let experiment = Experiment.alignment

  public struct Settings: ReproductionSettings, Equatable {
    /// The base seed (the embeddings use seed + 1, the encoder seed + 5).
    public var seed: UInt64 = 0
    public var noises = [0.25, 0.5, 1.0, 1.5]
    public var shifts = [0.0, 1.0, 2.0, 4.0]
    /// Sentence pairs per grid cell.
    public var pairs = 100
    public var encoderSteps = SyntheticAlignment.EncoderSettings().steps
    /// Test pairs of the encoder's layer-by-layer measurements.
    public var testPairs = 100
    /// Pairs of the fixed-weight transformer's accuracy.
    public var constructedPairs = 50

    public init() {}

    public static var quick: Settings {
      var s = Settings()
      (s.noises, s.shifts, s.pairs, s.encoderSteps, s.testPairs, s.constructedPairs) = ([0.5], [0, 2], 10, 10, 5, 5)
      return s
    }

    public static let options = [
      ReproductionOption("seed", "The base seed."),
      ReproductionOption("noises", "The noise levels σ of the grid, comma-separated."),
      ReproductionOption("shifts", "The context shifts α of the grid, comma-separated."),
      ReproductionOption("pairs", "Sentence pairs per grid cell."),
      ReproductionOption("encoder-steps", "The encoder's training steps."),
      ReproductionOption("test-pairs", "Test pairs of the encoder's layer-by-layer measurements."),
      ReproductionOption("constructed-pairs", "Pairs of the fixed-weight transformer's accuracy."),
    ]

    public mutating func set(_ option: String, to text: String) throws {
      switch option {
      case "seed": seed = try OptionText.seed(text, option: option)
      case "noises": noises = try OptionText.positives(text, option: option)
      case "shifts": shifts = try OptionText.list(text, option: option, must: "non-negative numbers", { Double($0) }, where: { $0 >= 0 && $0.isFinite })
      case "pairs": pairs = try OptionText.integer(text, option: option, in: 1...100_000)
      case "encoder-steps": encoderSteps = try OptionText.integer(text, option: option, in: 1...1_000_000)
      case "test-pairs": testPairs = try OptionText.integer(text, option: option, in: 1...100_000)
      case "constructed-pairs": constructedPairs = try OptionText.integer(text, option: option, in: 1...100_000)
      default: throw ReproductionError.notAnOption(option)
      }
    }
  }

  /// The embeddings' grid and its anisotropic variants.
  public struct Embeddings: Encodable {
    public var noises: [Double]
    public var shifts: [Double]
    public var accuracy: [[Double]]
    public var anisotropic: Double
    public var anisotropicCosine: Double
  }

  /// The fixed-weight transformer's accuracy at one depth.
  public struct Constructed: Encodable {
    public var depth: Int
    public var accuracy: Double
  }

  public struct Result: Encodable {
    public var embeddings: Embeddings
    public var encoder: SyntheticAlignment.EncoderResult
    public var constructed: [Constructed]
  }

  public let settings: Settings

  public init(settings: Settings) {
    self.settings = settings
  }

  var base: SyntheticAlignment.Settings {
    var base = SyntheticAlignment.Settings()
    base.seed = settings.seed &+ 1
    return base
  }

  var encoderSettings: SyntheticAlignment.EncoderSettings {
    var encoder = SyntheticAlignment.EncoderSettings()
    encoder.seed = settings.seed &+ 5
    encoder.steps = settings.encoderSteps
    return encoder
  }

  /// The embeddings with a common direction (σ 1, α 0, a direction of length 12), for the
  /// grid's Euclidean and cosine variants.
  var anisotropic: SyntheticAlignment.Settings {
    var anisotropic = base
    (anisotropic.noise, anisotropic.anisotropy) = (1, 12)
    return anisotropic
  }

  /// The trained encoder's task: some shift and anisotropy.
  var trained: SyntheticAlignment.Settings {
    var trained = base
    (trained.shift, trained.anisotropy) = (0.5, 2)
    return trained
  }

  public func run(progress: ReproductionProgress) throws -> Result {
    let total = settings.noises.count * settings.shifts.count + 2 + settings.encoderSteps
    let embeddings = try self.embeddings(progress: progress.part(from: 0, of: total))
    let start = settings.noises.count * settings.shifts.count + 2
    var options = LayerAlignment.Options()
    options.planState = 0  // every layer's attention against the plan of the input embeddings (spec §7.4)
    let encoder = try SyntheticAlignment.encoder(
      trained, encoderSettings, testPairs: settings.testPairs, options: options, progress: progress.part(from: start, of: total))
    let constructed = SyntheticAlignment.constructed(trained, pairs: settings.constructedPairs).map { Constructed(depth: $0.depth, accuracy: $0.accuracy) }
    return Result(embeddings: embeddings, encoder: encoder, constructed: constructed)
  }

  func embeddings(progress: ReproductionProgress) throws -> Embeddings {
    var grid: [[Double]] = []
    for sigma in settings.noises {
      var row: [Double] = []
      for alpha in settings.shifts {
        var s = base
        (s.noise, s.shift) = (sigma, alpha)
        row.append(try SyntheticAlignment.embeddingAccuracy(s, pairs: settings.pairs))
        progress(grid.count * settings.shifts.count + row.count, of: settings.noises.count * settings.shifts.count, "embeddings σ \(sigma), α \(alpha)")
      }
      grid.append(row)
    }
    var cosine = LayerAlignment.Options()
    cosine.distance = .cosine
    return Embeddings(
      noises: settings.noises, shifts: settings.shifts, accuracy: grid,
      anisotropic: try SyntheticAlignment.embeddingAccuracy(anisotropic, pairs: settings.pairs),
      anisotropicCosine: try SyntheticAlignment.embeddingAccuracy(anisotropic, pairs: settings.pairs, options: cosine))
  }

  public func legacyFields(_ result: Result) -> [String: JSONValue] {
    [
      "embeddings": JSONValue(encoding: result.embeddings),
      "encoder": JSONValue(encoding: result.encoder),
      "constructed": JSONValue(encoding: result.constructed),
    ]
  }
}
