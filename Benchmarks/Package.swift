// swift-tools-version: 6.1
//
// Benchmarks of OTKit's kernels (ordo-one/benchmark). Run from this folder:
//   swift package benchmark
// and compare with the NumPy/SciPy timings of ../scripts/peers/kernels.py.

import PackageDescription

let package = Package(
  name: "OTKitBenchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "OTKit", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "KernelBenchmarks",
      dependencies: [
        .product(name: "OTKit", package: "OTKit"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/KernelBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "DataBenchmarks",
      dependencies: [
        .product(name: "OTKit", package: "OTKit"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/DataBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "TransportBenchmarks",
      dependencies: [
        .product(name: "OTKit", package: "OTKit"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/TransportBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "AttentionBenchmarks",
      dependencies: [
        .product(name: "OTKit", package: "OTKit"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/AttentionBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "NeuralBenchmarks",
      dependencies: [
        .product(name: "OTKit", package: "OTKit"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/NeuralBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
