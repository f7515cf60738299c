/// A vectorized exponential on SIMD lanes, with the same results on every platform.
///
/// Cody-Waite range reduction `x = k ln 2 + r`, `|r| <= ln(2)/2`, a Taylor polynomial of
/// `exp(r)` evaluated by Horner's rule (degree 13 for `Double`, 8 for `Float`, truncation
/// error below half an ulp), and `2^k` built from the exponent bits in two factors so that
/// results in the subnormal range are rounded rather than flushed. Only `+`, `*` and bit
/// operations are used, so the result does not depend on the platform's `libm`; the error
/// is within 2 ulp of the correctly rounded value. `exp(+inf) = +inf`, `exp(-inf) = 0`, and
/// NaN propagates.
///
/// - Complexity: `O(n)`, about 20 vector operations per lane group.
enum VectorExp {
  // MARK: Double

  @inline(__always)
  static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let log2e = 1.4426950408889634
    let ln2hi = 6.93147180369123816490e-01
    let ln2lo = 1.90821492927058770002e-10
    let shifter = 6755399441055744.0  // 1.5 * 2^52: adding it rounds to an integer
    let upper = 709.782712893384
    let lower = -745.1332191019412
    // Clamp with masks (SIMD's clamped(lowerBound:upperBound:) is not inlined here).
    var xc = x.replacing(with: -746, where: x .< -746)
    xc.replace(with: 710, where: xc .> 710)
    let t = xc * log2e + shifter
    let kf = t - shifter
    let r = (xc - kf * ln2hi) - kf * ln2lo
    var p = SIMD4<Double>(repeating: 1.0 / 6227020800.0)  // 1/13!
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    // 2^k as 2^k1 * 2^k2 with k1 = round(k / 2), both within the normal exponent range.
    let k1f = (kf * 0.5 + shifter) - shifter
    let k2f = kf - k1f
    let base = SIMD4<Int64>(repeating: Int64(bitPattern: shifter.bitPattern))
    let k1 = unsafeBitCast(k1f + shifter, to: SIMD4<Int64>.self) &- base
    let k2 = unsafeBitCast(k2f + shifter, to: SIMD4<Int64>.self) &- base
    let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    let s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: SIMD4<Double>.self)
    var y = p * s1 * s2
    y.replace(with: 0, where: x .< lower)
    y.replace(with: .infinity, where: x .> upper)
    y.replace(with: x, where: x .!= x)
    return y
  }

  static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
    var i = 0
    while i + 4 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: exp(v), as: SIMD4<Double>.self)
      i += 4
    }
    if i < count {
      var v = SIMD4<Double>(repeating: 0)
      for l in 0..<(count - i) { v[l] = x[i + l] }
      let e = exp(v)
      for l in 0..<(count - i) { y[i + l] = e[l] }
    }
  }

  static func sumExp(_ x: UnsafePointer<Double>, count: Int, shift: Double) -> Double {
    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
    var i = 0
    while i + 8 <= count {
      let v0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
      let v1 = UnsafeRawPointer(x + i + 4).loadUnaligned(as: SIMD4<Double>.self)
      s0 += exp(v0 - shift)
      s1 += exp(v1 - shift)
      i += 8
    }
    while i < count {
      var v = SIMD4<Double>(repeating: -.infinity)
      for l in 0..<min(4, count - i) { v[l] = x[i + l] - shift }
      s0 += exp(v)
      i += 4
    }
    return (s0 + s1).sum()
  }

  // MARK: Float

  /// `exp(r)` for `|r| <= ln(2) / 2`: the degree-8 Taylor polynomial by Horner's rule.
  @inline(__always)
  static func taylor(_ r: SIMD8<Float>) -> SIMD8<Float> {
    var p = SIMD8<Float>(repeating: 1.0 / 40320.0)
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p
  }

  @inline(__always)
  static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let log2e: Float = 1.44269504
    let ln2hi: Float = 0.693145752  // ln 2 with its low 12 bits cleared
    let ln2lo: Float = 1.42860677e-06
    let shifter: Float = 12582912  // 1.5 * 2^23
    let upper: Float = 88.7228394
    let lower: Float = -103.972084
    var xc = x.replacing(with: -105, where: x .< -105)
    xc.replace(with: 89, where: xc .> 89)
    let t = xc * log2e + shifter
    let kf = t - shifter
    let r = (xc - kf * ln2hi) - kf * ln2lo
    let p = taylor(r)
    let k1f = (kf * 0.5 + shifter) - shifter
    let k2f = kf - k1f
    let base = SIMD8<Int32>(repeating: Int32(bitPattern: shifter.bitPattern))
    let k1 = unsafeBitCast(k1f + shifter, to: SIMD8<Int32>.self) &- base
    let k2 = unsafeBitCast(k2f + shifter, to: SIMD8<Int32>.self) &- base
    let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: SIMD8<Float>.self)
    let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: SIMD8<Float>.self)
    var y = p * s1 * s2
    y.replace(with: 0, where: x .< lower)
    y.replace(with: .infinity, where: x .> upper)
    y.replace(with: x, where: x .!= x)
    return y
  }

  static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(y + i).storeBytes(of: exp(v), as: SIMD8<Float>.self)
      i += 8
    }
    if i < count {
      var v = SIMD8<Float>(repeating: 0)
      for l in 0..<(count - i) { v[l] = x[i + l] }
      let e = exp(v)
      for l in 0..<(count - i) { y[i + l] = e[l] }
    }
  }

  static func sumExp(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var i = 0
    while i + 16 <= count {
      let v0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
      let v1 = UnsafeRawPointer(x + i + 8).loadUnaligned(as: SIMD8<Float>.self)
      s0 += exp(v0 - shift)
      s1 += exp(v1 - shift)
      i += 16
    }
    while i < count {
      var v = SIMD8<Float>(repeating: -.infinity)
      for l in 0..<min(8, count - i) { v[l] = x[i + l] - shift }
      s0 += exp(v)
      i += 8
    }
    return (s0 + s1).sum()
  }

  // MARK: Softmax

  /// `exp(x)` for `x <= 0` or NaN (the shifted scores of a softmax): the reduction and
  /// polynomial of ``exp(_:)-swift.type.method`` without the overflow and NaN fix-ups, which
  /// cannot be needed there (NaN still propagates through the arithmetic).
  @inline(__always)
  static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let log2e: Float = 1.44269504
    let ln2hi: Float = 0.693145752
    let ln2lo: Float = 1.42860677e-06
    let shifter: Float = 12582912
    let xc = x.replacing(with: -104, where: x .< -104)
    let t = xc * log2e + shifter
    let kf = t - shifter
    let r = (xc - kf * ln2hi) - kf * ln2lo
    let p = taylor(r)
    // k >= -150: 2^k as 2^(k + 64) * 2^-64 keeps the exponent field normal.
    let base = SIMD8<Int32>(repeating: Int32(bitPattern: shifter.bitPattern))
    let k = unsafeBitCast(t, to: SIMD8<Int32>.self) &- base
    let scale = unsafeBitCast((k &+ (127 + 64)) &<< 23, to: SIMD8<Float>.self)
    return p * scale * (1 / 18446744073709551616.0)
  }

  @inline(__always)
  static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> { exp(x) }

  /// An in-place row softmax in three vector passes: the maximum, `exp(x - max)` stored
  /// with its sum, and the scaling. The tail shorter than a vector is done lane by lane.
  @inline(__always)
  static func softmax<V: SIMD>(
    _ row: UnsafeMutablePointer<V.Scalar>, count n: Int, lanes: V.Type, exp: (V) -> V
  ) where V.Scalar: BinaryFloatingPoint {
    let w = V.scalarCount
    var i = 0
    var peakV = V(repeating: -.infinity)
    while i + w <= n {
      let v = UnsafeRawPointer(row + i).loadUnaligned(as: V.self)
      peakV = pointwiseMax(peakV, v)
      i += w
    }
    var peak = peakV.max()
    while i < n {
      peak = Swift.max(peak, row[i])
      i += 1
    }
    let shift = V(repeating: peak)
    var sumV = V(repeating: 0)
    i = 0
    while i + w <= n {
      let e = exp(UnsafeRawPointer(row + i).loadUnaligned(as: V.self) - shift)
      UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: V.self)
      sumV += e
      i += w
    }
    if i < n {
      var v = V(repeating: -.infinity)
      for l in 0..<(n - i) { v[l] = row[i + l] - peak }
      let e = exp(v)
      for l in 0..<(n - i) { row[i + l] = e[l] }
      sumV += e
    }
    let inverse = V(repeating: 1 / sumV.sum())
    i = 0
    while i + w <= n {
      let v = UnsafeRawPointer(row + i).loadUnaligned(as: V.self) * inverse
      UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: V.self)
      i += w
    }
    while i < n {
      row[i] *= inverse[0]
      i += 1
    }
  }
}
