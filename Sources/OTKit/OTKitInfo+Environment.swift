extension OTKitInfo {
  /// What this process computes with: the version, the matrix-product path (and the one
  /// asked for by `OTKIT_BLAS`), the threads, the vector kernels and the system BLAS when
  /// one was loaded (`otkit info`). Its JSON keys are a public contract.
  public struct Environment: Encodable, Sendable {
    public var version = OTKitInfo.version
    public var backend = KernelBackend.current.rawValue
    public var requestedBackend = KernelBackend.requested
    public var threads = Parallel.threads
    public var processors = Parallel.processorCount
    public var vectorKernels = VectorKernels.name
    public var blasLibrary = SystemBLAS.shared?.path
    public var blasConfiguration = SystemBLAS.shared?.configuration
    public var blasCore = SystemBLAS.shared?.coreName
    public var blasThreads = SystemBLAS.shared?.threads

    public init() {}

    /// The environment for people, one fact a line.
    public var lines: [String] {
      var lines = [
        "OTKit \(version)", "matrix products: \(backend) (OTKIT_BLAS=\(requestedBackend))",
        "threads: \(threads) of \(processors) processors (OTKIT_THREADS)", "vector kernels: \(vectorKernels) (OTKIT_VECTOR_KERNELS)",
      ]
      guard let blasLibrary else {
        return lines + ["system BLAS: none found (tried \(SystemBLAS.candidates.joined(separator: ", ")))"]
      }
      lines.append("system BLAS: \(blasLibrary)")
      if let blasConfiguration { lines.append("  configuration: \(blasConfiguration)") }
      if let blasCore { lines.append("  core: \(blasCore)") }
      if let blasThreads { lines.append("  threads: \(blasThreads)") }
      return lines
    }
  }
}
