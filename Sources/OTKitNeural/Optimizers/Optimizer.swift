import OTKitAutograd
import OTKitCore

/// An optimizer: updates the trainable parameters from their gradients.
///
/// Frozen parameters (`Parameter.isTrainable` false) are skipped. State (momenta) is
/// kept per parameter object.
public protocol Optimizer: AnyObject {
  /// The learning rate of the next step; a ``LearningRateSchedule`` sets it per epoch.
  var learningRate: Double { get set }
  /// One update of every trainable parameter from its gradient.
  func step(_ parameters: [Parameter])
}

/// The parameter loop shared by the optimizers (MLX Swift's `OptimizerBase` pattern): one
/// step visits every trainable parameter, hands its state to ``update(_:state:)`` and keeps
/// it, keyed by the parameter object. A new optimizer subclasses this and implements only
/// ``initialState(for:)`` and ``update(_:state:)`` (and ``beginStep()`` for a per-step
/// counter).
///
/// - Complexity: one ``update(_:state:)`` per trainable parameter per step.
open class OptimizerBase<State>: Optimizer {
  public var learningRate: Double
  var states: [ObjectIdentifier: State] = [:]

  public init(learningRate: Double) { self.learningRate = learningRate }

  /// Called once at the start of every step, before any parameter.
  open func beginStep() {}

  /// The state of a parameter seen for the first time.
  open func initialState(for parameter: Parameter) -> State { fatalError("subclasses provide the initial state") }

  /// Updates one trainable parameter from its gradient.
  open func update(_ parameter: Parameter, state: inout State) { fatalError("subclasses provide the update") }

  public final func step(_ parameters: [Parameter]) {
    beginStep()
    for p in parameters where p.isTrainable {
      let id = ObjectIdentifier(p)
      // Taken out of the dictionary so that the update mutates it in place, uniquely.
      var state = states.removeValue(forKey: id) ?? initialState(for: p)
      update(p, state: &state)
      states[id] = state
    }
  }
}
