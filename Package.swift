// swift-tools-version: 6.0
//
// OTKit: optimal transport and the transport view of attention, in Swift.

import PackageDescription

let package = Package(
  name: "OTKit",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "OTKit", targets: ["OTKit"]),
    .executable(name: "otkit", targets: ["otkit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // Linear algebra core: Matrix, kernels (GEMM, log-sum-exp, distances), the optional
    // system BLAS, parallel loops and seeded random numbers. All unsafe code lives here.
    .target(
      name: "OTKitCore",
      dependencies: ["OTKitVectorShims", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // C shims of OTKitCore: the exponential and softmax kernels for AVX-512 and AVX2,
    // chosen at run time (target attributes, no compiler flags).
    .target(name: "OTKitVectorShims"),
    // Optimal transport: geometry -> problem -> solver -> result.
    .target(
      name: "OTKitTransport",
      dependencies: ["OTKitCore", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // Data: CSV and NPY reading and writing, standardization.
    .target(name: "OTKitData", dependencies: ["OTKitCore"]),
    // Autograd and neural networks: the tape, layers, losses, optimizers, the trainer.
    .target(
      name: "OTKitNeural",
      dependencies: ["OTKitCore", "OTKitData", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // Tabular models of the study (seed 000): classifiers with standardization, labels and
    // model files; the MLP baseline, the transformer and the OT classifier.
    .target(name: "OTKitTabular", dependencies: ["OTKitCore", "OTKitData", "OTKitTransport", "OTKitNeural", "OTKitReport"]),
    // Attention as transport: the operator family (anchors) and its diagnostics.
    .target(name: "OTKitAttention", dependencies: ["OTKitCore", "OTKitNeural"]),
    // Reporting: SVG charts and self-contained HTML reports.
    .target(name: "OTKitReport"),
    // The umbrella that re-exports every library target.
    .target(name: "OTKit", dependencies: ["OTKitCore", "OTKitData", "OTKitTransport", "OTKitNeural", "OTKitTabular", "OTKitReport", "OTKitAttention"]),
    // The command-line tool: parsing, validation, progress and output only.
    .executableTarget(
      name: "otkit",
      dependencies: [
        "OTKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Helpers shared by the test targets (temporary files removed when a test run ends).
    .target(name: "OTKitTestSupport", path: "Tests/OTKitTestSupport"),
    .testTarget(name: "OTKitCoreTests", dependencies: ["OTKitCore"]),
    .testTarget(name: "OTKitDataTests", dependencies: ["OTKitTestSupport", "OTKitData"]),
    .testTarget(name: "OTKitTransportTests", dependencies: ["OTKitTransport", "OTKitData"]),
    .testTarget(name: "OTKitNeuralTests", dependencies: ["OTKitNeural", "OTKitData"]),
    .testTarget(name: "OTKitTabularTests", dependencies: ["OTKitTestSupport", "OTKitTabular"]),
    .testTarget(name: "OTKitReportTests", dependencies: ["OTKitReport"]),
    .testTarget(
      name: "OTKitAttentionTests", dependencies: ["OTKitAttention", "OTKitNeural", "OTKitCore"],
      exclude: ["entmax_reference.json"]),
    .testTarget(name: "OTKitTests", dependencies: ["OTKitTestSupport", "OTKit"]),
    .testTarget(name: "OTKitCLITests", dependencies: ["OTKitTestSupport", "otkit"]),
  ],
  swiftLanguageModes: [.v6]
)
