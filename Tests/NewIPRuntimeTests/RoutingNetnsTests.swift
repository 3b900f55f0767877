import Foundation
import NewIPJSON
import NewIPRuntime
import NewIPTopology
import XCTest

/// The routing protocol on real node processes over raw Ethernet: a ring of five routers, each
/// in a network namespace of its own joined by veth pairs (`TopologyDeployment.Namespaces`, as
/// `nip up --netns` lays them out), with a host on r1 and one on r3. Links are cut the way a
/// cable is, with `ip link set … down` on one end of a veth pair: the node learns it from the
/// device's carrier (CarrierWatch.swift), not from a request.
///
/// The veth pairs have no delay of their own, so the tables must equal the oracle's in next
/// hops and hop counts; the ring's delays in the file only make each shortest path unique.
final class RoutingNetnsTests: NodeProcessTestCase {
    var namespaces: [String] = []

    override func tearDownWithError() throws {
        try super.tearDownWithError()
        for namespace in namespaces { ProcessControl.shell("ip netns del \(namespace)") }
    }

    /// r1 … r5 in a ring (2 ms a link), h1 on r1, h3 on r3: h1 reaches h3 over r2 (2 ring
    /// hops) rather than over r5 and r4 (3).
    static let ring = """
        name: ring
        duration: 1s
        routing: dynamic
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x10", eth1: "0x11", eth2: "0x12"}}
          r2: {kind: router, interfaces: {eth0: "0x20", eth1: "0x21"}}
          r3: {kind: router, interfaces: {eth0: "0x30", eth1: "0x31", eth2: "0x32"}}
          r4: {kind: router, interfaces: {eth0: "0x40", eth1: "0x41"}}
          r5: {kind: router, interfaces: {eth0: "0x50", eth1: "0x51"}}
          h3: {kind: host, interfaces: {eth0: "0x03"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r2:eth1, r3:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r3:eth1, r4:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r4:eth1, r5:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r5:eth1, r1:eth2], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r3:eth2, h3:eth0], rate: 1Gbps, delay: 1ms}

        """

