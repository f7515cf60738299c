import Foundation

/// Encodes the library's `Encodable` results as a ``JSONValue``, so that the command line
/// and the reproductions print them with one formatting (keys sorted, one line, integral numbers without a
/// fraction, non-finite numbers as `null`).
public struct JSONValueEncoder {
  /// The JSON value of `value`.
  public static func encode(_ value: some Encodable) throws -> JSONValue {
    let root = Node()
    try value.encode(to: NodeEncoder(node: root, codingPath: []))
    return root.value
  }

  /// A value under construction: a scalar, an object or an array.
  final class Node {
    var scalar: JSONValue?
    var object: [String: Node]?
    var array: [Node]?

    var value: JSONValue {
      if let object { return .object(object.mapValues(\.value)) }
      if let array { return .array(array.map(\.value)) }
      return scalar ?? .null
    }
  }

  struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
      if node.object == nil { node.object = [:] }
      return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
      if node.array == nil { node.array = [] }
      return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
  }

  /// Encodes `value` into `node`: numbers, strings and booleans directly, anything else
  /// through its own `encode(to:)`.
  static func put(_ value: some Encodable, into node: Node, codingPath: [any CodingKey]) throws {
    switch value {
    case let v as Bool: node.scalar = .bool(v)
    case let v as String: node.scalar = .string(v)
    case let v as Double: node.scalar = .number(v)
    case let v as Float: node.scalar = .number(Double(v))
    case let v as Int: node.scalar = .number(Double(v))
    case let v as UInt64: node.scalar = .number(Double(v))
    default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
  }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    func child(_ key: Key) -> Node {
      let child = Node()
      node.object![key.stringValue] = child
      return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      try JSONValueEncoder.put(value, into: child(key), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
      NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: child(key), codingPath: codingPath + [key]) }
  }

  struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.array?.count ?? 0 }

    func append() -> Node {
      let child = Node()
      node.array!.append(child)
      return child
    }

    mutating func encodeNil() throws { append().scalar = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try JSONValueEncoder.put(value, into: append(), codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
      NodeEncoder(node: append(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
      NodeEncoder(node: append(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: append(), codingPath: codingPath) }
  }

  struct Single: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.scalar = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try JSONValueEncoder.put(value, into: node, codingPath: codingPath) }
  }
}
