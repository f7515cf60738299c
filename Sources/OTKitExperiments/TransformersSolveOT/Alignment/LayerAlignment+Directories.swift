import OTKitData

/// A dump directory that does not go with the others or with the options; the message
/// names the file.
public struct AlignmentDumpError: Error, CustomStringConvertible, Sendable {
  public var description: String
}

extension LayerAlignment {
  /// Reads and measures the sentence pairs of dump directories (``AlignmentDump``), one
  /// after the other, and summarizes them layer by layer (`otkit align`).
  ///
  /// - Throws: `DataError` for a dump that cannot be read; ``AlignmentDumpError`` naming the
  ///   file for a dump whose layers differ from the first's, a plan state it lacks, or a
  ///   pair that cannot be measured.
  /// - Complexity: one ``analyze(_:options:)`` per directory.
  public static func analyze(directories: [String], options: Options, progress: ReproductionProgress = .silent) throws -> [Summary] {
    var sentences: [[Row]] = []
    var layers: Int?
    for (index, directory) in directories.enumerated() {
      let dump = try AlignmentDump.read(directory: directory)
      if let layers, layers != dump.layers {
        throw AlignmentDumpError(description: "\(directory)/attentions.npy: \(dump.layers) layers, the first dump has \(layers)")
      }
      layers = dump.layers
      if let state = options.planState, dump.states > 0, state >= dump.states {
        throw AlignmentDumpError(description: "\(directory)/hidden.npy: --plan-state \(state) but the dump has states 0 to \(dump.states - 1)")
      }
      do {
        sentences.append(try analyze(dump, options: options))
      } catch {
        throw AlignmentDumpError(description: "\(directory): \(error)")
      }
      progress(index + 1, of: directories.count, directory)
    }
    return summarize(sentences)
  }
}
