import Foundation
import OTKitCore
import RealModule

/// How Sinkhorn's iterations are accelerated, with a safeguard that falls back to plain
/// iterations.
///
/// - Momentum (over-relaxation): each half-step moves the potential to `(1 - ω) old + ω new`
///   (A. Thibault, L. Chizat, C. Dossal, N. Papadakis, "Overrelaxed Sinkhorn-Knopp
///   algorithm for regularized optimal transport", Algorithms 14, 2021), with a constant `ω`
///   or, adaptively, `ω = 2 / (1 + sqrt(1 - r))` from the observed per-iteration contraction
///   `r` of the marginal error (T. Lehmann, M.-K. von Renesse, A. Sambale, A. Uschmajew,
///   "A note on overrelaxation in the Sinkhorn algorithm", Optim. Lett. 16, 2022; OTT-JAX's
///   `Momentum` with `start`).
/// - Anderson mixing of the target potential over the last `memory` sweeps (D. G. Anderson,
///   J. ACM 12, 1965; OTT-JAX's `AndersonAcceleration`, regularized least squares with
///   `ridge`).
///
/// **Safeguard.** Every `checkEvery` iterations the marginal error is compared with the
/// previous check: if it grew, or a value stopped being finite, the potentials return to
/// the last check (at first, the starting ones) and the run goes on with half the
/// over-relaxation (`ω ← 1 + (ω - 1)/2`, plain below 1.05) or, for Anderson, plain:
/// momentum near 2 diverges at small epsilon. Convergence is accepted only on a plain
/// iteration, so the reported error is a plain sweep's.
public enum SinkhornAcceleration: Sendable, Equatable, CustomStringConvertible {
  /// Plain Sinkhorn.
  case none
  /// Constant over-relaxation `ω ∈ (0, 2)`.
  case momentum(omega: Double)
  /// Over-relaxation with `ω` estimated once, at iteration `start`, from the error's
  /// contraction over the previous `checkEvery` iterations (plain before `start`); the
  /// default of ``Sinkhorn``.
  case adaptiveMomentum(start: Int)
  /// Anderson mixing over `memory` sweeps with a ridge of `ridge` on the normalized Gram
  /// matrix.
  case anderson(memory: Int, ridge: Double)

  /// ``adaptiveMomentum(start:)`` from iteration 20.
  public static let adaptive = SinkhornAcceleration.adaptiveMomentum(start: 30)
  /// ``anderson(memory:ridge:)`` with OTT-JAX's defaults (memory 2, ridge `1e-2`).
  public static let andersonDefault = SinkhornAcceleration.anderson(memory: 2, ridge: 1e-2)

  /// The iterations between two checks of the safeguard.
  public static let checkEvery = 10

  /// `none`, `momentum`, `adaptive-momentum` or `anderson`.
  public var name: String {
    switch self {
    case .none: "none"
    case .momentum: "momentum"
    case .adaptiveMomentum: "adaptive-momentum"
    case .anderson: "anderson"
    }
  }

  public var description: String {
    switch self {
    case .none: "none"
    case .momentum(let w): "momentum(omega \(String(format: "%g", w)))"
    case .adaptiveMomentum(let s): "adaptive momentum(from iteration \(s))"
    case .anderson(let m, let r): "Anderson(memory \(m), ridge \(String(format: "%g", r)))"
    }
  }

  /// The over-relaxation `ω = 2 / (1 + sqrt(1 - r))` for a per-iteration contraction `r`
  /// (capped at 0.99, as OTT-JAX caps its ratio).
  public static func omega(contraction r: Double) -> Double {
    guard r.isFinite, r > 0 else { return 1 }
    return 2 / (1 + (1 - Swift.min(r, 0.99)).squareRoot())
  }
}

/// What the acceleration did in a run.
public struct SinkhornAccelerationReport: Sendable, Equatable, Encodable {
  /// The acceleration asked for (``SinkhornAcceleration/name``).
  public var mode: String
  /// The last over-relaxation used (1 without momentum).
  public var omega: Double
  /// Iterations run accelerated.
  public var acceleratedIterations: Int
  /// Times the safeguard fell back to plain iterations (0 or 1 per stage).
  public var fallbacks: Int
}

/// Anderson mixing of one potential vector over the last `memory` iterations.
struct AndersonMixer<T: MatrixScalar> {
  let memory: Int
  let ridge: Double
  var inputs: [[T]] = []
  var outputs: [[T]] = []

  mutating func clear() {
    inputs.removeAll()
    outputs.removeAll()
  }

  /// Records the sweep `input -> output` and returns the mixed next input (nil until the
  /// memory is full or when the system is singular).
  mutating func push(input: [T], output: [T]) -> [T]? {
    inputs.append(input)
    outputs.append(output)
    if inputs.count > memory {
      inputs.removeFirst()
      outputs.removeFirst()
    }
    guard inputs.count == memory, memory >= 2 else { return nil }
    let k = memory, m = input.count
    // Residuals with non-finite entries (zero weights) as 0.
    var residuals = [[Double]](repeating: [Double](repeating: 0, count: m), count: k)
    for r in 0..<k {
      for j in 0..<m {
        let d = Double(outputs[r][j]) - Double(inputs[r][j])
        residuals[r][j] = d.isFinite ? d : 0
      }
    }
    var gram = [Double](repeating: 0, count: k * k)
    for p in 0..<k {
      for q in p..<k {
        var s = 0.0
        for j in 0..<m { s += residuals[p][j] * residuals[q][j] }
        gram[p * k + q] = s
        gram[q * k + p] = s
      }
    }
    let norm = gram.reduce(0) { $0 + $1 * $1 }.squareRoot()
    guard norm > 0, norm.isFinite else { return nil }
    for e in gram.indices { gram[e] /= norm }
    for p in 0..<k { gram[p * k + p] += ridge }
    guard var weights = Self.solve(gram, [Double](repeating: 1, count: k), k) else { return nil }
    let total = weights.reduce(0, +)
    guard total != 0, total.isFinite else { return nil }
    for r in 0..<k { weights[r] /= total }
    var mixed = [T](repeating: 0, count: m)
    for j in 0..<m {
      guard outputs[k - 1][j].isFinite else {
        mixed[j] = outputs[k - 1][j]
        continue
      }
      var s = 0.0
      for r in 0..<k { s += weights[r] * Double(outputs[r][j]) }
      mixed[j] = s.isFinite ? T(s) : outputs[k - 1][j]
    }
    return mixed
  }

  /// Solves the `k x k` system by Gaussian elimination with partial pivoting.
  static func solve(_ matrix: [Double], _ rhs: [Double], _ k: Int) -> [Double]? {
    var a = matrix, b = rhs
    for c in 0..<k {
      var pivot = c
      for r in c + 1..<k where abs(a[r * k + c]) > abs(a[pivot * k + c]) { pivot = r }
      guard abs(a[pivot * k + c]) > 1e-300 else { return nil }
      if pivot != c {
        for q in 0..<k { a.swapAt(c * k + q, pivot * k + q) }
        b.swapAt(c, pivot)
      }
      for r in c + 1..<k {
        let factor = a[r * k + c] / a[c * k + c]
        for q in c..<k { a[r * k + q] -= factor * a[c * k + q] }
        b[r] -= factor * b[c]
      }
    }
    var x = [Double](repeating: 0, count: k)
    for r in stride(from: k - 1, through: 0, by: -1) {
      var s = b[r]
      for q in r + 1..<k { s -= a[r * k + q] * x[q] }
      x[r] = s / a[r * k + r]
    }
    return x.allSatisfy(\.isFinite) ? x : nil
  }
}
