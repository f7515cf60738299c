// libFuzzer entry: the model loader (config.json validation, then the parameters) on an
// arbitrary config.json beside a fixed model.safetensors of the seed corpus.
import Foundation
import OTKitCore
import OTKitTabular

let directory: String = {
  let path = NSTemporaryDirectory() + "otkit-fuzz-model-\(getpid())"
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  // The parameters of a small saved MLP (written by `otkit train --save`).
  if let seed = ProcessInfo.processInfo.environment["OTKIT_FUZZ_SAFETENSORS"] {
    try? FileManager.default.removeItem(atPath: path + "/model.safetensors")
    try? FileManager.default.copyItem(atPath: seed, toPath: path + "/model.safetensors")
  }
  return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  FileManager.default.createFile(atPath: directory + "/config.json", contents: Data(bytes: data, count: count))
  if let model = try? TabularModels.load(from: directory) {
    // A loaded model must predict a row of its features without trapping.
    if let config = model.configuration {
      _ = try? model.predictProbabilities(Matrix(rows: 1, columns: config.featureNames.count, repeating: 0.5))
    }
  }
  return 0
}
