// The umbrella module: `import OTKit` brings in every library target but the reproduced
// papers, which are `import OTKitExperiments` (their own product).
@_exported import OTKitCore
@_exported import OTKitData
@_exported import OTKitTransport
@_exported import OTKitNeural
@_exported import OTKitTabular
@_exported import OTKitReport
@_exported import OTKitAttention
@_exported import OTKitAutograd

/// Facts about this build of OTKit.
public enum OTKitInfo {
  /// The version of OTKit.
  public static let version = "0.1.0"
}
