/// The one owner of OTKit's unsafe scratch memory.
///
/// Every raw buffer that OTKit allocates outside an `Array` or a ``Matrix`` comes from here:
/// a solver's working arrays (the network simplex's spanning tree, the 1-D solver's plan
/// under construction, a Sinkhorn sweep's cost row) and a kernel's per-thread scratch (the
/// sparse anchors' candidate lists). Keeping allocation in one audited type means one place
/// decides alignment, huge-page advice and release, and the rest of the package only
/// borrows pointers for the lifetime of an owner it holds.
///
/// Two forms:
/// - ``withTemporary(of:count:_:)`` lends a buffer for the duration of a closure (the
///   common case: scratch inside a parallel loop);
/// - an instance owns a buffer for its lifetime: keep the instance in a stored property
///   while ``base`` is used, and the memory is freed when the last reference goes.
///
/// - Complexity: `O(1)` to allocate (the memory is not initialized unless asked);
///   `O(count)` with `repeating:`.
public final class ScratchMemory<Element>: @unchecked Sendable {
  /// The first element; valid while this owner is alive.
  public let base: UnsafeMutablePointer<Element>
  /// The number of elements.
  public let count: Int

  /// `count` uninitialized elements (trivial element types only: they are never
  /// deinitialized), advised for huge pages when large (``HugePages``).
  public init(count: Int) {
    precondition(count >= 0, "A scratch buffer needs a non-negative count")
    base = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(count, 1))
    self.count = count
    HugePages.advise(UnsafeMutableRawPointer(base), byteCount: count * MemoryLayout<Element>.stride)
  }

  /// `count` copies of `value`.
  public convenience init(repeating value: Element, count: Int) {
    self.init(count: count)
    base.initialize(repeating: value, count: count)
  }

  deinit { base.deallocate() }

  /// The buffer as a typed buffer pointer, valid while this owner is alive.
  public var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }

  /// Lends `count` uninitialized elements of a trivial type to `body` and frees them after.
  @inlinable
  public static func withTemporary<R>(
    of type: Element.Type = Element.self, count: Int, _ body: (UnsafeMutablePointer<Element>) throws -> R
  ) rethrows -> R {
    let pointer = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(count, 1))
    defer { pointer.deallocate() }
    return try body(pointer)
  }
}
