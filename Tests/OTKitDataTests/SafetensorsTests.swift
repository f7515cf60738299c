import Foundation
import OTKitCore
import Testing

@testable import OTKitData

@Suite("Safetensors")
struct SafetensorsTests {
  static let sample = Safetensors.File(
    tensors: [
      "weight": Safetensors.Tensor(shape: [2, 3], values: [1, -2.5, 3, 4e-300, .pi, 0]),
      "bias": Safetensors.Tensor(shape: [3], dtype: .float32, values: [0.5, 1.5, -2]),
      "steps": Safetensors.Tensor(shape: [], dtype: .int64, values: [42]),
      "counts": Safetensors.Tensor(shape: [2], dtype: .int32, values: [-7, 9]),
    ], metadata: ["format": "otkit"])

  @Test("Round trip through a file, every dtype")
  func roundTrip() throws {
    let path = temporaryPath("sample.safetensors")
    try Safetensors.write(Self.sample, to: path)
    let read = try Safetensors.read(path)
    #expect(read == Self.sample)
    #expect(read.tensors["weight"]!.matrix == Matrix([[1, -2.5, 3], [4e-300, .pi, 0]]))
    #expect(read.tensors["steps"]!.matrix == Matrix([[42]]))
  }

  @Test("The layout is the reference one: header length, padded JSON, data in order")
  func layout() throws {
    let data = Safetensors.encode(Safetensors.File(tensors: ["a": Safetensors.Tensor(shape: [1], values: [1])]))
    let length = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    #expect(length % 8 == 0 && Int(length) + 8 + 8 == data.count)
    let header = String(decoding: data[8..<(8 + Int(length))], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    #expect(header == #"{"a":{"data_offsets":[0,8],"dtype":"F64","shape":[1]}}"#)
    #expect(data.suffix(8).withUnsafeBytes { $0.loadUnaligned(as: Double.self) } == 1)
  }

  /// A valid file with `mutate` applied to its bytes or header.
  static func corrupted(_ mutate: (inout Data) -> Void) -> Data {
    var data = Safetensors.encode(sample)
    mutate(&data)
    return data
  }

  static func withHeader(_ json: String, dataBytes: Int) -> Data {
    var data = Data()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json.data(using: .utf8)!)
    data.append(Data(count: dataBytes))
    return data
  }

  @Test("Corrupt files are errors that name the problem", arguments: [
    (Data([1, 2, 3]), "shorter than the 8-byte header length"),
    (corrupted { $0.removeLast(5) }, "truncated"),
    (corrupted { $0 = $0.prefix(40) }, "truncated"),
    (corrupted { $0[8] = UInt8(ascii: "[") }, "not a JSON object"),
    (withHeader(#"{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}"#, dataBytes: 2), "dtype BF16"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8), "but 8 bytes"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}"#, dataBytes: 8), "no valid shape"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,0]}}"#, dataBytes: 8), "no valid data_offsets"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 8), "overlaps"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#, dataBytes: 16), "a gap before"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 12), "bytes after the last tensor"),
    (withHeader(#"{"__metadata__":{"k":1}}"#, dataBytes: 0), "is not a string"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, dataBytes: 8), "no valid shape"),
    (withHeader(#"{"a":{"dtype":"F64","shape":[2147483648,2147483648,2147483648],"data_offsets":[0,8]}}"#, dataBytes: 8), "more values than can be addressed"),
  ])
  func corrupt(data: Data, message: String) {
    do {
      _ = try Safetensors.parse(data, file: "m.safetensors")
      Issue.record("parsed a corrupt file")
    } catch let error as DataError {
      #expect(error.description.hasPrefix("m.safetensors: "))
      #expect(error.description.contains(message), "\(error)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("A missing file is named")
  func missing() {
    #expect(throws: DataError.self) { try Safetensors.read("/nonexistent/m.safetensors") }
  }
}
