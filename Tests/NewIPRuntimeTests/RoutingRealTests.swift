import Foundation
import NewIPDataPlane
import NewIPJSON
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// The routing protocol on real node processes over loopback UDP, configured as `nip up` does
/// for a `routing: dynamic` topology: no routes but their own addresses at start.
///
/// Learned next hops and hop counts must equal the shortest-delay oracle's (`RoutingTables`)
/// exactly. Learned delays are measured (RFC 9616 round trips on the emulated links) on a
/// shared machine, so they must lie between the oracle's propagation delay (less 100 µs per
/// hop for timestamp granularity) and that plus 2 ms per hop of scheduling noise; the
/// topology's paths differ by far more, so the choice of path is never a matter of noise.
final class RoutingRealTests: NodeProcessTestCase {
    /// h1 — r1, r1 — r2 — r3 (3 ms each) and r1 — r3 (15 ms), r3 — h3: h1's packets to h3
    /// cross r2 until r2 is gone, then take the direct link.
    static let triangle = """
        name: triangle
        duration: 1s
        routing: dynamic
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x10", eth1: "0x11", eth2: "0x12"}}
          r2: {kind: router, interfaces: {eth0: "0x20", eth1: "0x21"}}
          r3: {kind: router, interfaces: {eth0: "0x30", eth1: "0x31", eth2: "0x32"}}
          h3: {kind: host, interfaces: {eth0: "0x03"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 3ms}
          - {endpoints: [r2:eth1, r3:eth0], rate: 1Gbps, delay: 3ms}
          - {endpoints: [r1:eth2, r3:eth1], rate: 1Gbps, delay: 15ms}
          - {endpoints: [r3:eth2, h3:eth0], rate: 1Gbps, delay: 1ms}

        """

    func ping(_ from: NodeConfig, _ to: String, count: Int) throws -> (status: Int32, output: String) {
        let result = try run(["ping", "--control", from.control.description, "-c", "\(count)", "--interval", "0.05", "--timeout", "1", to])
        return (result.status, result.output + result.error)
    }

    func testATriangleConvergesToTheOracleCarriesTrafficAndReroutesWhenARouterGoes() throws {
        let topology = try TopologyParser.parse(yaml: Self.triangle, file: "triangle.yaml")
        let configs = deployment(topology)
        XCTAssertEqual(configs.map(\.routes.count), [0, 0, 0, 0, 0], "no routes but the nodes' own at start")
        let begun = Date()
        var entries: [String: RunState.NodeEntry] = [:]
        for config in configs { entries[config.name] = try startNode(config) }
        let converged = try converge(configs, topology)
        print("routing: converged \(String(format: "%.3f", Date().timeIntervalSince(begun))) s after the first node started, "
              + "\(String(format: "%.3f", converged)) s after the last one answered")

        // How far the measured delays are above the propagation delays (scheduling on a shared machine).
        let oracle = RoutingTables.routes(for: { var t = topology; t.routing = .shortestDelay; return t }())
        var excess: [Double] = []
        for (index, config) in configs.enumerated() {
            let routes = try learned(config)
            for (prefix, route) in oracle[index] where !route.nextHop.isLocal {
                if let got = routes[prefix.description] { excess.append(Double(got.delay - Int(route.toDelay)) / Double(route.toHops) / 1e6) }
            }
        }
        print("routing: learned delay minus the oracle's, per hop, over \(excess.count) routes: "
              + "min \(String(format: "%.3f", excess.min() ?? 0)) ms, max \(String(format: "%.3f", excess.max() ?? 0)) ms")

        // h1 reaches h3 over r2 (1 + 3 + 3 + 1 ms) and back.
        let first = try ping(configs[0], "0x03", count: 3)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("3 received"), first.output)

