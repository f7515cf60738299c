import OTKitCore
import OTKitData
import OTKitTabular

/// The labelled CSV files the reproductions read (BEED, digits), with the file named in the
/// error when one cannot be read.
public enum ReproductionData {
  /// The rows of a CSV file with its `label` column, an evenly spaced subsample of
  /// `instances` rows (all rows when the file has no more).
  ///
  /// - Throws: ``ReproductionError/file(path:message:)`` when the file cannot be read as
  ///   labelled data.
  /// - Complexity: `O(rows · columns)`.
  public static func labeled(_ path: String, label: String, instances: Int = .max) throws -> LabeledData {
    let table: CSVTable
    do {
      table = try CSV.read(path, options: CSVReadOptions(label: .name(label)))
    } catch {
      throw ReproductionError.file(path: path, message: "\(error)")
    }
    let data = try LabeledData(table: table, file: path)
    guard instances < data.count else { return data }
    let rows = (0..<instances).map { $0 * data.count / instances }
    return LabeledData(
      features: data.features.rows(at: rows), labels: rows.map { data.labels[$0] }, classLabels: data.classLabels,
      featureNames: data.featureNames, labelName: data.labelName)
  }

  /// `beed` (label column `y`) or `digits` (label column `label`) from the given files, an
  /// evenly spaced subsample of `rows` rows (0: every row).
  ///
  /// - Throws: as ``labeled(_:label:instances:)``.
  public static func dataset(_ name: String, beed: String, digits: String, rows: Int = 0) throws -> LabeledData {
    let (path, label) = name == "beed" ? (beed, "y") : (digits, "label")
    return try labeled(path, label: label, instances: rows > 0 ? rows : .max)
  }
}
