import Foundation
import OTKitCore
import OTKitData
import OTKitAttention
import OTKitNeural

/// The largest models OTKit builds from a configuration: a `config.json` may declare any
/// size, and a network is allocated from it before its weights are read.
public enum TabularModelLimits {
  /// The widest layer (hidden width, feed-forward width, key size, head units, token width).
  public static let width = 65_536
  /// The most attention heads.
  public static let heads = 1_024
  /// The most encoder blocks or hidden layers.
  public static let depth = 256
  /// The most parameters of one model (`2^28`, 2 GiB in `Double`).
  public static let parameters = 1 << 28
}

extension TabularModelConfiguration {
  /// The saved model formats this version reads.
  public static let supportedVersions = 1...1

  /// Checks everything a model is built from before anything is allocated: the format and
  /// version, the classes, features and tokens, the standardizer (one finite mean and one
  /// positive finite scale per column), the settings of the model's kind (widths, heads,
  /// blocks and rates in range, a parameter count within ``TabularModelLimits``) and the
  /// dummy classes.
  ///
  /// - Throws: `ModelFileError` naming `directory/config.json` and the field.
  func validate(directory: String) throws {
    let path = (directory as NSString).appendingPathComponent(ModelFile.configurationName)
    func fail(_ reason: String) -> ModelFileError { ModelFileError(path: path, reason: reason) }
    guard format == "otkit-model" else { throw fail("has format \"\(format)\", not \"otkit-model\"") }
    guard Self.supportedVersions.contains(version) else {
      throw fail("has version \(version); this OTKit reads version \(Self.supportedVersions.upperBound) (a newer OTKit wrote it?)")
    }
    guard classLabels.count >= 2 else { throw fail("names \(classLabels.count) classes; a classifier needs at least 2") }
    guard Set(classLabels).count == classLabels.count else { throw fail("names a class twice") }
    guard !featureNames.isEmpty else { throw fail("names no feature columns") }
    let columns: Int
    if model == "mlp" {
      columns = featureNames.count
    } else {
      guard let tokens else { throw fail("has no token count (\"tokens\")") }
      guard tokens > 0, featureNames.count % tokens == 0 else {
        throw fail("has \(tokens) tokens, which do not divide its \(featureNames.count) feature columns")
      }
      columns = featureNames.count / tokens
    }
    guard standardizer.means.count == columns, standardizer.scales.count == columns else {
      throw fail("has a standardizer of \(standardizer.means.count) means and \(standardizer.scales.count) scales for \(columns) columns")
    }
    guard standardizer.means.allSatisfy(\.isFinite) else { throw fail("has a standardizer mean that is not finite") }
    guard standardizer.scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      throw fail("has a standardizer scale that is not positive and finite")
    }
    let classes = classLabels.count
    switch model {
    case "mlp":
      guard let mlp else { throw fail("has no \"mlp\" settings") }
      try checkLayers([columns] + mlp.hidden + [classes], field: "mlp.hidden", fail)
      try checkRate(mlp.dropout, field: "mlp.dropout", fail)
    case "ot":
      guard let ot else { throw fail("has no \"ot\" settings") }
      try checkLayers([columns] + ot.hidden + [columns], field: "ot.hidden", fail)
      guard let dummies else { throw fail("has no dummy classes (\"dummies\")") }
      try checkDummies(dummies, dimension: columns, classes: classes, fail)
    case "transformer", "pretrained":
      guard let transformer else { throw fail("has no \"transformer\" settings") }
      try checkTransformer(transformer, columns: columns, classes: classes, fail)
      if let dummies { try checkDummies(dummies, dimension: nil, classes: classes, fail) }
    default:
      throw fail("holds an unknown model kind \"\(model)\"")
    }
  }

  private func checkWidth(_ value: Int, field: String, _ fail: (String) -> ModelFileError) throws {
    guard (1...TabularModelLimits.width).contains(value) else {
      throw fail("has \(field) \(value); it must be between 1 and \(TabularModelLimits.width)")
    }
  }

  private func checkRate(_ value: Double, field: String, _ fail: (String) -> ModelFileError) throws {
    guard value >= 0 && value < 1 else { throw fail("has \(field) \(value); it must be in [0, 1)") }
  }

  /// Widths of dense layers, and their parameter count with checked arithmetic.
  private func checkLayers(_ sizes: [Int], field: String, _ fail: (String) -> ModelFileError) throws {
    guard sizes.count - 2 <= TabularModelLimits.depth else { throw fail("has \(sizes.count - 2) \(field) layers, more than \(TabularModelLimits.depth)") }
    for width in sizes.dropFirst().dropLast() { try checkWidth(width, field: field + " width", fail) }
    var count = 0
    for (a, b) in zip(sizes, sizes.dropFirst()) {
      count += (a + 1) * b  // each factor is at most the width limit: no overflow
      guard count <= TabularModelLimits.parameters else {
        throw fail("declares more than \(TabularModelLimits.parameters) parameters (\(field) \(sizes.dropFirst().dropLast().map(String.init).joined(separator: ",")))")
      }
    }
  }

  private func checkTransformer(_ t: TransformerSettings, columns: Int, classes: Int, _ fail: (String) -> ModelFileError) throws {
    guard (1...TabularModelLimits.heads).contains(t.heads) else { throw fail("has transformer.heads \(t.heads); it must be between 1 and \(TabularModelLimits.heads)") }
    guard (1...TabularModelLimits.depth).contains(t.blocks) else { throw fail("has transformer.blocks \(t.blocks); it must be between 1 and \(TabularModelLimits.depth)") }
    try checkWidth(t.keySize, field: "transformer.keySize", fail)
    try checkWidth(t.feedForward, field: "transformer.feedForward", fail)
    try checkWidth(t.headUnits, field: "transformer.headUnits", fail)
    if t.layout == .feature { try checkWidth(t.featureWidth, field: "transformer.featureWidth", fail) }
    try checkRate(t.dropout, field: "transformer.dropout", fail)
    try checkRate(t.headDropout, field: "transformer.headDropout", fail)
    if let anchors = t.headAnchors, anchors.count != t.heads {
      throw fail("has \(anchors.count) head anchors for \(t.heads) heads")
    }
    if let alibi = t.alibi, !(alibi >= 0 && alibi.isFinite) { throw fail("has an ALiBi slope of \(alibi); it must be 0 or more") }
    if let problem = t.regime?.problem(blocks: t.blocks) { throw fail("has a regime whose \(["carrier": "carriers", "adaptiveWindow": "adaptiveWidth"][problem.option] ?? problem.option) \(problem.reason)") }
    if let temperature = t.temperature, !(temperature > 0 && temperature.isFinite) {
      throw fail("has an attention temperature of \(temperature); it must be positive")
    }
    for anchor in t.resolvedHeadAnchors {
      switch anchor {
      case .entmax(let alpha): guard alpha > 1 && alpha.isFinite else { throw fail("has an entmax anchor of alpha \(alpha); alpha must be > 1") }
      case .sinkhorn(let s): guard s.iterations >= 1 else { throw fail("has a sinkhorn anchor of \(s.iterations) iterations") }
      default: break
      }
    }
    // Parameters: per block the attention projections and the feed-forward layers.
    let width = min(t.layout == .feature ? t.featureWidth : columns, TabularModelLimits.width)
    let attention = 4 * t.heads * t.keySize * (width + 1)
    let feedForward = 2 * t.feedForward * (width + 1)
    let (perBlock, o1) = (attention + feedForward).multipliedReportingOverflow(by: 1)
    let (blocks, o2) = perBlock.multipliedReportingOverflow(by: t.blocks)
    guard !o1, !o2, blocks + (width + 1) * t.headUnits + (t.headUnits + 1) * classes <= TabularModelLimits.parameters else {
      throw fail("declares more than \(TabularModelLimits.parameters) parameters (transformer blocks \(t.blocks), heads \(t.heads), keySize \(t.keySize), feedForward \(t.feedForward))")
    }
  }

  /// Dummy classes: one mean and one covariance per class, of the data's dimension (of
  /// the first mean's when `dimension` is nil).
  private func checkDummies(_ dummies: ClassGaussians, dimension: Int?, classes: Int, _ fail: (String) -> ModelFileError) throws {
    guard dummies.means.count == classes, dummies.covariances.count == classes else {
      throw fail("has \(dummies.means.count) dummy means and \(dummies.covariances.count) dummy covariances for \(classes) classes")
    }
    let dimension = dimension ?? dummies.means[0].count
    for (c, mean) in dummies.means.enumerated() {
      guard mean.count == dimension else { throw fail("has a dummy mean of length \(mean.count) for class \(c); the data have dimension \(dimension)") }
      guard mean.allSatisfy(\.isFinite) else { throw fail("has a dummy mean that is not finite (class \(c))") }
    }
    for (c, s) in dummies.covariances.enumerated() {
      guard s.rows == dimension, s.columns == dimension else {
        throw fail("has a dummy covariance of \(s.rows) x \(s.columns) for class \(c); the data have dimension \(dimension)")
      }
      guard s.isFinite else { throw fail("has a dummy covariance that is not finite (class \(c))") }
    }
  }
}
