// swift-tools-version: 6.1
import PackageDescription

// The per-packet path (data plane, node, emulator) without the run-time exclusivity checks in
// release builds: each access to a class's stored property cost a call into the runtime's
// access set, a third of the emulator's instructions per event (docs/emulator-instructions.json).
// Debug builds, and so every test, keep the checks and catch an overlapping access.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "swift-newip",
    products: [
        .library(name: "NewIPWire", targets: ["NewIPWire"]),
        .library(name: "NewIPCapture", targets: ["NewIPCapture"]),
        .executable(name: "nip", targets: ["nip"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Wire formats of both New IP dialects: depends on nothing but the standard library.
        .target(name: "NewIPWire"),
        // Safe file output (atomic, never replacing what nip did not write) and input errors that say why.
        .target(name: "NewIPFiles"),
        // A fixed seeded generator shared by tests, benchmarks and the emulator.
        .target(name: "NewIPRandom"),
        // Classic pcap and pcapng reading and writing.
        .target(name: "NewIPCapture"),
        // The one JSON encoding: exact numbers, one-line or indented, the same bytes every time.
        .target(name: "NewIPJSON"),
        // Turning packets of either dialect into records, lines and JSON.
        .target(name: "NewIPDecode", dependencies: ["NewIPWire", "NewIPJSON"]),
        // Claims computed from the codecs (header overhead, ...).
        .target(name: "NewIPAnalysis", dependencies: ["NewIPWire", "NewIPSecurity"]),
        // The forwarding core: tables, contracts, queues, router, gateway; pure, time passed in.
        .target(
            name: "NewIPDataPlane",
            dependencies: [
                "NewIPWire",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: hotPathSettings
        ),
        // The topology model both worlds run and the real nodes' node files: one YAML reader for
        // both, validation, units and address text, routing computations, generators, and the
        // flows' traffic and packets.
        .target(
            name: "NewIPTopology",
            dependencies: [
                "NewIPWire", "NewIPDataPlane", "NewIPRandom", "NewIPFiles",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The control plane's routing: a delay-metric distance vector (Babel-like) and its
        // authenticated messages; pure, time passed in.
        .target(
            name: "NewIPControl",
            dependencies: ["NewIPWire", "NewIPDataPlane", "NewIPSecurity", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // One node's logic for every role (host, router, gateway), with no clock and no I/O: the
        // emulator and the real nodes are two drivers of it.
        .target(
            name: "NewIPNode", dependencies: ["NewIPWire", "NewIPDataPlane", "NewIPTopology", "NewIPSecurity", "NewIPControl"],
            swiftSettings: hotPathSettings
        ),
        // Deterministic discrete-event emulator in virtual time: links, devices, measurements; drives NodeCore.
        .target(
            name: "NewIPEmulator",
            dependencies: [
                "NewIPWire", "NewIPCapture", "NewIPDataPlane", "NewIPRandom", "NewIPDecode", "NewIPJSON", "NewIPFiles", "NewIPTopology", "NewIPNode",
                "NewIPSecurity", "NewIPControl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: hotPathSettings
        ),
        // Real nodes: the data plane on SwiftNIO sockets and the wall clock, control and metrics
        // over HTTP, the host socket API, and what `nip up/ping/send/...` need to talk to nodes.
        .target(
            name: "NewIPRuntime",
            dependencies: [
                "NewIPWire", "NewIPDataPlane", "NewIPCapture", "NewIPTopology", "NewIPNode", "NewIPFiles", "NewIPJSON",
                "NewIPSecurity", "NewIPLog", "NewIPControl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The transparency log: RFC 9162 Merkle tree, C2SP tiles, signed-note checkpoints and witnesses.
        .target(name: "NewIPLog", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // AES-128 and AES-CMAC on AES-NI for the per-packet source check (swift-crypto's per-call
        // cost is ten times the budget); NewIPSecurity falls back to swift-crypto without AES-NI.
        .target(name: "CNewIPAES"),
        // Identity and source authentication: device keys, self-certifying addresses, address
        // certificates, the per-packet source authenticator (DRKey-style); pure, time passed in.
        .target(
            name: "NewIPSecurity",
            dependencies: [
                "NewIPWire", "CNewIPAES",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "nip",
            dependencies: [
                "NewIPWire", "NewIPCapture", "NewIPAnalysis", "NewIPDecode", "NewIPJSON", "NewIPDataPlane", "NewIPTopology", "NewIPNode", "NewIPEmulator", "NewIPRandom", "NewIPRuntime", "NewIPFiles", "NewIPLog", "NewIPSecurity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "NewIPWireTests", dependencies: ["NewIPWire", "NewIPRandom"]),
        .testTarget(name: "NewIPCaptureTests", dependencies: ["NewIPCapture", "NewIPWire", "NewIPRandom"]),
        .testTarget(name: "NewIPAnalysisTests", dependencies: ["NewIPAnalysis", "NewIPWire"]),
        .testTarget(name: "NewIPDataPlaneTests", dependencies: ["NewIPDataPlane", "NewIPWire", "NewIPRandom"]),
        // Running the built `nip` as a user would: shared by the test targets that run the CLI.
        .target(name: "NipTestSupport", path: "Tests/NipTestSupport"),
        .testTarget(name: "NipCommandTests", dependencies: ["nip", "NewIPRandom", "NipTestSupport"]),
        .testTarget(name: "NewIPFilesTests", dependencies: ["NewIPFiles"]),
        // HdrHistogram is the reference the emulator's own latency counts are checked against.
        .testTarget(name: "NewIPEmulatorTests", dependencies: ["NewIPEmulator", "NewIPTopology", "NewIPRandom", "NewIPJSON", "NewIPDataPlane", "NewIPWire", "NewIPCapture", "NewIPFiles", "NewIPSecurity", "NewIPControl",
                                                               .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .testTarget(name: "NewIPRuntimeTests", dependencies: ["NewIPRuntime", "NewIPJSON", "NewIPTopology", "NewIPNode", "NewIPDataPlane", "NewIPWire", "NewIPCapture", "NewIPEmulator", "nip", "NipTestSupport", "NewIPSecurity", "NewIPLog"]),
        .testTarget(name: "NewIPLogTests", dependencies: ["NewIPLog"]),
        .testTarget(name: "NewIPSecurityTests", dependencies: ["NewIPSecurity", "NewIPWire"],
                    exclude: ["known_answers.py"]),  // the independent known-answer computation, run by hand
        .testTarget(name: "NewIPNodeTests", dependencies: ["NewIPNode", "NewIPTopology", "NewIPDataPlane", "NewIPWire", "NewIPSecurity"]),
        .testTarget(name: "NewIPControlTests", dependencies: ["NewIPControl", "NewIPDataPlane", "NewIPWire", "NewIPSecurity"]),
        .testTarget(name: "NewIPDecodeTests", dependencies: ["NewIPDecode", "NewIPWire", "NewIPCapture", "NewIPJSON"]),
    ]
)
