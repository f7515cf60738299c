import Foundation
import OTKitCore
import OTKitData
import Testing

@Suite("Overflow-safe statistics and checked decoding")
struct OverflowSafeTests {
  @Test("One cell of 1e300 or values of 1.7e308 give a finite mean and scale", arguments: [1e300, 1.7e308])
  func standardizer(big: Double) throws {
    var values = (0..<20).map { Double($0 % 5) }
    values[3] = big
    values[7] = -big
    let data = Matrix(rows: 10, columns: 2, elements: values)
    let s = Standardizer(fitting: data)
    #expect(s.means.allSatisfy { $0.isFinite })
    #expect(s.scales.allSatisfy { $0.isFinite && $0 > 0 })
    // Column 1 holds +big and -big: its scale is of their size, not the fallback 1.
    #expect(s.scales[1] > big / 10)
    let z = try s.transform(data)
    #expect(z.isFinite)
  }

  @Test("Ordinary data: the same statistics as before (two plain passes)")
  func ordinary() {
    let data = Matrix(rows: 4, columns: 1, elements: [1, 2, 3, 4])
    let s = Standardizer(fitting: data)
    #expect(s.means == [2.5])
    #expect(s.scales == [(1.25).squareRoot()])
  }

  @Test("A matrix whose storage does not fit its shape is a decoding error", arguments: [
    #"{"rows":2,"columns":2,"storage":[1]}"#, #"{"rows":-1,"columns":-4,"storage":[1,0,0,1]}"#,
    #"{"rows":4294967296,"columns":4294967296,"storage":[]}"#, #"{"rows":2,"columns":2}"#,
  ])
  func matrixDecoding(json: String) {
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Matrix<Double>.self, from: Data(json.utf8)) }
  }

  @Test("A matrix round-trips through JSON")
  func matrixRoundTrip() throws {
    let m = Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
    #expect(try JSONDecoder().decode(Matrix<Double>.self, from: JSONEncoder().encode(m)) == m)
  }
}
