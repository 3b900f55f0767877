@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Queue depth over virtual time, exactly, on h1 — r1 — h2 (1 Gbps: 8 ns per byte).
final class QueueDepthTests: XCTestCase {
    /// Three flows send at t = 0, in file order: 1000, 500 and 250 bytes. The first goes on
    /// the wire at once (8 µs); the others wait at h1: 2 packets (750 B) from 0, 1 (250 B) from
    /// 8 µs when the second starts (4 µs), none from 12 µs.
    static let threeAtOnce = """
      - {name: a, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms}
      - {name: b, from: h1, to: h2, rate: 1pps, size: 500, stop: 1ms}
      - {name: c, from: h1, to: h2, rate: 1pps, size: 250, stop: 1ms}
    """

    func run(_ flows: String, recording: Bool) throws -> EmulationResults {
        var emulation = try Emulation(topology: parse(chain(flows: flows)))
        emulation.recordsQueueDepth = recording
        return emulation.run()
    }

    func testEveryChangeOfEachQueueWithItsPacketsAndBytes() throws {
        let results = try run(Self.threeAtOnce, recording: true)
        let first = try XCTUnwrap(results.links.first { $0.name == "h1:eth0->r1:eth0" })
        typealias Sample = QueueDepthSeries.Sample
        XCTAssertEqual(first.queueDepth?.samples, [Sample(time: 0, packets: 2, bytes: 750), Sample(time: 8_000, packets: 1, bytes: 250),
                                                   Sample(time: 12_000, packets: 0, bytes: 0)])
        // At r1 (store and forward, 1 ms later): b is in from 1.012 ms while a is still on the
        // wire (until 1.016 ms), c from 1.014 ms; b leaves at 1.016 ms, c at 1.020 ms.
        let second = try XCTUnwrap(results.links.first { $0.name == "r1:eth1->h2:eth0" })
        XCTAssertEqual(second.queueDepth?.samples, [Sample(time: 1_012_000, packets: 1, bytes: 500),
                                                    Sample(time: 1_014_000, packets: 2, bytes: 750),
                                                    Sample(time: 1_016_000, packets: 1, bytes: 250),
                                                    Sample(time: 1_020_000, packets: 0, bytes: 0)])
        XCTAssertEqual(second.meanQueue, 10_000.0 / 10_000_000, accuracy: 1e-15)
        // Links nothing waited on record no change.
        XCTAssertEqual(results.links.first { $0.name == "r1:eth0->h1:eth0" }?.queueDepth?.samples, [])
        // The series agrees with the link's own time-weighted mean: (2 · 8 µs + 1 · 4 µs) / 10 ms.
        XCTAssertEqual(first.meanQueue, 20_000.0 / 10_000_000, accuracy: 1e-15)
        XCTAssertEqual(first.queueDepth?.meanPackets(perBinOf: 10_000_000, until: 10_000_000), [20_000.0 / 10_000_000])
        XCTAssertEqual(first.queueDepth?.meanPackets(perBinOf: 4_000, until: 16_000), [2, 2, 1, 0])
        XCTAssertEqual(first.queueDepth?.meanPackets(perBinOf: 6_000, until: 12_000), [2, (2 * 2_000 + 4_000) / 6_000.0])
        XCTAssertTrue(first.queueDepth!.depth(at: 7_999) == (2, 750) && first.queueDepth!.depth(at: 8_000) == (1, 250))

        // queue-depth.csv: one row per change, by link then time.
        let csv = try XCTUnwrap(results.files.first { $0.name == "queue-depth.csv" })
        XCTAssertEqual(String(decoding: csv.contents, as: UTF8.self), """
            link,time_ns,packets,bytes
            h1:eth0->r1:eth0,0,2,750
            h1:eth0->r1:eth0,8000,1,250
            h1:eth0->r1:eth0,12000,0,0
            r1:eth1->h2:eth0,1012000,1,500
            r1:eth1->h2:eth0,1014000,2,750
            r1:eth1->h2:eth0,1016000,1,250
            r1:eth1->h2:eth0,1020000,0,0

            """)
    }

    func testARunThatDoesNotAskRecordsNothingAndWritesTheSameFilesAsBefore() throws {
        let recorded = try run(Self.threeAtOnce, recording: true)
        let plain = try run(Self.threeAtOnce, recording: false)
        XCTAssertTrue(plain.links.allSatisfy { $0.queueDepth == nil })
        XCTAssertFalse(plain.files.contains { $0.name == "queue-depth.csv" })
        // Recording changes no other file.
        let others = recorded.files.filter { $0.name != "queue-depth.csv" }
        XCTAssertEqual(others.map(\.name), plain.files.map(\.name))
        XCTAssertEqual(others.map(\.contents), plain.files.map(\.contents))
    }

    /// The demo's bottleneck under every queue discipline: the series is recorded in every
    /// variant, and drawn on one chart with a legend entry per variant.
    func testTheBaselinesRecordTheBottleneckUnderEveryVariant() throws {
        let baselines = try QueueBaselines(topology: TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "demo.yaml"))
        XCTAssertEqual(baselines.bottleneck, "r1:eth2->r2:eth0")
        XCTAssertEqual(baselines.bottleneckDepth.map(\.variant), QueueBaselines.Variant.allCases)
        for (variant, depth) in baselines.bottleneckDepth {
            let link = try XCTUnwrap(baselines.run(variant).results.links.first { $0.name == "r1:eth2->r2:eth0" })
            XCTAssertEqual(depth.samples.map(\.packets).max(), link.maxQueue, "\(variant.rawValue): the deepest held depth is the maximum")
            XCTAssertEqual(depth.meanPackets(perBinOf: baselines.topology.duration, until: baselines.topology.duration)[0],
                           link.meanQueue, accuracy: 1e-9)
        }
        let plot = try XCTUnwrap(baselines.plots.first { $0.name == "queue-depth-bottleneck.svg" })
        for variant in QueueBaselines.Variant.allCases {
            XCTAssertTrue(plot.svg.contains("data-series=\"\(variant.rawValue)\""))
            XCTAssertTrue(plot.svg.contains("<tspan>\(variant.rawValue)</tspan>"))
        }
        XCTAssertTrue(baselines.bottleneckDepthCSV.hasPrefix("variant,link,time_ns,packets,bytes\nFIFO,r1:eth2->r2:eth0,"))
    }
}
