// swift-tools-version: 6.0
// SwiftKeras: Keras for Swift on Linux.
import PackageDescription

let package = Package(
    name: "SwiftKeras",
    products: [
        .library(name: "Keras", targets: ["Keras"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "KerasDistributed", targets: ["KerasDistributed"]),
        .library(name: "KerasServing", targets: ["KerasServing"]),
        .executable(name: "swift-keras", targets: ["swift-keras"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The model server (`swift-keras serve`): HTTP, metrics, logs, lifecycle.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // CSVDataset: a CSV reader that streams rows.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // Hummingbird's own, named for the serve's admission handler, which sits in its NIO pipeline.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries: Debian's libhdf5-dev and libdnnl-dev (see README).
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // Open MPI (Debian's libopenmpi-dev), only for KerasDistributed.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // Every file SwiftKeras writes goes through one atomic writer (temporary sibling, fsync, rename).
        .target(name: "AtomicFile"),
        .target(name: "TensorCore", dependencies: ["CDNNL", "AtomicFile"]),
        .target(name: "HDF5", dependencies: ["CHDF5", "AtomicFile"]),
        .target(
            name: "Keras",
            dependencies: [
                "TensorCore", "HDF5", "AtomicFile", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
            ]),
        .target(name: "KerasDistributed", dependencies: ["Keras", "CMPI"]),
        .target(
            name: "KerasServing",
            dependencies: [
                "Keras", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "swift-keras",
            dependencies: [
                "Keras", "HDF5", "KerasServing", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),

        .executableTarget(name: "autodiff-demo", dependencies: ["TensorCore"], path: "Examples/autodiff-demo"),
        .executableTarget(
            name: "lstm-classifier", dependencies: ["Keras"], path: "Examples/lstm-classifier", exclude: ["README.md"]),
        .executableTarget(
            name: "rnn-from-scratch", dependencies: ["Keras"], path: "Examples/rnn-from-scratch", exclude: ["README.md"]),
        .executableTarget(
            name: "sequence-patterns", dependencies: ["Keras"], path: "Examples/sequence-patterns", exclude: ["README.md"]),
        .executableTarget(
            name: "text-generation", dependencies: ["Keras"], path: "Examples/text-generation", exclude: ["README.md"],
            resources: [.copy("Data")]),
        .executableTarget(
            name: "text-transformer", dependencies: ["Keras"], path: "Examples/text-transformer", exclude: ["README.md"]),
        .executableTarget(
            name: "time-series-forecast", dependencies: ["Keras"], path: "Examples/time-series-forecast", exclude: ["README.md"],
            resources: [.copy("Data")]),
        .executableTarget(
            name: "distributed-training", dependencies: ["KerasDistributed"], path: "Examples/distributed-training",
            exclude: ["README.md"]),
        .executableTarget(
            name: "keras-interop", dependencies: ["Keras"], path: "Examples/keras-interop", exclude: ["README.md", "check_in_keras.py"],
            resources: [.copy("Data")]),
        .executableTarget(
            name: "seq2seq-addition", dependencies: ["Keras"], path: "Examples/seq2seq-addition", exclude: ["README.md"]),
        .executableTarget(
            name: "digits-convnet", dependencies: ["Keras"], path: "Examples/digits-convnet", exclude: ["README.md"],
            resources: [.copy("Data")]),

        // Reliability tools: a mutation fuzzer over the model loaders, and a trainer that tests kill mid-save.
        .executableTarget(name: "fuzz-loaders", dependencies: ["Keras", "HDF5"], path: "Tools/fuzz-loaders"),
        .executableTarget(name: "checkpoint-trainer", dependencies: ["Keras"], path: "Tools/checkpoint-trainer"),
        // Data-parallel training checked against one process under mpirun (CI: `swift run mpi-check`).
        .executableTarget(name: "mpi-check", dependencies: ["KerasDistributed"], path: "Tools/mpi-check"),
        .executableTarget(
            name: "gemm-benchmark", dependencies: ["TensorCore", "CDNNL"], path: "Benchmarks/gemm-benchmark"),
        .executableTarget(name: "benchmarks", dependencies: ["Keras", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "Benchmarks/benchmarks"),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KerasTests", dependencies: ["Keras"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "KerasServingTests",
            dependencies: [
                "KerasServing", "Keras", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