    /// Makes the ring's namespaces and veth pairs (names unique to this process and `tag`) and
    /// starts its nodes; skips, saying why, where namespaces are not permitted.
    func startRing(_ tag: String, options: [String] = []) throws -> (topology: Topology, layout: TopologyDeployment.Namespaces, configs: [NodeConfig]) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { throw XCTSkip("RoutingNetnsTests: no `ip` command") }
        let topology = try TopologyParser.parse(yaml: Self.ring, file: "ring.yaml")
        let layout = TopologyDeployment.Namespaces(prefix: "nrt\(getpid() % 100_000)\(tag)")
        for node in topology.nodes { ProcessControl.shell("ip netns del \(layout.namespace(node.name)) 2>/dev/null") }
        for command in layout.commands(for: topology) {
            let result = ProcessControl.shell(command)
            if command.hasPrefix("ip netns add") {
                namespaces.append(String(command.split(separator: " ")[3]))
            }
            guard result.status == 0 else {
                throw XCTSkip("RoutingNetnsTests: network namespaces or veth pairs are not permitted here (`\(command)` said: "
                              + "\(result.output.trimmingCharacters(in: .whitespacesAndNewlines))); they need root or CAP_NET_ADMIN")
            }
        }
        let configs = deployment(topology, namespaces: layout)
        XCTAssertEqual(configs.map(\.routes.count), Array(repeating: 0, count: 7), "no routes but the nodes' own at start")
        for config in configs { try startNode(config, options: options) }
        return (topology, layout, configs)
    }

    /// `ip -n NS link set dev DEVICE up|down` on one end of a ring link.
    func setLink(_ layout: TopologyDeployment.Namespaces, _ node: String, _ device: String, up: Bool) {
        let result = ProcessControl.shell("ip -n \(layout.namespace(node)) link set dev \(device) \(up ? "up" : "down")")
        XCTAssertEqual(result.status, 0, result.output)
    }

    func interface(_ config: NodeConfig, _ name: String) throws -> JSONValue? {
        try ControlClient.request("GET", config.control, "/interfaces").value().array().first { $0["name"]?.stringValue == name }
    }

    /// From empty tables to the oracle's; then r2's end of the r2 — r3 link goes down: r2 and r3
    /// see their carrier go, route around by r5 and r4 at once (no hold time to wait out), and
    /// h1's pings to h3 keep being answered (what the cut costs is printed, not asserted); the
    /// link comes up again and the routes return to it.
    func testARingConvergesReroutesWhenAVethGoesDownAndReturnsWhenItComesUp() throws {
        let begun = Date()
        let (topology, layout, configs) = try startRing("c")
        let converged = try converge(configs, topology, delays: false)
        print("routing in namespaces: converged \(String(format: "%.3f", Date().timeIntervalSince(begun))) s after the namespaces were made, "
              + "\(String(format: "%.3f", converged)) s after the last node answered")
        let (h1, r1, r2, r3) = (configs[0], configs[1], configs[2], configs[3])
        XCTAssertEqual(try learned(r1)["0x03/8"]?.via, "eth1", "h3 over r2")
        XCTAssertEqual(try learned(r1)["0x03/8"]?.hops, 3)

        let pinging = try BackgroundPing(nip: try nip, from: h1, to: "0x03", count: 100)
        usleep(300_000)
        let cutAt = Date()
        setLink(layout, "r2", "eth1", up: false)
        var without = topology
        without.links.remove(at: 2)
        let rerouted = try converge(configs, without, delays: false)
        print("routing in namespaces: reconverged \(String(format: "%.3f", Date().timeIntervalSince(cutAt))) s after "
              + "`ip link set dev eth1 down` in r2's namespace (\(String(format: "%.3f", rerouted)) s of polling)")
        print("routing in namespaces: pings every 10 ms across the cut: \(pinging.summary())")
        // One read: the delay is measured and moves between two reads of the table.
        let detour = try learned(r1)["0x03/8"]
        XCTAssertEqual(detour?.via, "eth2", "h3 by way of r5 and r4")
        XCTAssertEqual(detour?.hops, 4, "h3 by way of r5 and r4")
        // Both ends heard it from the device: r2's is down, r3's lost its carrier.
        for (config, name) in [(r2, "eth1"), (r3, "eth0")] {
            let shown = try XCTUnwrap(try interface(config, name))
            XCTAssertEqual(shown["carrier"]?.boolValue, false, "\(config.name) \(name)")
            XCTAssertEqual(shown["carrier_changes"]?.intValue, 1, "\(config.name) \(name)")
            XCTAssertEqual(shown["up"]?.boolValue, true, "not taken down by request")
            XCTAssertGreaterThanOrEqual(try ControlClient.request("GET", config.control, "/routes").value()
                .int("routing", "counters", "neighbours_lost"), 1)
        }
        let log = try String(contentsOfFile: try XCTUnwrap(started.first { $0.name == "r3" }).log, encoding: .utf8)
        XCTAssertTrue(log.contains("interface down") && log.contains("carrier"), log)
        // The detour carries pings; on a loaded machine one reply may miss its timeout (a CI run
        // saw it), so two of three answered prove the detour.
        let after = try run(["ping", "--control", h1.control.description, "-c", "3", "--interval", "0.05", "--timeout", "2", "0x03"])
        XCTAssertTrue(after.output.contains("3 received") || after.output.contains("2 received"), after.output + after.error)

        let mendedAt = Date()
        setLink(layout, "r2", "eth1", up: true)
        _ = try converge(configs, topology, delays: false)
        print("routing in namespaces: back over r2 \(String(format: "%.3f", Date().timeIntervalSince(mendedAt))) s after the link came up")
        XCTAssertEqual(try learned(r1)["0x03/8"]?.via, "eth1")
        XCTAssertEqual(try interface(r3, "eth0")?["carrier_changes"]?.intValue, 2)
    }

    /// 20 ms of netem delay on both ends of r1 — r2: the delay r1 measures to r2 exceeds 20 ms,
    /// and h3's route at r1 (with the to-destination delay latency-based forwarding budgets
    /// with) moves off that link to the way round by r5 and r4.
    func testANetemDelayOnARingLinkIsMeasuredAndRoutedAround() throws {
        let scratch = "nrt\(getpid() % 100_000)probe"
        ProcessControl.shell("ip netns add \(scratch)")
        let probe = ProcessControl.shell("ip netns exec \(scratch) tc qdisc add dev lo root netem delay 1ms")
        ProcessControl.shell("ip netns del \(scratch)")
        guard probe.status == 0 else {
            throw XCTSkip("testANetemDelayOnARingLinkIsMeasuredAndRoutedAround: the kernel has no netem qdisc (`tc … netem` said: "
                          + "\(probe.output.trimmingCharacters(in: .whitespacesAndNewlines))); load sch_netem to run it")
        }
        let (topology, layout, configs) = try startRing("d")
        _ = try converge(configs, topology, delays: false)
        let r1 = configs[1]
        let before = try XCTUnwrap(try learned(r1)["0x03/8"])
        XCTAssertEqual(before.via, "eth1")
        for (node, device) in [("r1", "eth1"), ("r2", "eth0")] {
            let result = ProcessControl.shell("ip netns exec \(layout.namespace(node)) tc qdisc replace dev \(device) root netem delay 20ms")
            XCTAssertEqual(result.status, 0, result.output)
        }
        var slower = topology
        slower.links[1].delay = 20_000_000
        _ = try converge(configs, slower, delays: false)
        // The smoothed delay climbs in bounded steps: it passes 20 ms after the route has moved.
        func overLink() throws -> Int? {
            try ControlClient.request("GET", r1.control, "/routes").value().array("routing", "neighbours")
                .first { $0["interface"]?.stringValue == "eth1" }?["delay_ns"]?.intValue
        }
        try waitFor({ try (overLink() ?? 0) > 20_000_000 }, timeout: 10)
        let measured = try XCTUnwrap(try overLink())
        let after = try XCTUnwrap(try learned(r1)["0x03/8"])
        XCTAssertEqual(after.via, "eth2", "round by r5 and r4")
        XCTAssertLessThan(after.delay, measured, "the way round is shorter than the slow link alone")
    }

    /// The link delays the nodes learn over veth pairs, whose own delay is a few microseconds,
    /// timed by the kernel's receive time and by the loop's (`nip node --loop-timestamps`):
    /// every node's measured delay to each neighbour, sampled five times 200 ms apart once the
    /// tables have converged and the smoothing has had a second. Printed, and written as JSON
    /// to `NIP_PROBE_DELAY_JSON` when set (scripts/routing-probe-delay.sh); asserted: every
    /// neighbour is measured in both modes (the figures are timings, never asserted).
    func testLinkDelaysOverVethWithKernelAndLoopReceiveTimes() throws {
        var modes: [(name: String, microseconds: [Double])] = []
        for (name, options) in [("kernel", [String]()), ("loop", ["--loop-timestamps"])] {
            let (topology, layout, configs) = try startRing(name == "kernel" ? "k" : "l", options: options)
            _ = try converge(configs, topology, delays: false)
            usleep(1_000_000)
            var samples: [Double] = []
            for _ in 0..<5 {
                for config in configs {
                    let neighbours = try ControlClient.request("GET", config.control, "/routes").value().array("routing", "neighbours")
                    XCTAssertEqual(neighbours.count, config.interfaces.count, "\(config.name) measures every neighbour")
                    for neighbour in neighbours { samples.append(Double(try neighbour.int("delay_ns")) / 1000) }
                }
                usleep(200_000)
            }
            modes.append((name, samples.sorted()))
            XCTAssertTrue(ProcessControl.stopAll(started).isEmpty)
            started = []
            for node in topology.nodes { ProcessControl.shell("ip netns del \(layout.namespace(node.name))") }
        }
        let ends = 2 * 7
        var json: [(String, JSONValue)] = [("topology", .string("ring of 5 routers and 2 hosts, 7 veth pairs without netem")),
                                           ("link_ends", .int(ends)), ("samples_per_end", .int(5))]
        for (name, values) in modes {
            XCTAssertEqual(values.count, ends * 5)
            let median = values[values.count / 2]
            print("routing in namespaces: learned link delay over veth, \(name) receive times: min \(String(format: "%.1f", values.first ?? 0)) µs, "
                  + "median \(String(format: "%.1f", median)) µs, max \(String(format: "%.1f", values.last ?? 0)) µs")
            let microseconds = { (value: Double) in JSONValue.decimal(value, digits: 1) }
            json.append((name, .object([("min_us", microseconds(values.first ?? 0)), ("median_us", microseconds(median)),
                                        ("max_us", microseconds(values.last ?? 0)), ("values_us", .array(values.map(microseconds)))])))
        }
        if let path = ProcessInfo.processInfo.environment["NIP_PROBE_DELAY_JSON"] {
            json.append(("commit", .string(ProcessInfo.processInfo.environment["NIP_PROBE_DELAY_COMMIT"] ?? "unknown")))
            try (JSONValue.object(json).indentedText + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
