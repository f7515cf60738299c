extension SinkhornAcceleration {
  /// The names of the accelerations, as the command line takes them.
  public static let optionNames = ["adaptive", "momentum", "anderson", "none"]

  /// The acceleration of a name (``optionNames``): `adaptive` (the default), `momentum`
  /// with `omega` (default 1.5), `anderson` mixing `memory` sweeps (default 5), or `none`.
  public init?(option: String, omega: Double? = nil, memory: Int? = nil) {
    switch option {
    case "adaptive": self = .adaptive
    case "momentum": self = .momentum(omega: omega ?? 1.5)
    case "anderson": self = .anderson(memory: memory ?? 5, ridge: 1e-2)
    case "none": self = .none
    default: return nil
    }
  }
}

extension MarginalPenalty {
  /// The names of the penalties, as the command line takes them.
  public static let names = ["kl", "tv"]

  /// The penalty of a name (``names``) with strength `rho`; `.hard` for an infinite `rho`.
  public init?(name: String, rho: Double) {
    guard name == "kl" || name == "tv" else { return nil }
    self = !rho.isFinite ? .hard : name == "kl" ? .kl(rho: rho) : .tv(rho: rho)
  }
}
