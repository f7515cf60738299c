#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension MemoryBudget {
  /// The bytes of a size: digits with an optional fraction and unit (`K`, `M`, `G`, `T`,
  /// with or without `B` or `iB`, powers of 1024; case ignored); `nil` for anything else.
  public static func parse(_ text: String) -> Int? {
    let lowered = text.lowercased()
    let number = lowered.prefix { $0.isNumber || $0 == "." }
    var unit = String(lowered.dropFirst(number.count))
    for suffix in ["ib", "b"] where unit.hasSuffix(suffix) {
      unit.removeLast(suffix.count)
      break
    }
    let scale: Double
    switch unit {
    case "": scale = 1
    case "k": scale = 1024
    case "m": scale = 1024 * 1024
    case "g": scale = 1024 * 1024 * 1024
    case "t": scale = 1024 * 1024 * 1024 * 1024
    default: return nil
    }
    guard let value = Double(number), value > 0, value * scale < Double(Int.max) else { return nil }
    return Int(value * scale)
  }

  /// Bytes for people: `28.8 GB`, `512 MB`.
  public static func format(_ bytes: Int) -> String {
    if bytes == Int.max { return "more than the address space" }
    let units = ["bytes", "KB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
  }

  /// The memory available now: `MemAvailable` of `/proc/meminfo` (the physical memory
  /// elsewhere), capped by the address-space limit (`ulimit -v`) less what the process has
  /// mapped.
  public static var available: Int {
    var result = physicalAvailable
    var limit = rlimit()
    #if canImport(Glibc)
    let addressSpace = Int32(RLIMIT_AS.rawValue)
    #else
    let addressSpace = RLIMIT_AS
    #endif
    if getrlimit(addressSpace, &limit) == 0, limit.rlim_cur != rlim_t.max {
      let headroom = Int(clamping: limit.rlim_cur) - mappedBytes
      result = min(result, max(0, headroom))
    }
    return result
  }

  static var physicalAvailable: Int {
    if let text = readText("/proc/meminfo"), let kilobytes = field(text, "MemAvailable:") { return kilobytes * 1024 }
    return Int(clamping: Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE))))
  }

  /// The process's mapped address space (`VmSize`), 0 when unknown.
  static var mappedBytes: Int {
    guard let text = readText("/proc/self/status"), let kilobytes = field(text, "VmSize:") else { return 0 }
    return kilobytes * 1024
  }

  /// The number after `name` on its line (the kB of `/proc` files).
  static func field(_ text: String, _ name: String) -> Int? {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
    return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
  }

  /// A small text file read with the C library (no Foundation in the core's hot paths).
  static func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&buffer, 1, buffer.count, file)
      if count <= 0 { break }
      bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
