extension Kernels {
  /// The permutation that sorts `keys` ascending (stable); see ``sorted(_:)``.
  ///
  /// - Complexity: `O(n)` time for continuous data, `O(n log n)` at worst.
  public static func sortingPermutation(_ keys: [Double]) -> [Int] {
    sorted(keys).order
  }

  /// `keys` sorted ascending, with the permutation that sorts them (`values[k] =
  /// keys[order[k]]`; stable: equal keys keep their order).
  ///
  /// A least-significant-digit radix sort on order-preserving bit patterns (negative
  /// numbers with all bits flipped, positive ones with the sign bit set): three passes of
  /// 11-bit digits over the top 33 bits (sign, exponent and 21 bits of mantissa), counted
  /// in one pass, with passes whose digit is the same for every key skipped; then the runs
  /// that share those bits (values within a relative `2^-21` of each other) are finished by
  /// insertion sort, or by a comparison sort when a run is long. `-0.0` sorts before
  /// `0.0`; NaN is not expected.
  ///
  /// - Complexity: `O(n)` time for continuous data, `O(n log n)` at worst; `O(n)` memory.
  public static func sorted(_ keys: [Double]) -> (values: [Double], order: [Int]) {
    let n = keys.count
    guard n > 1 else { return (keys, Array(0..<n)) }
    let bits = 11
    let buckets = 1 << bits
    let shifts: [UInt64] = [31, 42, 53]
    let keysA = HugePages.allocate(UInt64.self, capacity: n)
    let keysB = HugePages.allocate(UInt64.self, capacity: n)
    let indexA = HugePages.allocate(Int32.self, capacity: n)
    let indexB = HugePages.allocate(Int32.self, capacity: n)
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: shifts.count * buckets)
    defer {
      keysA.deallocate()
      keysB.deallocate()
      indexA.deallocate()
      indexB.deallocate()
      counts.deallocate()
    }
    counts.initialize(repeating: 0, count: shifts.count * buckets)
    let mask = UInt64(buckets - 1)
    keys.withUnsafeBufferPointer { source in
      for t in 0..<n {
        let raw = source[t].bitPattern
        let key = raw & (1 << 63) != 0 ? ~raw : raw | (1 << 63)
        keysA[t] = key
        indexA[t] = Int32(truncatingIfNeeded: t)
        counts[Int((key >> 31) & mask)] += 1
        counts[buckets + Int((key >> 42) & mask)] += 1
        counts[2 * buckets + Int((key >> 53) & mask)] += 1
      }
    }
    var (fromKeys, toKeys, fromIndex, toIndex) = (keysA, keysB, indexA, indexB)
    for (pass, shift) in shifts.enumerated() {
      let histogram = counts + pass * buckets
      // A digit shared by every key moves nothing.
      if histogram[Int((fromKeys[0] >> shift) & mask)] == n { continue }
      var sum = 0
      for q in 0..<buckets {
        let c = histogram[q]
        histogram[q] = sum
        sum += c
      }
      for t in 0..<n {
        let key = fromKeys[t]
        let digit = Int((key >> shift) & mask)
        let position = histogram[digit]
        histogram[digit] = position + 1
        toKeys[position] = key
        toIndex[position] = fromIndex[t]
      }
      swap(&fromKeys, &toKeys)
      swap(&fromIndex, &toIndex)
    }
    finishRuns(keys: fromKeys, index: fromIndex, count: n)
    let values: [Double] = HugePages.array(count: n) { out in
      for t in 0..<n {
        let key = fromKeys[t]
        out[t] = Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
      }
    }
    let order: [Int] = HugePages.array(count: n) { out in
      for t in 0..<n { out[t] = Int(fromIndex[t]) }
    }
    return (values, order)
  }

  /// Finishes the runs of keys that share their top 33 bits (after the radix passes):
  /// insertion sort for short runs, a comparison sort for long ones; ties keep the
  /// original order.
  ///
  /// - Complexity: `O(n)` for continuous data, `O(n log n)` at worst.
  static func finishRuns(keys: UnsafeMutablePointer<UInt64>, index: UnsafeMutablePointer<Int32>, count n: Int) {
    var start = 0
    while start < n {
      let top = keys[start] >> 31
      var end = start + 1
      while end < n && keys[end] >> 31 == top { end += 1 }
      if end - start > 32 {
        var run = (start..<end).map { (keys[$0], index[$0]) }
        run.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for (k, entry) in run.enumerated() {
          keys[start + k] = entry.0
          index[start + k] = entry.1
        }
      } else if end - start > 1 {
        for t in (start + 1)..<end {
          let key = keys[t], position = index[t]
          var u = t
          while u > start && keys[u - 1] > key {
            keys[u] = keys[u - 1]
            index[u] = index[u - 1]
            u -= 1
          }
          keys[u] = key
          index[u] = position
        }
      }
      start = end
    }
  }
}
