// libFuzzer entry: the NPY reader on arbitrary bytes.
import Foundation
import OTKitCore
import OTKitData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  if let array = try? NPY.parse(Data(bytes: data, count: count), file: "fuzz.npy") {
    // What the readers build from an array must hold its values.
    precondition(array.values.count == array.shape.reduce(1, *), "NPY: \(array.values.count) values for shape \(array.shape)")
  }
  return 0
}
