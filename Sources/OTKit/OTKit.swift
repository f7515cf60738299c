// The umbrella module: `import OTKit` brings in every library target.
@_exported import OTKitCore
@_exported import OTKitData
@_exported import OTKitTransport
@_exported import OTKitNeural
@_exported import OTKitTabular
@_exported import OTKitReport
@_exported import OTKitAttention
@_exported import OTKitAutograd
@_exported import OTKitExperiments

/// Facts about this build of OTKit.
public enum OTKitInfo {
  /// The version of OTKit.
  public static let version = "0.1.0"
}
