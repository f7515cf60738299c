import OTKitAutograd
import OTKitCore

/// A model or layer: it owns named parameters, possibly through sub-modules.
///
/// Names are dotted paths (`"layers.0.weight"`), the keys of a saved model file.
public protocol Module: AnyObject {
  /// The parameters with their dotted names, in a fixed order.
  var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension Module {
  /// The parameters in ``namedParameters`` order.
  public var parameters: [Parameter] { namedParameters.map(\.parameter) }

  /// The number of scalar parameters.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Sets every gradient to zero.
  public func zeroGradients() { parameters.forEach { $0.zeroGradient() } }

  /// Freezes (or unfreezes) every parameter.
  public func setTrainable(_ trainable: Bool) { parameters.forEach { $0.isTrainable = trainable } }

  /// A copy of every parameter's value (to restore the best weights later).
  public func snapshot() -> [Matrix<Double>] { parameters.map(\.value) }

  /// Restores values from ``snapshot()``.
  public func restore(_ values: [Matrix<Double>]) {
    let parameters = self.parameters
    precondition(values.count == parameters.count, "A snapshot of \(values.count) values for \(parameters.count) parameters")
    for (p, v) in zip(parameters, values) { p.value = v }
  }
}

/// Prefixes the parameter names of a sub-module.
public func prefixed(_ prefix: String, _ module: any Module) -> [(name: String, parameter: Parameter)] {
  module.namedParameters.map { (prefix + "." + $0.name, $0.parameter) }
}

/// A module that maps one tensor to another.
public protocol Layer: Module {
  func callAsFunction(_ x: Tensor) -> Tensor
}
