import Foundation
import OTKitTestSupport
import Testing
@testable import OTKitData
import OTKitCore

/// The shared data folder beside the project, when present.
let sharedData: String? = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  let path = url.deletingLastPathComponent().appendingPathComponent("shared/data/beed.csv").path
  return FileManager.default.fileExists(atPath: path) ? path : nil
}()

func temporaryPath(_ name: String) -> String {
  TemporaryFiles.removeAtExit()
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otkit-tests-\(getpid())")
  try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir.appendingPathComponent(name).path
}

@Suite("CSV")
struct CSVTests {
  @Test("Header, label by name, CRLF, quotes and blank lines")
  func wellFormed() throws {
    let text = "a,\"b\",label\r\n1,2.5,x\r\n\r\n  -3 , \"4e2\",\"y, z\"\r\n\n5,6,\"say \"\"hi\"\"\"\r\n"
    let table = try CSV.parse(text, options: .init(label: .name("label")))
    #expect(table.hadHeader)
    #expect(table.featureNames == ["a", "b"])
    #expect(table.labelName == "label")
    #expect(table.features == Matrix([[1, 2.5], [-3, 400], [5, 6]]))
    #expect(table.labels == ["x", "y, z", "say \"hi\""])
  }

  @Test("No header, label by index from the end")
  func noHeader() throws {
    let table = try CSV.parse("1,2,0\n3,4,1\n", options: .init(label: .index(-1)))
    #expect(!table.hadHeader)
    #expect(table.featureNames == ["column 1", "column 2"])
    #expect(table.features == Matrix([[1, 2], [3, 4]]))
    #expect(table.labels == ["0", "1"])
    let forced = try CSV.parse("1,2\n3,4\n", options: .init(header: .present))
    #expect(forced.featureNames == ["1", "2"] && forced.rowCount == 1)
  }

