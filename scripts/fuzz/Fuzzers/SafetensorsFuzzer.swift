// libFuzzer entry: the safetensors reader on arbitrary bytes.
import Foundation
import OTKitData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  if let file = try? Safetensors.parse(Data(bytes: data, count: count), file: "fuzz.safetensors") {
    for (name, tensor) in file.tensors {
      precondition(tensor.values.count == tensor.shape.reduce(1, *), "safetensors: \(name) holds \(tensor.values.count) values for shape \(tensor.shape)")
      _ = tensor.matrix
    }
  }
  return 0
}