        // `nip routes` shows the table and the protocol's neighbours.
        let shown = try run(["routes", "--control", configs[1].control.description])
        XCTAssertEqual(shown.status, 0, shown.error)
        let lines = shown.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(lines.first, ["prefix", "source", "via", "neighbour", "delay", "hops", "origin", "age"])
        XCTAssertTrue(lines.contains { $0.prefix(4) == ["0x03/8", "learned", "eth1", "0x20"] && $0[5] == "3" && $0[6] == "5" }, shown.output)
        XCTAssertTrue(lines.contains { $0.prefix(4) == ["0x10/8", "local", "local", "-"] }, shown.output)
        XCTAssertTrue(lines.contains { $0.first == "delay-vector" && $0.contains("2") }, shown.output)
        let json = try run(["routes", "--control", configs[1].control.description, "--json"])
        let answer = try JSONValue.parse(json.output)
        XCTAssertEqual(try answer.string("routing", "router_id"), "2")
        XCTAssertEqual(try answer.array("routing", "neighbours").count, 3)
        XCTAssertEqual(try answer.int("routing", "counters", "bad_mac"), 0)

        // r2 stops: r1 and r3 lose it after the hold time and take the 15 ms link. A ping every
        // 10 ms runs across the failure: what it loses is reported, not asserted (timing).
        let pinging = try BackgroundPing(nip: try nip, from: configs[0], to: "0x03", count: 150)
        usleep(300_000)
        let stoppedAt = Date()
        _ = ProcessControl.stopAll([entries["r2"]!], grace: 5)
        started.removeAll { $0.name == "r2" }
        var without = topology
        without.links.removeAll { topology.nodes[$0.endpoints.0.node].name == "r2" || topology.nodes[$0.endpoints.1.node].name == "r2" }
        _ = try converge(configs, without, except: ["r2"])
        print("routing: reconverged \(String(format: "%.3f", Date().timeIntervalSince(stoppedAt))) s after r2 was stopped "
              + "(its neighbours' hold time is 350 ms)")
        print("routing: pings every 10 ms across the failure: \(pinging.summary())")
        let after = try ping(configs[0], "0x03", count: 3)
        XCTAssertEqual(after.status, 0, after.output)
        XCTAssertTrue(after.output.contains("3 received"), after.output)
        let r1 = try learned(configs[1])
        XCTAssertEqual(r1["0x03/8"]?.via, "eth2", "over the direct link")
        XCTAssertNil(r1["0x20/8"], "r2's addresses are gone")

