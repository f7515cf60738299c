import Foundation
import Testing
import OTKit

@Suite("The OTKit umbrella")
struct UmbrellaTests {
  @Test("One import brings the core and the data layer")
  func reexports() throws {
    // Types from OTKitCore and OTKitData, used through `import OTKit` alone.
    var rng = SeededGenerator(seed: 1)
    let x: Matrix<Double> = rng.normalMatrix(rows: 4, columns: 2)
    let text = CSV.format(x, header: ["a", "b"])
    let table = try CSV.parse(text)
    #expect(table.features == x)
    #expect(Standardizer(fitting: x).means.count == 2)
  }

  @Test("The version is a semantic version")
  func version() {
    let parts = OTKitInfo.version.split(separator: ".")
    #expect(parts.count == 3 && parts.allSatisfy { Int($0) != nil })
  }
}
