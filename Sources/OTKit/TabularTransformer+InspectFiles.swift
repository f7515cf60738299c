import Foundation

extension TabularTransformer {
  /// What `otkit inspect` does: loads the transformer saved in `model`, reads the rows of
  /// the CSV file `data` as `otkit predict` does (the model's feature columns by name), and
  /// inspects the chosen block and head (all when `nil`) on the first `instances` instances.
  ///
  /// - Throws: `ModelFileError` or ``TabularModelError`` for the model, `DataError` for the
  ///   data, ``TabularModelError`` naming `--block` or `--head` when the model has no such one.
  /// - Complexity: ``inspect(_:instances:blocks:seed:)``'s.
  public static func inspect(
    model: String, data: String, label: String? = nil, instances: Int = 16, block: Int? = nil, head: Int? = nil, seed: UInt64 = 0
  ) throws -> [HeadInspection] {
    let transformer = try TabularTransformer.load(from: model)
    guard let config = transformer.configuration, let layout = transformer.layout, let settings = config.transformer else {
      throw TabularModelError("\(model): the model is not fitted")
    }
    if let block, block >= settings.blocks { throw TabularModelError("--block \(block): the model has \(settings.blocks) block(s)") }
    if let head, head >= settings.heads { throw TabularModelError("--head \(head): the model has \(settings.heads) head(s)") }
    do {
      let sequence = try layout.sequence(of: try config.read(data, label: label).features)
      let heads = try transformer.inspect(sequence, instances: instances, blocks: block.map { [$0] }, seed: seed)
      return heads.filter { head == nil || $0.head == head }
    } catch let error as TabularModelError {
      throw TabularModelError("\(data): \(error)")
    }
  }
}
