import Foundation
import OTKitCore

extension CircuitState {
  /// A one-qubit rotation: `R_y(phi) = [[c, -s], [s, c]]` or `R_z(phi) = diag(e^{-i phi/2}, e^{i phi/2})`
  /// with `c, s = cos, sin(phi / 2)`.
  enum Rotation { case y, z }

  /// Left-multiplies the `n x n` complex matrix `(re, im)` by the rotation on `qubit`.
  ///
  /// - Complexity: `O(n^2)`.
  static func rotate(_ re: inout [Double], _ im: inout [Double], _ n: Int, qubit w: Int, gate: Rotation, angle phi: Double) {
    let (c, s) = (Foundation.cos(phi / 2), Foundation.sin(phi / 2))
    let bit = 1 << w
    for i0 in 0..<n where i0 & bit == 0 {
      let (r0, r1) = (i0 * n, (i0 | bit) * n)
      for col in 0..<n {
        let (ar, ai, br, bi) = (re[r0 + col], im[r0 + col], re[r1 + col], im[r1 + col])
        switch gate {
        case .y:
          (re[r0 + col], im[r0 + col]) = (c * ar - s * br, c * ai - s * bi)
          (re[r1 + col], im[r1 + col]) = (s * ar + c * br, s * ai + c * bi)
        case .z:
          // e^{-i phi/2} a and e^{i phi/2} b.
          (re[r0 + col], im[r0 + col]) = (ar * c + ai * s, ai * c - ar * s)
          (re[r1 + col], im[r1 + col]) = (br * c - bi * s, bi * c + br * s)
        }
      }
    }
  }

  /// `Re sum conj(L) (g'(phi) U)` for the rotation's derivative `g'` on `qubit`: the
  /// derivative of the loss in the gate's angle, `L` the adjoint after the gate and `U` the
  /// matrix before it.
  ///
  /// - Complexity: `O(n^2)`.
  static func angleDerivative(
    adjoint lr: [Double], _ li: [Double], before ur: [Double], _ ui: [Double], _ n: Int, qubit w: Int, gate: Rotation, angle phi: Double
  ) -> Double {
    let (c, s) = (Foundation.cos(phi / 2) / 2, Foundation.sin(phi / 2) / 2)
    let bit = 1 << w
    var total = 0.0
    for i0 in 0..<n where i0 & bit == 0 {
      let (r0, r1) = (i0 * n, (i0 | bit) * n)
      for col in 0..<n {
        let (ar, ai, br, bi) = (ur[r0 + col], ui[r0 + col], ur[r1 + col], ui[r1 + col])
        let (d0r, d0i, d1r, d1i): (Double, Double, Double, Double)
        switch gate {
        case .y:
          (d0r, d0i, d1r, d1i) = (-s * ar - c * br, -s * ai - c * bi, c * ar - s * br, c * ai - s * bi)
        case .z:
          // (-i/2) e^{-i phi/2} a and (i/2) e^{i phi/2} b.
          (d0r, d0i, d1r, d1i) = (ai * c - ar * s, -ar * c - ai * s, -bi * c - br * s, br * c - bi * s)
        }
        total += lr[r0 + col] * d0r + li[r0 + col] * d0i + lr[r1 + col] * d1r + li[r1 + col] * d1i
      }
    }
    return total
  }

  /// The ring of CNOTs (control `w`, target `w + 1 mod q`) on the rows, in order or, to undo
  /// it, in reverse order (each CNOT is its own inverse); none on one qubit.
  static func cnotRing(_ re: inout [Double], _ im: inout [Double], _ n: Int, qubits q: Int, reverse: Bool) {
    guard q >= 2 else { return }
    for k in 0..<q {
      let w = reverse ? q - 1 - k : k
      let (control, target) = (1 << w, 1 << ((w + 1) % q))
      for i in 0..<n where i & control != 0 && i & target == 0 {
        let (a, b) = (i * n, (i | target) * n)
        for col in 0..<n {
          re.swapAt(a + col, b + col)
          im.swapAt(a + col, b + col)
        }
      }
    }
  }

  /// The gradient in every angle of a loss with gradient `weightGradient` in the `T x T`
  /// weights: the adjoint `2 G U` runs back through the gates with `U`, each gate undone by
  /// its inverse.
  ///
  /// - Complexity: `O(n^4)`.
  func angleGradient(weightGradient g: Matrix<Double>) -> [Double] {
    let n = size
    var (ur, ui) = (real, imaginary)
    var lr = [Double](repeating: 0, count: n * n), li = lr
    for i in 0..<tokens {
      for j in 0..<tokens {
        lr[i * n + j] = 2 * g[i, j] * ur[i * n + j]
        li[i * n + j] = 2 * g[i, j] * ui[i * n + j]
      }
    }
    var gradient = [Double](repeating: 0, count: angles.count)
    let perLayer = 2 * qubits
    for layer in stride(from: angles.count / perLayer - 1, through: 0, by: -1) {
      Self.cnotRing(&ur, &ui, n, qubits: qubits, reverse: true)
      Self.cnotRing(&lr, &li, n, qubits: qubits, reverse: true)
      for w in stride(from: qubits - 1, through: 0, by: -1) {
        for (gate, offset) in [(Rotation.z, 1), (Rotation.y, 0)] {
          let index = layer * perLayer + 2 * w + offset
          Self.rotate(&ur, &ui, n, qubit: w, gate: gate, angle: -angles[index])
          gradient[index] = Self.angleDerivative(adjoint: lr, li, before: ur, ui, n, qubit: w, gate: gate, angle: angles[index])
          Self.rotate(&lr, &li, n, qubit: w, gate: gate, angle: -angles[index])
        }
      }
    }
    return gradient
  }
}