        // r2 comes back (a new process: its packet counter starts over, from its clock): its
        // neighbours take it in again and the shorter path returns.
        let restartedAt = Date()
        try startNode(configs[2])
        let back = try converge(configs, topology)
        print("routing: back on the shorter path \(String(format: "%.3f", Date().timeIntervalSince(restartedAt))) s after r2 was "
              + "started again (\(String(format: "%.3f", back)) s after it answered)")
        XCTAssertEqual(try learned(configs[1])["0x03/8"]?.via, "eth1")
        let replayed = try ControlClient.request("GET", configs[1].control, "/routes").value().int("routing", "counters", "replayed")
        XCTAssertEqual(replayed, 0, "the restarted r2's packets are not taken for replays")
    }

    /// The r1 — r2 link is cut at both ends (`POST /interfaces/down`, as `ip link set down`
    /// cuts a veth pair): both routers hear it at once, so the tables follow the oracle of the
    /// triangle without that link without waiting out a hold time; mended, the link is taken
    /// back. Pings every 10 ms across the cut report what it cost (not asserted: timing).
    func testACutLinkIsRoutedAroundAtOnceAndTakenBackWhenMended() throws {
        let topology = try TopologyParser.parse(yaml: Self.triangle, file: "triangle.yaml")
        let configs = deployment(topology)
        for config in configs { try startNode(config) }
        _ = try converge(configs, topology)
        let (r1, r2) = (configs[1], configs[2])

        let pinging = try BackgroundPing(nip: try nip, from: configs[0], to: "0x03", count: 100)
        usleep(300_000)
        let cutAt = Date()
        for (config, interface) in [(r1, "eth1"), (r2, "eth0")] {
            let cut = try ControlClient.request("POST", config.control, "/interfaces/down?name=\(interface)")
            XCTAssertEqual(cut.status, 200, cut.body)
            XCTAssertEqual(try cut.value()["changed"]?.boolValue, true)
        }
        var without = topology
        without.links.remove(at: 1)
        let rerouted = try converge(configs, without)
        print("routing: reconverged \(String(format: "%.3f", Date().timeIntervalSince(cutAt))) s after the r1 — r2 link was cut "
              + "(\(String(format: "%.3f", rerouted)) s after both ends were told)")
        print("routing: pings every 10 ms across the cut: \(pinging.summary())")
        // One read of r1's table: the measured delays move between reads.
        let detour = try learned(r1)
        XCTAssertEqual(detour["0x03/8"]?.via, "eth2", "h3 over the direct link")
        XCTAssertEqual(detour["0x20/8"]?.via, "eth2", "r2 by way of r3")
        XCTAssertEqual(detour["0x20/8"]?.hops, 2, "r2 by way of r3")
        XCTAssertGreaterThan(detour["0x20/8"]?.delay ?? 0, 0, "r2 by way of r3, its delay measured")
        let interfaces = try ControlClient.request("GET", r1.control, "/interfaces").value().array()
        XCTAssertEqual(interfaces.map { $0["up"]?.boolValue }, [true, false, true])
        XCTAssertGreaterThan(try drops(r1, "eth1")["fault-injected"] ?? 0, 0, "r2's packets meet the cut")
        let after = try ping(configs[0], "0x03", count: 3)
        XCTAssertTrue(after.output.contains("3 received"), after.output)

        let mendedAt = Date()
        for (config, interface) in [(r1, "eth1"), (r2, "eth0")] {
            XCTAssertEqual(try ControlClient.request("POST", config.control, "/interfaces/up?name=\(interface)").status, 200)
        }
        _ = try converge(configs, topology)
        print("routing: back over r2 \(String(format: "%.3f", Date().timeIntervalSince(mendedAt))) s after the link was mended")
        let unknown = try ControlClient.request("POST", r1.control, "/interfaces/down?name=eth9")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertTrue(unknown.body.contains("one of eth0, eth1, eth2"), unknown.body)
    }

    /// RoutingNetnsTests' ring on loopback, where each node is its links (`emulate-link`) and
    /// slows one itself (`POST /interfaces/shape`, as netem would a veth where the kernel has
    /// it): r1 — r2 goes from 2 ms to 20 ms at both ends. r1 measures more than 20 ms to r2,
    /// its route to h3 (whose to-delay latency-based forwarding budgets with) moves round by
    /// r5 and r4 with the to-delay that way's measurements sum to, and returns when the link
    /// is 2 ms again. h1's link to r1 is not emulated at h1, which refuses to shape it.
    func testAShapedDelayOnARingLinkIsMeasuredRoutedAroundAndTakenBack() throws {
        let topology = try TopologyParser.parse(yaml: RoutingNetnsTests.ring, file: "ring.yaml")
        var configs = deployment(topology)
        configs[0].interfaces[0].emulateLink = false
        for config in configs { try startNode(config) }
        _ = try converge(configs, topology, delays: false)
        let (h1, r1, r2, r5) = (configs[0], configs[1], configs[2], configs[5])
        // Read until present: a route can be missing for a moment on a loaded machine.
        var before = Learned(via: "", hops: 0, delay: 0)
        try waitFor { try learned(r1)["0x03/8"].map { before = $0 } != nil }
        XCTAssertEqual(before.via, "eth1")
        XCTAssertLessThan(before.delay, 20_000_000)

        func shape(_ delay: String) throws {
            for (config, interface) in [(r1, "eth1"), (r2, "eth0")] {
                let answer = try ControlClient.request("POST", config.control, "/interfaces/shape?name=\(interface)&delay=\(delay)")
                XCTAssertEqual(answer.status, 200, answer.body)
                XCTAssertEqual(try answer.value()["delay"]?.stringValue, delay)
            }
        }
        /// r1's measured delay to the neighbour on `interface`.
        func measured(_ answer: JSONValue, _ interface: String) throws -> Int? {
            try answer.array("routing", "neighbours").first { $0["interface"]?.stringValue == interface }?["delay_ns"]?.intValue
        }
        func route(_ answer: JSONValue, _ prefix: String) throws -> JSONValue? {
            try answer.array("routes").first { $0["prefix"]?.stringValue == prefix }
        }

        try shape("20ms")
        let shown = try ControlClient.request("GET", r1.control, "/interfaces").value().array()
        XCTAssertEqual(shown.map { $0["delay"]?.stringValue }, ["1ms", "20ms", "2ms"])
        var slower = topology
        slower.links[1].delay = 20_000_000
        _ = try converge(configs, slower, delays: false)
        // The smoothed delay climbs in bounded steps: it passes 20 ms after the route has moved.
        try waitFor({ try (measured(ControlClient.request("GET", r1.control, "/routes").value(), "eth1") ?? 0) > 20_000_000 },
                    timeout: 10)
        // r1's route over r5 costs its measured delay to r5 plus what r5 announces (r5's own
        // route to h3): equal once r5's latest update has arrived.
        var sum: (after: Learned, link: Int, beyond: Int)?
        try waitFor({
            let answer = try ControlClient.request("GET", r1.control, "/routes").value()
            guard let link = try measured(answer, "eth2"), let route = try route(answer, "0x03/8"),
                  route["via"]?.stringValue == "eth2", let delay = route["metric"]?["delay_ns"]?.intValue,
                  let hops = route["metric"]?["hops"]?.intValue,
                  route["to-delay"]?.stringValue == UnitText.duration(Nanoseconds(delay)),
                  let beyond = try learned(r5)["0x03/8"]?.delay else { return false }
            sum = (Learned(via: "eth2", hops: hops, delay: delay), link, beyond)
            return delay == link + beyond
        }, timeout: 10)
        let after = try XCTUnwrap(sum).after
        XCTAssertEqual(after.delay, try XCTUnwrap(sum).link + XCTUnwrap(sum).beyond, "to-delay over r5: r1 → r5 measured plus r5's route")
        XCTAssertEqual(after.hops, 4, "r1 → r5 → r4 → r3 → h3")
        // Not compared with the to-delay over r2: each hop adds a node's processing, a few ms on a
        // loaded machine (RoutingRealTests' triangle prints it), which can outweigh the detour's
        // 2 ms more of link delay. The links' delays are spent, so they are a floor.
        XCTAssertGreaterThanOrEqual(after.delay, 7_000_000, "the budget's to-delay covers the detour's links (2 + 2 + 2 + 1 ms)")
        print("routing: h3's to-delay at r1 \(Double(before.delay) / 1e6) ms over r2, \(Double(after.delay) / 1e6) ms round by r5 "
              + "(r1 → r5 measured \(Double(sum?.link ?? 0) / 1e6) ms) once r1 — r2 was shaped to 20 ms")

        try shape("2ms")
        _ = try converge(configs, topology, delays: false)
        // Back over r2, its to-delay coming down with the smoothed measurement in bounded steps,
        // below the 20 ms the shaped link alone took.
        try waitFor({ try learned(r1)["0x03/8"].map { $0.via == "eth1" && $0.hops == 3 && $0.delay < 20_000_000 } ?? false },
                    timeout: 10)

        let refused = try ControlClient.request("POST", h1.control, "/interfaces/shape?name=eth0&delay=20ms")
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.body.contains("interface eth0 does not emulate its link"), refused.body)
        let unitless = try ControlClient.request("POST", r1.control, "/interfaces/shape?name=eth1&delay=20")
        XCTAssertEqual(unitless.status, 400)
        XCTAssertTrue(unitless.body.contains("delay: "), unitless.body)
    }

    /// `nip up` on the triangle: private node files with the protocol, tables that converge to
    /// the oracle, `nip routes --node` and a ping across, then `nip down`.
    func testNipUpRunsTheProtocolOnADynamicTopology() throws {
        let file = folder.appendingPathComponent("triangle.yaml")
        try Self.triangle.write(to: file, atomically: true, encoding: .utf8)
        // Below the kernel's ephemeral range, apart from the other tests' ranges.
        let slot = Int(getpid() % 130)
        let up = try run(["up", file.path, "--state", "run", "--base-port", "\(30000 + 20 * slot)", "--control-port", "\(14000 + 20 * slot)"])
        XCTAssertEqual(up.status, 0, up.error)
        let state = try RunState.load(directory: folder.appendingPathComponent("run").path)
        started = state.nodes
        NodeAuth.token = try NodeAuth.read(try XCTUnwrap(state.token))
        defer { NodeAuth.token = nil }
        let files = state.nodes.map { $0.config.hasPrefix("/") ? $0.config : folder.appendingPathComponent($0.config).path }
        let configs = try files.map { try NodeConfig.load(path: $0) }
        for (entry, file) in zip(state.nodes, files) {
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int, 0o600,
                           "\(entry.name)'s node file holds link keys")
        }
        XCTAssertEqual(configs.map(\.routes.count), [0, 0, 0, 0, 0])
        let topology = try TopologyParser.parse(yaml: Self.triangle, file: "triangle.yaml")
        let converged = try converge(configs, topology)
        print("routing (nip up): converged \(String(format: "%.3f", converged)) s after nip up returned")

        let shown = try run(["routes", "--node", "h1", "--state", "run"])
        XCTAssertEqual(shown.status, 0, shown.error)
        let row = shown.output.split(separator: "\n").first { $0.hasPrefix("0x03/8") }?.split(separator: " ").map(String.init)
        XCTAssertEqual(row?.prefix(4), ["0x03/8", "learned", "eth0", "0x10"], shown.output)
        XCTAssertEqual(row?[5], "4", "h1 → r1 → r2 → r3 → h3")
        let ping = try run(["ping", "--node", "h1", "--state", "run", "-c", "2", "--interval", "0.05", "0x03"])
        XCTAssertEqual(ping.status, 0, ping.output + ping.error)
        XCTAssertTrue(ping.output.contains("2 sent, 2 received, 0% loss"), ping.output)
        let down = try run(["down", "--state", "run"])
        XCTAssertEqual(down.status, 0, down.error)
        started = []
    }

    /// Two routers on one link, running the routing protocol.
    static func pair() throws -> Topology {
        try TopologyParser.parse(yaml: """
            name: pair
            duration: 1s
            routing: dynamic
            nodes:
              r1: {kind: router, interfaces: {eth0: "0x10"}}
              r2: {kind: router, interfaces: {eth0: "0x20"}}
            links:
              - {endpoints: [r1:eth0, r2:eth0], rate: 1Gbps, delay: 1ms}

            """, file: "pair.yaml")
    }

    /// A link key in a file: taken when only its owner may read it (the two routers become
    /// neighbours), refused at start with the fix when others may.
    func testAKeyFileMustBePrivate() throws {
        let topology = try Self.pair()
        var configs = deployment(topology, linkKey: { _ in Array(repeating: 0x5A, count: 32) })
        let keyFile = folder.appendingPathComponent("link.key").path
        try (String(repeating: "5a", count: 32) + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        configs[0].routing!.interfaces[0].key = .file(keyFile)

        chmod(keyFile, 0o644)
        let nodeFile = folder.appendingPathComponent("r1.yaml").path
        try configs[0].yaml.write(toFile: nodeFile, atomically: true, encoding: .utf8)
        let refused = try run(["node", "--config", nodeFile])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.error.contains("\(keyFile): holds a routing key but its mode is 644, readable by others; run `chmod 600 \(keyFile)`"),
                      refused.error)

        chmod(keyFile, 0o600)
        try startNode(configs[0])
        try startNode(configs[1])
        try waitFor {
            try ControlClient.request("GET", configs[0].control, "/routes").value().array("routing", "neighbours").count == 1
                && learned(configs[0])["0x20/8"] != nil
        }
    }

    /// The five-router ring with signed updates (`nip up`'s keys and certificates): it converges
    /// to the oracle's next hops and hop counts. r2 restarted with a key the registrar never
    /// certified (a certificate from another registrar) is refused by r1 and r3
    /// (`untrusted_key`, logged), and the others route round it as if it were gone; a
    /// certificate for another key than the identity file's, or a key file others may read, is
    /// refused at start.
    func testSignedUpdatesConvergeAndAnUncertifiedRouterIsRefused() throws {
        var topology = try TopologyParser.parse(yaml: RoutingNetnsTests.ring, file: "ring.yaml")
        topology.routingAuthentication = .signature
        var configs = deployment(topology)
        try RoutingKeyDeployment.prepare(&configs, folder: folder.path, unixTime: UInt64(Date().timeIntervalSince1970))
        var entries: [String: RunState.NodeEntry] = [:]
        for config in configs { entries[config.name] = try startNode(config) }
        _ = try converge(configs, topology, delays: false)
        func counter(_ config: NodeConfig, _ name: String) throws -> Int {
            try ControlClient.request("GET", config.control, "/routes").value().int("routing", "counters", name)
        }
        XCTAssertEqual(try counter(configs[1], "untrusted_key"), 0)
        XCTAssertEqual(try counter(configs[1], "bad_signature"), 0)

        let foreignFolder = folder.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreignFolder, withIntermediateDirectories: true)
        var foreign = configs
        try RoutingKeyDeployment.prepare(&foreign, folder: foreignFolder.path, unixTime: UInt64(Date().timeIntervalSince1970))
        _ = ProcessControl.stopAll([entries["r2"]!], grace: 5)
        started.removeAll { $0.name == "r2" }
        var r2 = configs[2]
        r2.routing!.signing!.identity = foreign[2].routing!.signing!.identity
        // Refused at start: the deployment's certificate with the foreign key, and a key file others may read.
        let foreignKey = r2.routing!.signing!.identity
        let nodeFile = folder.appendingPathComponent("r2-refused.yaml").path
        try r2.yaml.write(toFile: nodeFile, atomically: true, encoding: .utf8)
        let mismatched = try run(["node", "--config", nodeFile])
        XCTAssertEqual(mismatched.status, 1)
        XCTAssertTrue(mismatched.error.contains("routing: the certificate is for another key than \(foreignKey)'s; "
                                                + "use the key it was issued for, or a certificate for this key"), mismatched.error)
        r2.routing!.signing!.certificate = foreign[2].routing!.signing!.certificate
        chmod(foreignKey, 0o644)
        try r2.yaml.write(toFile: nodeFile, atomically: true, encoding: .utf8)
        let readable = try run(["node", "--config", nodeFile])
        XCTAssertEqual(readable.status, 1)
        XCTAssertTrue(readable.error.contains("routing: identity: \(foreignKey): holds a private key but its mode is 644, readable by others; "
                                              + "run `chmod 600 \(foreignKey)`"), readable.error)
        chmod(foreignKey, 0o600)
        try startNode(r2)
        var without = topology
        without.links.removeAll { topology.nodes[$0.endpoints.0.node].name == "r2" || topology.nodes[$0.endpoints.1.node].name == "r2" }
        _ = try converge(configs, without, except: ["r2"], delays: false)
        try waitFor { try counter(configs[1], "untrusted_key") > 0 && counter(configs[3], "untrusted_key") > 0 }
        XCTAssertEqual(try learned(configs[1])["0x03/8"]?.via, "eth2", "round r5 and r4, not through r2")
        let log = try String(contentsOfFile: entries["r1"]!.log, encoding: .utf8)
        XCTAssertTrue(log.contains("routing packet refused: a key no trusted certificate vouches for (untrusted_key)"), log)
    }

    /// Two routers whose ends of a link hold different keys: each refuses the other's packets
    /// (counted, logged) and learns nothing.
    func testAWrongLinkKeyIsRefusedAndCounted() throws {
        let topology = try Self.pair()
        var configs = deployment(topology, linkKey: { _ in Array(repeating: 0x11, count: 32) })
        configs[1].routing!.interfaces[0].key = .bytes(Array(repeating: 0x22, count: 32))
        let r1 = try startNode(configs[0])
        try startNode(configs[1])
        func refused(_ config: NodeConfig) throws -> Int {
            try ControlClient.request("GET", config.control, "/routes").value().int("routing", "counters", "bad_mac")
        }
        try waitFor { try refused(configs[0]) >= 3 && refused(configs[1]) >= 3 }
        for config in configs {
            let answer = try ControlClient.request("GET", config.control, "/routes").value()
            XCTAssertEqual(try answer.array("routing", "neighbours").count, 0, "\(config.name) accepted no neighbour")
            XCTAssertEqual(try answer.int("routing", "counters", "packets_received"), 0)
            XCTAssertEqual(try learned(config), [:])
        }
        let log = try String(contentsOfFile: r1.log, encoding: .utf8)
        XCTAssertTrue(log.contains("routing packet refused: a wrong HMAC"), log)
    }
}
