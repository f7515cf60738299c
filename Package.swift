// swift-tools-version: 6.0
//
// OTKit: optimal transport and the transport view of attention, in Swift.

import PackageDescription

let package = Package(
  name: "OTKit",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "OTKit", targets: ["OTKit"]),
    // The reproduced papers (seed 000-003), for those who want to rerun or extend a study.
    .library(name: "OTKitExperiments", targets: ["OTKitExperiments"]),
    .executable(name: "otkit", targets: ["otkit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation` (DocC); a plugin only, nothing is linked.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // Engine ---------------------------------------------------------------------------
    // Matrix, products (portable kernels and the run-time BLAS loader), exp / log-sum-exp /
    // softmax kernels, the small linear algebra (QR, Cholesky, eigen, conjugate gradients),
    // parallel loops, seeded random numbers, and ScratchMemory, the one owner of the raw
    // buffers that the other targets borrow.
    .target(
      name: "OTKitCore",
      dependencies: ["_OTKitShims", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // C shims of OTKitCore (an implementation detail): AVX-512 / AVX2 kernels chosen at run
    // time (target attributes, no compiler flags).
    .target(name: "_OTKitShims"),
    // Optimal transport: Geometry/ -> Problem/ -> Solvers/ -> Solution/, and OT.solve.
    .target(
      name: "OTKitTransport",
      dependencies: ["OTKitCore", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // Attention as transport: every anchor's forward and backward, the operator, the
    // diagnostics. Depends on the core only.
    .target(
      name: "OTKitAttention",
      dependencies: ["OTKitCore", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // Data: CSV, NPY and safetensors reading and writing, standardization.
    .target(name: "OTKitData", dependencies: ["OTKitCore"]),
    // Reporting: SVG charts and self-contained HTML reports.
    .target(name: "OTKitReport", dependencies: ["OTKitCore"]),
    // Use ------------------------------------------------------------------------------
    // The autograd tape and its one table of backward rules (attention through the anchors'
    // rules).
    .target(
      name: "OTKitAutograd",
      dependencies: ["OTKitCore", "OTKitAttention", "OTKitTransport", .product(name: "Numerics", package: "swift-numerics")]
    ),
    // Neural networks: layers, losses, optimizers, the trainer, model files.
    .target(
      name: "OTKitNeural",
      dependencies: [
        "OTKitCore", "OTKitData", "OTKitAttention", "OTKitAutograd",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    // Tabular models: classifiers with standardization, labels and model files (the MLP,
    // the transformer and its pretrained variant, the OT classifier), the OT metrics of
    // training.
    .target(
      name: "OTKitTabular",
      dependencies: ["OTKitCore", "OTKitData", "OTKitTransport", "OTKitAttention", "OTKitAutograd", "OTKitNeural"]
    ),
    // Reproduced papers, one folder per paper; each reproduction a `Reproduction` value
    // (Codable settings with the paper's defaults, one run, an Encodable result, a report)
    // registered in `Experiment`. Not re-exported by the umbrella.
    .target(
      name: "OTKitExperiments",
      dependencies: [
        "OTKitCore", "OTKitData", "OTKitTransport", "OTKitAttention", "OTKitAutograd", "OTKitNeural", "OTKitTabular",
        "OTKitReport",
      ]
    ),
    // The umbrella that re-exports every library target but the experiments.
    .target(
      name: "OTKit",
      dependencies: [
        "OTKitCore", "OTKitData", "OTKitTransport", "OTKitAttention", "OTKitAutograd", "OTKitNeural",
        "OTKitTabular", "OTKitReport",
      ]
    ),
    // The command-line tool: option groups, validation, progress and output only.
    .executableTarget(
      name: "otkit",
      dependencies: [
        "OTKit", "OTKitExperiments",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Tests -----------------------------------------------------------------------------
    // Helpers shared by the test targets (temporary files removed when a test run ends).
    .target(name: "OTKitTestSupport", path: "Tests/OTKitTestSupport"),
    .testTarget(name: "OTKitCoreTests", dependencies: ["OTKitCore"]),
    .testTarget(name: "OTKitDataTests", dependencies: ["OTKitTestSupport", "OTKitData"]),
    .testTarget(
      name: "OTKitTransportTests", dependencies: ["OTKitTestSupport", "OTKitTransport", "OTKitData"],
      resources: [.copy("Resources")]),
    .testTarget(
      name: "OTKitNeuralTests", dependencies: ["OTKitAttention", "OTKitAutograd", "OTKitNeural", "OTKitData", "OTKitTransport"],
      resources: [.copy("Resources")]),
    .testTarget(name: "OTKitTabularTests", dependencies: ["OTKitTestSupport", "OTKitTabular", "OTKitExperiments"]),
    .testTarget(
      name: "OTKitExperimentsTests",
      dependencies: [
        "OTKitTestSupport", "OTKitExperiments", "OTKitTabular", "OTKitData", "OTKitAutograd", "OTKitNeural", "OTKitCore", "OTKitTransport",
        "OTKitReport",
      ]),
    .testTarget(name: "OTKitReportTests", dependencies: ["OTKitReport"]),
    .testTarget(
      name: "OTKitAttentionTests", dependencies: ["OTKitAttention", "OTKitAutograd", "OTKitNeural", "OTKitCore"],
      exclude: ["entmax_reference.json"]),
    .testTarget(name: "OTKitTests", dependencies: ["OTKitTestSupport", "OTKit", "OTKitExperiments"]),
    .testTarget(name: "OTKitCLITests", dependencies: ["OTKitTestSupport", "otkit", "OTKit", "OTKitExperiments"]),
  ],
  swiftLanguageModes: [.v6]
)
