/// A ground cost in a settings file: its name (`"cosine"`), or for the Minkowski cost an
/// object with its exponents (`{"name": "minkowski", "p": 3, "q": 1}`). A custom cost is a
/// closure and cannot be written; encoding one throws.
extension GroundCost: Codable {
  private enum CodingKeys: String, CodingKey { case name, p, q }

  public init(from decoder: any Decoder) throws {
    if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
      guard let cost = GroundCost(name: name) else {
        throw DecodingError.dataCorruptedError(
          in: single, debugDescription: "Unknown ground cost \"\(name)\"; one of \(Self.names.joined(separator: ", "))")
      }
      self = cost
      return
    }
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let name = try container.decode(String.self, forKey: .name)
    guard name == "minkowski" else {
      guard let cost = GroundCost(name: name) else {
        throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "Unknown ground cost \"\(name)\"")
      }
      self = cost
      return
    }
    self = .minkowski(
      p: try container.decodeIfPresent(Double.self, forKey: .p) ?? 1,
      q: try container.decodeIfPresent(Double.self, forKey: .q) ?? 1)
  }

  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .squaredEuclidean, .euclidean, .cosine:
      var single = encoder.singleValueContainer()
      try single.encode(name)
    case .minkowski(let p, let q):
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(name, forKey: .name)
      try container.encode(p, forKey: .p)
      try container.encode(q, forKey: .q)
    case .custom(let name, _):
      throw EncodingError.invalidValue(
        self, .init(codingPath: encoder.codingPath, debugDescription: "The custom cost \"\(name)\" is a closure and cannot be written"))
    }
  }
}

/// Two ground costs are equal when they name the same function with the same exponents; two
/// custom costs compare by their names (their closures cannot be compared).
extension GroundCost: Equatable {
  public static func == (lhs: GroundCost, rhs: GroundCost) -> Bool {
    switch (lhs, rhs) {
    case (.squaredEuclidean, .squaredEuclidean), (.euclidean, .euclidean), (.cosine, .cosine): true
    case (.minkowski(let p1, let q1), .minkowski(let p2, let q2)): p1 == p2 && q1 == q2
    case (.custom(let a, _), .custom(let b, _)): a == b
    default: false
    }
  }
}
