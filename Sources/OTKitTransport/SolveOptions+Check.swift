extension SolveOptions {
  /// The methods that take a setting (named as the field of ``SolveOptions``): what
  /// ``check(for:)`` holds a method to, and what a message can name as the way out.
  ///
  /// A method-specific setting (``restrictedSettings``) is taken by the methods whose solver
  /// lists it (``TransportSolver/settings(for:)``); every other setting by every method.
  public static func methods(taking setting: String) -> [TransportMethod] {
    guard restrictedSettings.contains(setting) else { return TransportMethod.allCases }
    return TransportMethod.allCases.filter { $0 != .auto && $0.solverType.settings(for: $0).contains(setting) }
  }

  /// The settings that only some methods take, named as the fields of ``SolveOptions``
  /// (`penalties` is both marginal penalties).
  public static let restrictedSettings: Set<String> = [
    "epsilon", "useFloat", "epsilonScaling", "acceleration", "penalties", "gamma", "maxNonZeros",
  ]

  /// Checks that the options fit `method` (``TransportMethod/auto`` is Sinkhorn with an
  /// epsilon, else an exact method): the one place that says which setting goes with which
  /// solver and which values are valid. ``OT/solver(for:problem:options:)`` calls it; so
  /// does the command line, before it reads any file.
  ///
  /// - Throws: ``SolveError/missingEpsilon(_:)``, ``SolveError/missingSetting(_:method:)``
  ///   (`gamma`, `maxNonZeros`), ``SolveError/unsupportedSetting(_:method:)`` (a setting
  ///   the method does not take) or ``SolveError/invalidSetting(_:reason:)``.
  /// - Complexity: O(1).
  public func check(for method: TransportMethod) throws {
    let method = method == .auto ? (epsilon == nil ? .exact : .sinkhorn) : method
    func takes(_ setting: String) -> Bool { Self.methods(taking: setting).contains(method) }
    let penalized = !sourcePenalty.isHard || !targetPenalty.isHard
    let given: [(String, Bool)] = [
      ("epsilon", epsilon != nil), ("useFloat", useFloat), ("epsilonScaling", epsilonScaling != nil), ("penalties", penalized),
      ("acceleration", acceleration != .adaptive), ("gamma", gamma != nil), ("maxNonZeros", maxNonZeros != nil),
    ]
    if let (setting, _) = given.first(where: { $0.1 && !takes($0.0) }) { throw SolveError.unsupportedSetting(setting, method: method) }
    if method.isEntropic {
      guard let epsilon else { throw SolveError.missingEpsilon(method) }
      guard epsilon.value > 0 && epsilon.value.isFinite else { throw SolveError.invalidSetting("epsilon", reason: "must be positive") }
    }
    if method.isEntropic || method.isSmooth, !(tolerance > 0) { throw SolveError.invalidSetting("tolerance", reason: "must be positive") }
    if method.isSmooth {
      guard let gamma, gamma > 0, gamma.isFinite else { throw SolveError.missingSetting("gamma", method: method) }
    }
    if method == .sparse {
      guard let maxNonZeros, maxNonZeros >= 1 else { throw SolveError.missingSetting("maxNonZeros", method: method) }
    }
    try acceleration.check()
    try Self.check(sourcePenalty, "sourcePenalty")
    try Self.check(targetPenalty, "targetPenalty")
    if penalized && sourcePenalty.rho.isInfinite && targetPenalty.rho.isInfinite {
      throw SolveError.invalidSetting("penalties", reason: "need a finite rho on at least one side")
    }
  }

  static func check(_ penalty: MarginalPenalty, _ name: String) throws {
    guard penalty.rho > 0 && !penalty.rho.isNaN else { throw SolveError.invalidSetting(name, reason: "must be a positive number or inf") }
  }
}

extension SinkhornAcceleration {
  /// Checks the acceleration's values: over-relaxation in (0, 2), Anderson memory from 2
  /// to 50.
  ///
  /// - Throws: ``SolveError/invalidSetting(_:reason:)`` (`omega`, `andersonMemory`).
  public func check() throws {
    switch self {
    case .momentum(let omega):
      guard omega > 0 && omega < 2 else { throw SolveError.invalidSetting("omega", reason: "must be in (0, 2)") }
    case .anderson(let memory, _):
      guard memory >= 2 && memory <= 50 else { throw SolveError.invalidSetting("andersonMemory", reason: "must be from 2 to 50") }
    default: break
    }
  }
}
