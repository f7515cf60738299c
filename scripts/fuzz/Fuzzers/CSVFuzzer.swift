// libFuzzer entry: the CSV reader on arbitrary bytes, with and without a label column.
import OTKitData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  // An exactly sized copy, so that AddressSanitizer sees any read past the end.
  let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
  defer { bytes.deallocate() }
  bytes.update(from: data, count: count)
  let buffer = UnsafeBufferPointer(start: bytes, count: count)
  _ = try? CSV.parse(buffer, file: "fuzz.csv")
  _ = try? CSV.parse(buffer, file: "fuzz.csv", options: CSVReadOptions(label: .index(0), dropInvalidRows: true))
  _ = try? CSV.parse(buffer, file: "fuzz.csv", options: CSVReadOptions(label: .name("y")))
  return 0
}
