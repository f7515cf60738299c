import OTKitAutograd
import OTKitCore

/// Scales every trainable gradient so that their global L2 norm is at most `maxNorm`;
/// returns the norm before clipping.
@discardableResult
public func clipGradients(_ parameters: [Parameter], maxNorm: Double) -> Double {
  var total = 0.0
  for p in parameters where p.isTrainable {
    for g in p.gradient.elements { total += g * g }
  }
  let norm = total.squareRoot()
  if norm > maxNorm && norm > 0 {
    let factor = maxNorm / norm
    for p in parameters where p.isTrainable { p.gradient *= factor }
  }
  return norm
}
