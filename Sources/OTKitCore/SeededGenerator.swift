/// A seeded, reproducible random number generator: xoshiro256** seeded through SplitMix64.
///
/// D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
/// 47(4), 2021. Every derived sample (uniform, normal, permutations) uses only integer
/// operations, IEEE `+ - * /`, `sqrt` and ``DeterministicMath/log(_:)``, never the
/// platform's `libm`, so the same seed gives the same numbers on every platform.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let x = rng.normalMatrix(rows: 100, columns: 2) as Matrix<Double>
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
  private var s0, s1, s2, s3: UInt64
  private var spareNormal: Double?

  /// A generator whose stream is determined by `seed`.
  public init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inline(__always)
  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform `Double` in `[0, 1)` with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform value in `[lower, upper)`.
  @inlinable
  public mutating func uniform<T: MatrixScalar>(in range: Range<T>) -> T {
    let u = T(uniform())
    let value = range.lowerBound + (range.upperBound - range.lowerBound) * u
    return value < range.upperBound ? value : range.lowerBound
  }

  /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
  public mutating func integer(below bound: Int) -> Int {
    precondition(bound > 0, "integer(below:) needs a positive bound")
    let b = UInt64(bound)
    var product = next().multipliedFullWidth(by: b)
    if product.low < b {
      let threshold = (0 &- b) % b
      while product.low < threshold { product = next().multipliedFullWidth(by: b) }
    }
    return Int(product.high)
  }

  /// A standard normal sample (Marsaglia's polar method).
  public mutating func normal() -> Double {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    while true {
      let u = 2 * uniform() - 1
      let v = 2 * uniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let factor = (-2 * DeterministicMath.log(s) / s).squareRoot()
        spareNormal = v * factor
        return u * factor
      }
    }
  }

  /// A normal sample with the given mean and standard deviation.
  @inlinable
  public mutating func normal<T: MatrixScalar>(mean: T, standardDeviation: T) -> T {
    mean + standardDeviation * T(normal())
  }

  /// A matrix of independent uniform samples in `range`.
  @inlinable
  public mutating func uniformMatrix<T: MatrixScalar>(
    rows: Int, columns: Int, in range: Range<T> = 0..<1
  ) -> Matrix<T> {
    var elements = [T]()
    elements.reserveCapacity(rows * columns)
    for _ in 0..<rows * columns { elements.append(uniform(in: range)) }
    return Matrix(rows: rows, columns: columns, elements: elements)
  }

  /// A matrix of independent normal samples.
  @inlinable
  public mutating func normalMatrix<T: MatrixScalar>(
    rows: Int, columns: Int, mean: T = 0, standardDeviation: T = 1
  ) -> Matrix<T> {
    var elements = [T]()
    elements.reserveCapacity(rows * columns)
    for _ in 0..<rows * columns {
      elements.append(normal(mean: mean, standardDeviation: standardDeviation))
    }
    return Matrix(rows: rows, columns: columns, elements: elements)
  }

  /// `count` samples (rows) of the multivariate normal `N(mean, covariance)`, drawn as
  /// `mean + L z` with `L` the Cholesky factor of the covariance and `z` standard normal.
  ///
  /// - Throws: ``LinearAlgebraError`` when the covariance is not square of the mean's
  ///   dimension, not symmetric, or not positive semi-definite.
  /// - Complexity: `O(d^3 + count d^2)`.
  @inlinable
  public mutating func multivariateNormal<T: MatrixScalar>(
    mean: [T], covariance: Matrix<T>, count: Int
  ) throws -> Matrix<T> {
    let d = mean.count
    guard covariance.rows == d, covariance.columns == d else {
      throw LinearAlgebraError.shapeMismatch(
        "covariance is \(covariance.rows) x \(covariance.columns), mean has \(d) entries")
    }
    let l = try covariance.cholesky()
    let z: Matrix<T> = normalMatrix(rows: count, columns: d)
    // Rows of Z L^T are samples of N(0, L L^T).
    var x = Matrix.product(z, l, transposeB: true)
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<count {
        for j in 0..<d { p[i * d + j] += mean[j] }
      }
    }
    return x
  }

  /// A uniformly random permutation of `0..<n` (Fisher-Yates).
  @inlinable
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    shuffle(&p)
    return p
  }

  /// Shuffles `array` in place (Fisher-Yates, the same on every platform).
  @inlinable
  public mutating func shuffle<Element>(_ array: inout [Element]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      let j = integer(below: i + 1)
      if i != j { array.swapAt(i, j) }
    }
  }
}
