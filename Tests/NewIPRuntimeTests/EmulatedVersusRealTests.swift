import Foundation
import XCTest

/// The proof that it is one node: the chain example run by the emulator (`nip emulate`) and
/// by real node processes (`nip run`) delivers the same packets.
///
/// Latency means different things on the two sides. Emulated, it is the configured path:
/// 2 × (1 ms propagation + 8 µs serialisation) = 2.016 ms, the nodes taking no time. Real, over
/// UDP on loopback, the links' delays are charged to contracts but not spent, so it is the nodes'
/// processing, the kernel's and the scheduler's, whatever the links' delays: about 1.5 ms in a
/// debug build, tens of ms in the tail on a loaded machine (two shared cores). The medians are therefore
/// held within 25 ms of each other, a bound on the machine's load, not a claim of equality.
final class EmulatedVersusRealTests: NodeProcessTestCase {
    static let latencyTolerance: Int64 = 25_000_000

    func results(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testTheChainDeliversTheSameEmulatedAndOnRealNodes() throws {
        let topology = Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path
        let emulated = folder.appendingPathComponent("emulated").path, real = folder.appendingPathComponent("real").path
        let emulate = try run(["emulate", topology, "--out", emulated, "--quiet"])
        XCTAssertEqual(emulate.status, 0, emulate.error)
        // Ports of this test process, below the kernel's ephemeral range and apart from the other tests'.
        let slot = Int(getpid() % 400)
        let realRun = try run(["run", topology, "--duration", "1s", "--out", real, "--state", folder.appendingPathComponent("state").path,
                               "--base-port", "\(10000 + 10 * slot)", "--control-port", "\(15000 + 10 * slot)", "--timeout", "10"])
        XCTAssertEqual(realRun.status, 0, realRun.error)

        var medians: [Int64] = []
        for side in [try results(emulated), try results(real)] {
            let flow = try XCTUnwrap((side["flows"] as? [[String: Any]])?.first)
            // 100 packets a second for the 1 s run, none lost, none dropped anywhere.
            XCTAssertEqual(flow["sent"] as? Int, 100)
            XCTAssertEqual(flow["delivered"] as? Int, 100)
            XCTAssertEqual(flow["unaccounted"] as? Int, 0)
            XCTAssertEqual((flow["drops"] as? [String: Any])?.count, 0)
            for row in (side["nodes"] as? [[String: Any]] ?? []) + (side["links"] as? [[String: Any]] ?? []) {
                XCTAssertEqual((row["drops"] as? [String: Any])?.count, 0, "\(row)")
            }
            medians.append(try XCTUnwrap(((flow["latency_ns"] as? [String: Any])?["p50"] as? NSNumber)?.int64Value))
        }
        XCTAssertEqual(medians[0], 2_016_000)
        XCTAssertGreaterThan(medians[1], 0)
        XCTAssertLessThanOrEqual(abs(medians[1] - medians[0]), Self.latencyTolerance, "real median \(medians[1]) ns")
        let compare = try run(["compare", emulated, real, "--latency-tolerance", "25ms"])
        XCTAssertEqual(compare.status, 0, compare.output + compare.error)
    }

    /// The LBF dumbbell on loopback: each sending node spends its links' rate, delay and loss
    /// (`emulate-link`), so the 2 Mbps bottleneck's LBF queue builds up behind bulk's bursts as
    /// emulated. Delivered counts and drop reasons are equal (the example leaves room: no drops
    /// emulated, with margin in the queue and the control window for a real node's wake-ups).
    /// Real medians are no more than 25 ms below the emulated ones, and above them by at most
    /// 25 ms plus half the emulated median: real adds the nodes' processing and late wake-ups on
    /// a loaded machine (about +4 ms for control, +10–26 ms for bulk, measured), and a late
    /// wake-up at the bottleneck delays every packet queued behind it, so the excess grows with
    /// the queue. Both bounds still tell the queue apart from its absence: without the link
    /// emulation bulk's median would be the ~7 ms of propagation instead of ~66 ms of queueing,
    /// and a queue twice as deep would put it above 124 ms.
    func testTheLBFDumbbellQueuesTheSameEmulatedAndOnRealNodes() throws {
        let topology = Self.packageRoot.appendingPathComponent("Examples/lbf-dumbbell-loopback.yaml").path
        let emulated = folder.appendingPathComponent("emulated").path, real = folder.appendingPathComponent("real").path
        let emulate = try run(["emulate", topology, "--out", emulated, "--quiet"])
        XCTAssertEqual(emulate.status, 0, emulate.error)
        let slot = Int(getpid() % 400)
        let realRun = try run(["run", topology, "--out", real, "--state", folder.appendingPathComponent("state").path,
                               "--base-port", "\(10000 + 10 * slot)", "--control-port", "\(15000 + 10 * slot)", "--timeout", "10"])
        XCTAssertEqual(realRun.status, 0, realRun.error)
        let sides = [try results(emulated), try results(real)]
        let flows = try sides.map { try XCTUnwrap($0["flows"] as? [[String: Any]]) }
        XCTAssertEqual(flows[0].count, 2)
        XCTAssertEqual(flows[1].count, 2)
        func drops(_ side: [String: Any]) -> [String: [String: Int]] {
            var all: [String: [String: Int]] = [:]
            for row in (side["nodes"] as? [[String: Any]] ?? []) {
                all["node \(row["name"] ?? "?")"] = row["drops"] as? [String: Int] ?? [:]
            }
            for row in (side["links"] as? [[String: Any]] ?? []) {
                all["link \(row["from"] ?? "?")"] = row["drops"] as? [String: Int] ?? [:]
            }
            return all
        }
        // Real nodes wake on a shared machine's timers: one wake-up late by more than a packet's
        // slack can cost an LBF packet its window (dropped `late`, or still in flight when the
        // run stops). The tolerance: one such packet per flow; everything else is exact.
        func withoutLate(_ all: [String: [String: Int]]) -> [String: [String: Int]] {
            all.mapValues { $0.filter { $0.key != "late" } }.filter { !$0.value.isEmpty }
        }
        XCTAssertEqual(withoutLate(drops(sides[1])), withoutLate(drops(sides[0])))
        let late = drops(sides[1]).values.reduce(0) { $0 + ($1["late"] ?? 0) } - drops(sides[0]).values.reduce(0) { $0 + ($1["late"] ?? 0) }
        XCTAssertLessThanOrEqual(late, flows[0].count, "late drops beyond one per flow")
        for (emulatedFlow, realFlow) in zip(flows[0], flows[1]) {
            let name = emulatedFlow["name"] as? String ?? "?"
            XCTAssertEqual(realFlow["sent"] as? Int, emulatedFlow["sent"] as? Int, name)
            let delivered = [emulatedFlow, realFlow].map { $0["delivered"] as? Int ?? -1 }
            XCTAssertTrue((0...1).contains(delivered[0] - delivered[1]), "\(name): delivered \(delivered)")
            XCTAssertLessThanOrEqual(realFlow["unaccounted"] as? Int ?? 99, 1, name)
            let medians = try [emulatedFlow, realFlow].map { try XCTUnwrap((($0["latency_ns"] as? [String: Any])?["p50"] as? NSNumber)?.int64Value) }
            XCTAssertGreaterThanOrEqual(medians[1], medians[0] - Self.latencyTolerance, "\(name): p50 \(medians)")
            XCTAssertLessThanOrEqual(medians[1], medians[0] + Self.latencyTolerance + medians[0] / 2, "\(name): p50 \(medians)")
            if name == "bulk" {
                // The queue built up: far above the 7 ms of propagation, real as emulated.
                XCTAssertGreaterThan(medians[0], 40_000_000)
                XCTAssertGreaterThan(medians[1], 40_000_000)
            }
        }
    }

    /// A flow sent at twice its bottleneck's rate into a 5-packet queue: the router drops about
    /// half of it (`queue-full`), and the real router charges each drop to the flow whose probe
    /// the packet carries, so the real run's flow shows its drops by reason as the emulated one
    /// does. The emulation stops at 1 s with the queue full (those packets unaccounted); the real
    /// run lets the nodes drain, so every packet sent is delivered or dropped.
    func testARealRunChargesDropsToTheirFlows() throws {
        let topology = folder.appendingPathComponent("overload.yaml")
        try """
            name: overload
            seed: 7
            duration: 1s
            nodes:
              a: {kind: host, interfaces: {eth0: "0x01"}}
              r: {kind: router, interfaces: {eth0: "0x10", eth1: "0x11"}}
              b: {kind: host, interfaces: {eth0: "0x02"}}
            links:
              - {endpoints: [a:eth0, r:eth0], rate: 100Mbps, delay: 1ms}
              - {endpoints: [r:eth1, b:eth0], rate: 400kbps, delay: 1ms, queue: {discipline: fifo, limit: 5}}
            flows:
              - {name: f, from: a, to: b, rate: 100pps, size: 1000}
            """.write(to: topology, atomically: true, encoding: .utf8)
        let emulated = folder.appendingPathComponent("emulated").path, real = folder.appendingPathComponent("real").path
        XCTAssertEqual(try run(["emulate", topology.path, "--out", emulated, "--quiet"]).status, 0)
        let slot = Int(getpid() % 400)
        let realRun = try run(["run", topology.path, "--out", real, "--state", folder.appendingPathComponent("state").path,
                               "--base-port", "\(10000 + 10 * slot)", "--control-port", "\(15000 + 10 * slot)", "--timeout", "10"])
        XCTAssertEqual(realRun.status, 0, realRun.error)
        var queueFull: [Int] = []
        for side in [try results(emulated), try results(real)] {
            let flow = try XCTUnwrap((side["flows"] as? [[String: Any]])?.first)
            let sent = try XCTUnwrap(flow["sent"] as? Int), delivered = try XCTUnwrap(flow["delivered"] as? Int)
            let dropped = try XCTUnwrap(flow["drops"] as? [String: Int])
            XCTAssertEqual(sent, 100)
            XCTAssertEqual(Set(dropped.keys), ["queue-full"], "\(dropped)")
            // 400 kbps carries 50 packets of 1,000 bytes a second: about half gets through.
            XCTAssertTrue((45...60).contains(delivered), "delivered \(delivered)")
            queueFull.append(dropped["queue-full", default: 0])
        }
        let realFlow = try XCTUnwrap((try results(real)["flows"] as? [[String: Any]])?.first)
        XCTAssertEqual(realFlow["unaccounted"] as? Int, 0, "\(realFlow)")
        XCTAssertEqual((realFlow["delivered"] as? Int ?? 0) + queueFull[1], 100)
        // The same overflow: the real node's timers may shift one arrival across a departure.
        XCTAssertLessThanOrEqual(abs(queueFull[1] - queueFull[0]), 2, "queue-full emulated and real: \(queueFull)")
    }

    func testRunNamesABadOptionBeforeStartingAnything() throws {
        let topology = Self.packageRoot.appendingPathComponent("Examples/chain.yaml").path
        let state = folder.appendingPathComponent("state").path
        let bad = try run(["run", topology, "--duration", "soon", "--out", folder.appendingPathComponent("out").path, "--state", state])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.error.hasPrefix("Error: --duration soon: "), bad.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state))
    }
}
