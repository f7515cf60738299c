extension Array {
  /// The elements grouped by `key`, groups in the order of their first element and
  /// elements in their order: how a study's runs become one summary per arm.
  ///
  /// - Complexity: `O(n · groups)`.
  func groupedInOrder<Key: Equatable>(by key: (Element) -> Key) -> [[Element]] {
    var keys: [Key] = [], groups: [[Element]] = []
    for element in self {
      let k = key(element)
      if let index = keys.firstIndex(of: k) {
        groups[index].append(element)
      } else {
        keys.append(k)
        groups.append([element])
      }
    }
    return groups
  }
}