  @Test("Quoted fields may span lines; line numbers count them")
  func multilineQuotes() throws {
    let text = "name,v\n\"two\nlines\",1\nx,oops\n"
    #expect(throws: DataError(.notANumber, file: "<text>", line: 4, column: 2, columnName: "v", text: "oops")) {
      try CSV.parse(text, options: .init(label: .name("name")))
    }
  }

  @Test("Numbers parse exactly as Swift reads them", arguments: [
    "0", "-0", "1", "+7", "3.25", ".5", "5.", "1e3", "1E-3", "-2.5e+10", "123456789012345678",
    "1.7976931348623157e308", "4.9e-324", "0.1", "0.30000000000000004", "12345678901234567890123",
    "9007199254740993", "1.00000000000000011102230246251565404236316680908203125", "1e-400",
    String(repeating: "1", count: 300), "0." + String(repeating: "0", count: 600) + "1",
  ])
  func numbers(text: String) throws {
    let table = try CSV.parse("v\n\(text)\n")
    #expect(table.features[0, 0].bitPattern == Double(text)!.bitPattern)
    // The same number in the last cell of a file without a final newline.
    let last = try CSV.parse("v\n\(text)")
    #expect(last.features[0, 0].bitPattern == Double(text)!.bitPattern)
  }

  @Test("Text that strtod would read but a CSV number is not", arguments: [
    "0x10", "0x1p-2", "1e", "e5", "1.2.3", "--1", "1e+", ".", "+", "1 2", "nan(12)", "infinit", "1e5x",
  ])
  func notNumbers(text: String) {
    #expect(throws: DataError.self) { try CSV.parse("a,v\n1,\(text)\n") }
    #expect(throws: DataError.self) { try CSV.parse("a,v\n1,\(text)") }
  }

  @Test("Round-trips through format and parse")
  func roundTrip() throws {
    var rng = SeededGenerator(seed: 3)
    let m: Matrix<Double> = rng.normalMatrix(rows: 50, columns: 4, mean: 0, standardDeviation: 1e6)
    let labels = (0..<50).map { $0 % 3 == 0 ? "a,b" : "c\"d" }
    let path = temporaryPath("roundtrip.csv")
    try CSV.write(m, to: path, header: ["w", "x", "y", "z"], labels: labels, labelName: "class")
    let table = try CSV.read(path, options: .init(label: .name("class")))
    #expect(table.features == m)
    #expect(table.labels == labels)
    #expect(table.featureNames == ["w", "x", "y", "z"])
    let floats: Matrix<Float> = rng.normalMatrix(rows: 5, columns: 3)
    let back = try CSV.parse(CSV.format(floats), options: .init(header: .absent))
    #expect(Matrix<Float>(back.features) == floats)
  }

  // Every malformed input has an error that names the file, line, column and text.
  static let malformed: [(String, CSVReadOptions, String)] = [
    ("a,b\n1,2\n3\n", .init(), "<text>, line 3: has 1 fields where the first row has 2"),
    ("a,b\n1,2\n3,x7\n", .init(), "<text>, line 3, column 2 (b): \"x7\" is not a number"),
    ("a,b\n1,\n", .init(), "<text>, line 2, column 2 (b): the value is missing"),
    ("a,b\n1,NA\n", .init(), "<text>, line 2, column 2 (b): \"NA\" marks a missing value"),
    ("a,b\n1,1e999\n", .init(), "<text>, line 2, column 2 (b): \"1e999\" is not a finite number"),
    ("a,b\n1,\"2\n", .init(), "<text>, line 2, column 2: a quoted field is not closed"),
    ("a,b\n1,2\n", .init(label: .name("y")), "<text>, line 1: has no column \"y\"; columns: a, b"),
    ("1,2\n", .init(label: .name("y")), "<text>, line 1: has no header, so there is no column named \"y\" (give the column's index instead)"),
    ("1,2\n", .init(label: .index(2)), "<text>, line 1: has no column 2 (rows have 2 columns, numbered from 0)"),
    ("a,b\n", .init(), "<text>: holds no data rows"),
    ("\n\n", .init(), "<text>: holds no data rows"),
    ("", .init(), "<text>: holds no data rows"),
    ("a,y\n1,\n", .init(label: .name("y")), "<text>, line 2, column 2 (y): the value is missing"),
  ]

  @Test("Malformed input gives a precise error", arguments: malformed)
  func errors(text: String, options: CSVReadOptions, message: String) {
    do {
      _ = try CSV.parse(text, options: options)
      Issue.record("no error for \(text.debugDescription)")
    } catch let error as DataError {
      #expect(error.description == message)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("Rows with missing or non-numeric values can be dropped")
  func dropping() throws {
    let table = try CSV.parse("a,b,y\n1,2,p\n3,,q\n5,six,r\n7,8,\n9,10,s\n", options: .init(label: .name("y"), dropInvalidRows: true))
    #expect(table.features == Matrix([[1, 2], [9, 10]]))
    #expect(table.labels == ["p", "s"])
    #expect(table.droppedLines == [3, 4, 5])
  }

  @Test("A missing file is named in the error")
  func missingFile() {
    #expect(throws: DataError(.unreadable("no such file"), file: "/nonexistent/x.csv")) {
      try CSV.read("/nonexistent/x.csv")
    }
  }

  @Test("Large files parse in parallel pieces with correct line numbers")
  func parallelPieces() throws {
    var text = "a,b\n"
    for i in 0..<200_000 { text += "\(i),\(i * 2)\n" }
    text += "1,bad\n"
    for i in 0..<1000 { text += "\(i),\(i)\n" }
    let path = temporaryPath("big.csv")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: DataError(.notANumber, file: path, line: 200_002, column: 2, columnName: "b", text: "bad")) {
      try CSV.read(path)
    }
    let good = try CSV.read(path, options: .init(dropInvalidRows: true))
    #expect(good.rowCount == 201_000)
    #expect(good.droppedLines == [200_002])
    #expect(good.features[199_999, 1] == 399_998)
    #expect(good.features[200_000, 0] == 0)
  }

  @Test("The BEED data set reads with its label column", .enabled(if: sharedData != nil))
  func beed() throws {
    let table = try CSV.read(sharedData!, options: .init(label: .name("y")))
    #expect(table.rowCount == 8000)
    #expect(table.featureNames == (1...16).map { "X\($0)" })
    #expect(Set(table.labels!) == ["0", "1", "2", "3"])
  }
}
