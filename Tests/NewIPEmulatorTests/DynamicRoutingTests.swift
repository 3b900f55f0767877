import NewIPControl
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPRandom
import NewIPTopology
import NewIPWire
import XCTest

/// `routing: dynamic`: the routing protocol runs on every node in virtual time and must end
/// with the tables the offline shortest-delay computation gives.
final class DynamicRoutingTests: XCTestCase {
    private static let ms: Nanoseconds = 1_000_000

    /// `topology` without flows, run with dynamic routing for `duration`; routers announce
    /// their generated blocks only when `aggregated` (else every address).
    private func converge(_ topology: Topology, duration: Nanoseconds, aggregated: Bool = false) -> (Topology, EmulationResults) {
        var topology = topology
        topology.flows = []
        if !aggregated { for index in topology.nodes.indices { topology.nodes[index].prefix = nil } }
        topology.routing = .dynamic
        topology.duration = duration
        return (topology, try! Emulation(topology: topology).run())
    }

    /// Every node's table holds exactly the oracle's prefixes with the oracle's delay and hops;
    /// a next hop differs only where the neighbour it names offers an equally short path.
    /// With router blocks (`prefix`), the oracle routes to each block too, and a host's own
    /// route inside a block is held only by the block's router (which does not pass it on).
    private func assertMatchesOracle(_ topology: Topology, _ results: EmulationResults, file: StaticString = #filePath, line: UInt = #line) {
        var oracleTopology = topology
        oracleTopology.routing = .shortestDelay
        let blocks = topology.nodes.indices.compactMap { node in topology.nodes[node].prefix.map { (node: node, block: $0) } }
        func summarised(_ prefix: RoutePrefix, at node: Int) -> Bool {
            guard case .compact(let inner) = prefix else { return false }
            let own = topology.nodes[node].interfaces.contains { RoutePrefix(exactly: $0.address) == prefix }
            return !own && blocks.contains { $0.node != node && $0.block.length < inner.length && $0.block.contains(inner) }
        }
        let oracle = RoutingTables.routes(for: oracleTopology).enumerated().map { node, routes in
            Dictionary(routes.filter { !summarised($0.prefix, at: node) }.map { ($0.prefix, $0.route) }, uniquingKeysWith: { $1 })
        }
        var peers = topology.nodes.map { Array(repeating: (node: -1, delay: Nanoseconds(0)), count: $0.interfaces.count) }
        for link in topology.links {
            let (a, b) = link.endpoints
            peers[a.node][a.interface] = (b.node, link.delay)
            peers[b.node][b.interface] = (a.node, link.delay)
        }
        let tables = results.routing!.tables
        var mismatches: [String] = []
        var ties = 0
        for (node, table) in tables.enumerated() {
            let name = topology.nodes[node].name
            let live = Dictionary(table.map { ($0.prefix, $0.route) }, uniquingKeysWith: { $1 })
            if Set(live.keys) != Set(oracle[node].keys) {
                mismatches.append("\(name): prefixes \(live.keys.sorted()) ≠ oracle \(oracle[node].keys.sorted())")
                continue
            }
            for (prefix, expected) in oracle[node] where !expected.nextHop.isLocal {
                let route = live[prefix]!
                guard route.toDelay == expected.toDelay, route.toHops == expected.toHops else {
                    mismatches.append("\(name) → \(prefix): \(route.toDelay) ns/\(route.toHops) ≠ oracle \(expected.toDelay) ns/\(expected.toHops)")
                    continue
                }
                guard route.nextHop != expected.nextHop else { continue }
                let via = Int(route.nextHop.neighbour.rawValue)
                let link = peers[node][route.nextHop.interface]
                guard let onward = oracle[via][prefix] else {
                    mismatches.append("\(name) → \(prefix): next hop \(route.nextHop) holds no route there")
                    continue
                }
                let rest = onward.nextHop.isLocal ? (delay: Nanoseconds(0), hops: 0) : (delay: onward.toDelay, hops: onward.toHops)
                if link.node == via, rest.delay + link.delay == route.toDelay, rest.hops + 1 == route.toHops {
                    ties += 1
                } else {
                    mismatches.append("\(name) → \(prefix): next hop \(route.nextHop) is no shortest path")
                }
            }
        }
        XCTAssertEqual(mismatches, [], file: file, line: line)
        XCTAssertGreaterThan(tables.map(\.count).reduce(0, +), topology.nodes.count, file: file, line: line)
    }

    /// Link delays of 1…9 ms drawn from `seed`, so shortest paths are not simply the fewest hops.
    private func varyDelays(_ topology: inout Topology, seed: UInt64) {
        var random = RandomStream(seed: seed, name: "test/delays")
        for index in topology.links.indices { topology.links[index].delay = Nanoseconds(random.nextInt(in: 1...9)) * Self.ms }
    }

    func testAChainConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.chain(routers: 5)
        varyDelays(&topology, seed: 1)
        let (dynamic, results) = converge(topology, duration: 4_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
        XCTAssertEqual(results.routing!.counters.map(\.badTimestamps).reduce(0, +), 0)
    }

    func testAThreeByThreeGridConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.grid(side: 3, flows: 1)
        // Row by row, then the columns' links: the middle row is slow, the edges fast.
        for (index, delay) in [1, 2, 1, 2, 4, 9, 9, 9, 4, 1, 1, 1].enumerated() { topology.links[index].delay = Nanoseconds(delay) * Self.ms }
        let (dynamic, results) = converge(topology, duration: 5_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testAFatTreeConvergesToTheShortestDelayTables() throws {
        let (dynamic, results) = converge(try TopologyGenerator.fatTree(k: 4), duration: 5_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testAScaleFreeGraphConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.scaleFree(routers: 30, hosts: 4)
        varyDelays(&topology, seed: 3)
        let (dynamic, results) = converge(topology, duration: 8_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testRoutersAnnounceTheirBlocksAndKeepTheirHostsRoutesToThemselves() throws {
        var topology = try TopologyGenerator.scaleFree(routers: 30, hosts: 12)
        varyDelays(&topology, seed: 3)
        XCTAssertEqual(topology.nodes.filter { $0.kind == .router && $0.prefix != nil }.count, 30)
        let (perAddress, everyAddress) = converge(topology, duration: 8_000 * Self.ms)
        let (aggregated, blocks) = converge(topology, duration: 8_000 * Self.ms, aggregated: true)
        assertMatchesOracle(aggregated, blocks)
        // A router holds the 29 other routers' blocks, a route to each of its hosts and its own
        // addresses; a host the 30 blocks and its own address. Without blocks: every address.
        let addresses = topology.nodes.map(\.interfaces.count).reduce(0, +)
        var hostsOf = Array(repeating: 0, count: topology.nodes.count)
        for link in topology.links {
            let (a, b) = link.endpoints
            if topology.nodes[a.node].kind == .host { hostsOf[b.node] += 1 }
            if topology.nodes[b.node].kind == .host { hostsOf[a.node] += 1 }
        }
        for (node, table) in blocks.routing!.tables.enumerated() {
            let own = topology.nodes[node].interfaces.count
            XCTAssertEqual(table.count, topology.nodes[node].kind == .host ? 30 + own : 29 + hostsOf[node] + own, topology.nodes[node].name)
        }
        XCTAssertEqual(everyAddress.routing!.tables.map(\.count), Array(repeating: addresses, count: perAddress.nodes.count))
    }

    func testASignedGridConvergesToTheShortestDelayTablesWithEveryPacketVerified() throws {
        var topology = try TopologyGenerator.grid(side: 3, flows: 1)
        for (index, delay) in [1, 2, 1, 2, 4, 9, 9, 9, 4, 1, 1, 1].enumerated() { topology.links[index].delay = Nanoseconds(delay) * Self.ms }
        topology.routingAuthentication = .signature
        let (signed, results) = converge(topology, duration: 5_000 * Self.ms)
        assertMatchesOracle(signed, results)
        let counters = results.routing!.counters
        XCTAssertEqual(counters.map { $0.unsigned + $0.badSignature + $0.untrustedKey + $0.prefixNotOwned }.reduce(0, +), 0)
        // Every node's packets carry its key, its certificate and the signature: each of the
        // same messages costs the same trailer more than under HMAC (32 bytes).
        topology.routingAuthentication = .hmac
        let (_, keyed) = converge(topology, duration: 5_000 * Self.ms)
        XCTAssertEqual(keyed.routing!.tables.map(\.count), results.routing!.tables.map(\.count))
        XCTAssertEqual(keyed.routing!.counters.map(\.badMAC).reduce(0, +), 0)
        XCTAssertGreaterThan(counters.map(\.bytesSent).reduce(0, +), keyed.routing!.counters.map(\.bytesSent).reduce(0, +))
    }

    func testRoutingAuthenticationIsReadFromTheRoutingMapping() throws {
        let yaml = { (routing: String) in
            "duration: 1s\nrouting: \(routing)\nnodes:\n  a: {kind: host, interfaces: {eth0: \"0x01\"}}\n  b: {kind: host, interfaces: {eth0: \"0x02\"}}\n"
                + "links:\n  - {endpoints: [a:eth0, b:eth0], rate: 1Gbps, delay: 1ms}\n"
        }
        XCTAssertEqual(try parse(yaml("{protocol: dynamic, authentication: signature}")).routingAuthentication, .signature)
        XCTAssertEqual(try parse(yaml("{protocol: dynamic, authentication: hmac}")).routingAuthentication, .hmac)
        XCTAssertEqual(try parse(yaml("dynamic")).routingAuthentication, RoutingAuthentication.none)
        XCTAssertEqual(diagnostics(yaml("{protocol: static, authentication: signature}")),
                       ["test.yaml:2:45: `authentication` applies to `routing: dynamic` only, not `static` — write `protocol: dynamic`, or remove `authentication`"])
        XCTAssertEqual(diagnostics(yaml("{protocol: dynamic, authentication: rsa}")).count, 1)
    }

    func testTheSameSeedGivesTheSameRoutingEventsAndFiles() throws {
        var topology = try TopologyGenerator.scaleFree(routers: 12, hosts: 2)
        varyDelays(&topology, seed: 5)
        topology.routing = .dynamic
        topology.duration = 2_000 * Self.ms
        let first = try Emulation(topology: topology).run()
        let second = try Emulation(topology: topology).run()
        XCTAssertEqual(first.routing!.events, second.routing!.events)
        XCTAssertFalse(first.routing!.events.isEmpty)
        XCTAssertEqual(first.files.map(\.name), second.files.map(\.name))
        XCTAssertEqual(first.files.map(\.contents), second.files.map(\.contents))
        XCTAssertTrue(first.files.contains { $0.name == "routing-events.csv" })
    }
}

/// Link failures and delay changes under `routing: dynamic`.
final class DynamicReroutingTests: XCTestCase {
    private static let ms: Nanoseconds = 1_000_000

    /// h1 — r1 — r2 — h2 (1, 2, 1 ms) with a backup r1 — r3 — r2 (3 + 3 ms); r1–r2 is down from
    /// 2 s to 3 s; h1 sends 1,000 packets/s to h2 from 1 s on.
    private static let backupPath = """
    name: backup-path
    seed: 1
    duration: 4s
    routing: dynamic
    nodes:
      h1: {kind: host, interfaces: {eth0: "0x01"}}
      r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03", eth2: "0x04"}}
      r2: {kind: router, interfaces: {eth0: "0x05", eth1: "0x06", eth2: "0x07"}}
      r3: {kind: router, interfaces: {eth0: "0x08", eth1: "0x09"}}
      h2: {kind: host, interfaces: {eth0: "0x0A"}}
    links:
      - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
      - {endpoints: [r1:eth1, r2:eth0], rate: 100Mbps, delay: 2ms, faults: {down: [2s, 3s]}}
      - {endpoints: [r1:eth2, r3:eth0], rate: 100Mbps, delay: 3ms}
      - {endpoints: [r3:eth1, r2:eth1], rate: 100Mbps, delay: 3ms}
      - {endpoints: [r2:eth2, h2:eth0], rate: 100Mbps, delay: 1ms}
    flows:
      - {name: f, from: h1, to: h2, rate: 1kpps, size: 100, start: 1s}
    """

    func testALinkFailureReroutesOverTheBackupWithoutLoopsAndBack() throws {
        let results = try emulate(Self.backupPath)
        let h2 = RoutePrefix(exactly: .compact(CompactAddress("0x0A")!))
        let atR1 = results.routing!.events.filter { $0.node == 1 && $0.prefix == h2 && $0.time >= 2_000 * Self.ms }
        // Carrier loss at 2 s takes the route away; r3's offer is unfeasible until h2 answers
        // r1's seqno request with a new sequence number; at 3 s the direct path is back.
        XCTAssertEqual(atR1.map { $0.new?.nextHop.interface }, [nil, 2, 1])
        XCTAssertEqual(atR1.first?.time, 2_000 * Self.ms)
        let rerouted = atR1[1].time - 2_000 * Self.ms
        XCTAssertGreaterThan(rerouted, 12 * Self.ms, "the request and the update cross 12 ms of links")
        XCTAssertLessThan(rerouted, 200 * Self.ms)
        XCTAssertEqual(atR1[1].new?.toDelay, 7 * Self.ms)
        XCTAssertEqual(atR1[1].new?.toHops, 3)
        XCTAssertGreaterThan(atR1[2].time, 3_000 * Self.ms)
        XCTAssertLessThan(atR1[2].time, 3_100 * Self.ms)
        // Packets are lost only while r1 has no route and on the failed link; none loops.
        let flow = results.flows[0]
        let drops = Dictionary(uniqueKeysWithValues: flow.drops.map { ($0.reason, $0.count) })
        XCTAssertEqual(Set(drops.keys).subtracting(["no-route", "link-loss"]), [])
        XCTAssertEqual(results.nodes.flatMap(\.drops).filter { $0.reason == "ttl-expired" }.map(\.count).reduce(0, +), 0)
        let lost = drops.values.reduce(0, +)
        XCTAssertGreaterThan(lost, 0)
        // At most: what h1 sent while r1 had no route, what was on the failed link, r1's queue.
        XCTAssertLessThan(lost, Int(rerouted / Self.ms) + 6)
        XCTAssertEqual(flow.delivered + lost + flow.inFlight + flow.unaccounted, flow.sent)
        print("backup-path: rerouted \(rerouted) ns after the failure, \(lost) packets lost, back at \(atR1[2].time) ns")
    }

    func testADelayScheduleMovesTheRouteAndTheMetricsFollowTheNewDelay() throws {
        // a–b 1 ms until 1 s, then 20 ms; a–c–b 4 + 4 ms.
        let yaml = """
        name: delay-schedule
        seed: 1
        duration: 15s
        routing: dynamic
        nodes:
          a: {kind: router, interfaces: {eth0: "0x01", eth1: "0x02"}}
          b: {kind: router, interfaces: {eth0: "0x03", eth1: "0x04"}}
          c: {kind: router, interfaces: {eth0: "0x05", eth1: "0x06"}}
        links:
          - {endpoints: [a:eth0, b:eth0], rate: 1Gbps, delay: {0s: 1ms, 1s: 20ms}}
          - {endpoints: [a:eth1, c:eth0], rate: 1Gbps, delay: 4ms}
          - {endpoints: [c:eth1, b:eth1], rate: 1Gbps, delay: 4ms}
        flows: []
        """
        let topology = try parse(yaml)
        XCTAssertEqual(topology.links[0].delay, Self.ms)
        XCTAssertEqual(topology.links[0].delayChanges.map(\.at), [1_000 * Self.ms])
        let results = try Emulation(topology: topology).run()
        let b = RoutePrefix(exactly: .compact(CompactAddress("0x03")!))
        let route = results.routing!.tables[0].first { $0.prefix == b }!.route
        XCTAssertEqual(route.nextHop.interface, 1)
        XCTAssertEqual(route.toDelay, 8 * Self.ms)
        XCTAssertEqual(route.toHops, 2)
        let switches = results.routing!.events.filter { $0.node == 0 && $0.prefix == b && $0.old?.nextHop != $0.new?.nextHop }
        XCTAssertEqual(switches.count, 2, "one route at the start, one switch when the measured delay passed 8 ms")
        XCTAssertGreaterThan(switches.last!.time, 1_000 * Self.ms)
        // Latency-based forwarding charges the measured delays: a–b's new one on both ends.
        XCTAssertEqual(results.routing!.linkDelays, [[20 * Self.ms, 4 * Self.ms], [20 * Self.ms, 4 * Self.ms], [4 * Self.ms, 4 * Self.ms]])
    }

    func testALinkWhoseDelayShortensStaysFirstInFirstOut() {
        // One direction at 1 Gbps: a 100-byte packet takes 800 ns to serialise.
        let events = EventQueue(nodes: 2)
        let (a, b) = (Topology.InterfaceID(node: 0, interface: 0), Topology.InterfaceID(node: 1, interface: 0))
        let spec = Topology.Link(endpoints: (a, b), rate: BitRate(bitsPerSecond: 1_000_000_000), delay: 20 * Self.ms)
        let link = EmulatedLink(index: 0, from: a, to: b, spec: spec, random: RandomStream(seed: 1, name: "test"), events: events)
        func send(_ marker: UInt8, at time: Nanoseconds) -> Nanoseconds {
            link.start(PacketBuffer(bytes: [UInt8](repeating: marker, count: 100)), now: time)
            guard case (let end, .transmitted)? = events.next(before: .max) else { XCTFail("no transmission"); return 0 }
            XCTAssertNil(link.finishTransmission(now: end))
            guard case (let arrival, .arrived)? = events.next(before: .max) else { XCTFail("no arrival"); return 0 }
            return arrival
        }
        // The first leaves with 20 ms; the delay drops to 1 ms; the second, 1 µs later, would
        // arrive 19 ms before it: it arrives with it instead, after it.
        link.delay = 20 * Self.ms
        let first = send(1, at: 0)
        link.delay = Self.ms
        let second = send(2, at: 1_000)
        XCTAssertEqual(first, 20 * Self.ms + 800)
        XCTAssertEqual(second, first)
        XCTAssertEqual(link.arrive().withUnsafeBytes { $0.first }, 1)
        XCTAssertEqual(link.arrive().withUnsafeBytes { $0.first }, 2)
        // Once the wire is empty the new delay holds in full.
        XCTAssertEqual(send(3, at: 30 * Self.ms), 31 * Self.ms + 800)
    }

    func testADownPeriodLosesEveryPacketOnTheWireThenWhateverDelayItLeftWith() throws {
        // a → b at 100 Mbps (8 µs per 100-byte packet), 20 ms until 100 ms, then 1 ms; down from
        // 105 to 106 ms; a packet each millisecond until 200 ms. Lost: those sent at 85 … 99 ms
        // (20 ms on the wire, arriving 105.008 … 119.008 ms) and at 100 … 105 ms (behind them on
        // the wire until 119.008 ms, having left before 106 ms): 21.
        let yaml = pairTopology(replacing: "delay: 2ms", with: "delay: {0s: 20ms, 100ms: 1ms}\n    faults: {down: [105ms, 106ms]}")
            .replacingOccurrences(of: "{name: f, from: a, to: b, rate: 100pps, size: 500}", with: "{name: f, from: a, to: b, rate: 1kpps, size: 100, stop: 200ms}")
        let flow = try emulate(yaml).flows[0]
        XCTAssertEqual(flow.sent, 200)
        XCTAssertEqual(flow.drops.map(\.reason), ["link-loss"])
        XCTAssertEqual(flow.drops.first?.count, 21)
        XCTAssertEqual(flow.delivered, 200 - 21)
    }

    func testDownPeriodsAndDelaySchedulesAreCheckedWhereTheyAreWritten() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "delay: 2ms", with: "delay: {5ms: 2ms}")),
                       ["test.yaml:15:13: a delay schedule starts at 0s and its times increase — write `delay: {0s: 1ms, 500ms: 20ms}`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "delay: 2ms", with: "delay: 2ms\n    faults: {down: [3s, 2s]}")),
                       ["test.yaml:16:20: down periods must each end after they start and follow each other without overlap — write the periods in time order, e.g. `down: [[2s, 3s], [5s, 6s]]`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "delay: 2ms", with: "delay: 2ms\n    faults: {down: [2s]}")),
                       ["test.yaml:16:20: a down period is two times, from and to — write `down: [2s, 3s]` or `down: [[2s, 3s], [5s, 6s]]`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "delay: 2ms", with: "delay: 2ms\n    faults: {down: [[1s, 2s], [1500ms, 3s]]}")),
                       ["test.yaml:16:31: down periods must each end after they start and follow each other without overlap — write the periods in time order, e.g. `down: [[2s, 3s], [5s, 6s]]`"])
    }
}

/// Node crashes (`faults: {crash: …}`) under `routing: dynamic`.
final class DynamicCrashTests: XCTestCase {
    private static let ms: Nanoseconds = 1_000_000

    /// h1 — r1 — r2 — r4 — h2 (1, 2, 2, 1 ms) with a backup r1 — r3 — r4 (3 + 3 ms), 100 Mbps;
    /// r2 is crashed from 2 s to 3 s; h1 sends 1,000 packets/s of 100 bytes to h2 from 1 s on.
    private static let crashedRouter = """
    name: crashed-router
    seed: 1
    duration: 5s
    routing: dynamic
    nodes:
      h1: {kind: host, interfaces: {eth0: "0x01"}}
      r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03", eth2: "0x04"}}
      r2: {kind: router, interfaces: {eth0: "0x05", eth1: "0x06"}, faults: {crash: [2s, 3s]}}
      r3: {kind: router, interfaces: {eth0: "0x07", eth1: "0x08"}}
      r4: {kind: router, interfaces: {eth0: "0x09", eth1: "0x0A", eth2: "0x0B"}}
      h2: {kind: host, interfaces: {eth0: "0x0C"}}
    links:
      - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
      - {endpoints: [r1:eth1, r2:eth0], rate: 100Mbps, delay: 2ms}
      - {endpoints: [r2:eth1, r4:eth0], rate: 100Mbps, delay: 2ms}
      - {endpoints: [r1:eth2, r3:eth0], rate: 100Mbps, delay: 3ms}
      - {endpoints: [r3:eth1, r4:eth1], rate: 100Mbps, delay: 3ms}
      - {endpoints: [r4:eth2, h2:eth0], rate: 100Mbps, delay: 1ms}
    flows:
      - {name: f, from: h1, to: h2, rate: 1kpps, size: 100, start: 1s}
    """

    private static func prefix(_ address: String) -> RoutePrefix { RoutePrefix(exactly: .compact(CompactAddress(address)!)) }

    func testACrashedRouterIsDetectedByHoldTimeRoutedAroundAndRelearnedWhenItReturns() throws {
        let results = try emulate(Self.crashedRouter)
        let events = results.routing!.events
        let (h2, r2) = (Self.prefix("0x0C"), Self.prefix("0x05"))
        // r2 loses every route it had learned at the crash: 12 addresses, 2 of them its own.
        let lost = events.filter { $0.node == 2 && $0.time == 2_000 * Self.ms }
        XCTAssertEqual(lost.count, 10)
        XCTAssertTrue(lost.allSatisfy { $0.old != nil && $0.new == nil })
        // routing-events.csv shows them: r2's route to h2 via r4 (3 ms, 2 hops) gone at 2 s.
        let csv = String(decoding: results.files.first { $0.name == "routing-events.csv" }!.contents, as: UTF8.self)
        XCTAssertTrue(csv.contains("\n2000000000,r2,0x0C/8,r4,3000000,2,-,,\n"), csv)
        // r1 hears r2's last hello (sent at 1.9 s) 2 ms and its serialisation later, and holds
        // it for 3.5 hello intervals (350 ms): no carrier loss tells it sooner. Its backup via
        // r3 (r3 offers 4 ms, below the 5 ms r1 advertised) is feasible at once.
        let atR1 = events.filter { $0.node == 1 && $0.prefix == h2 && $0.time > 2_000 * Self.ms }
        XCTAssertEqual(atR1.map { $0.new?.nextHop.interface }, [2, 1])
        let detected = atR1[0].time
        XCTAssertGreaterThan(detected, (1_900 + 2 + 350) * Self.ms)
        XCTAssertLessThan(detected, (1_900 + 2 + 350) * Self.ms + 20_000, "a hello of under 250 bytes at 100 Mbps")
        XCTAssertEqual(atR1[0].new?.toDelay, 7 * Self.ms)
        // r1 withdraws r2's own address at the same moment: nothing else reaches it.
        XCTAssertEqual(events.first { $0.node == 1 && $0.prefix == r2 && $0.time > 2_000 * Self.ms }.map { [$0.time, $0.new == nil ? 1 : 0] },
                       [detected, 1])
        // Back: r2 restarts at 3 s with empty tables, relearns, and r1 returns to it (5 ms).
        XCTAssertGreaterThan(atR1[1].time, 3_000 * Self.ms)
        XCTAssertLessThan(atR1[1].time, 3_100 * Self.ms)
        XCTAssertEqual(atR1[1].new?.toDelay, 5 * Self.ms)
        let relearned = events.filter { $0.node == 2 && $0.time >= 3_000 * Self.ms && $0.old == nil && $0.new != nil }
        XCTAssertEqual(Set(relearned.map(\.prefix)).count, 10)
        XCTAssertEqual(results.routing!.tables[2].count, 12)
        XCTAssertEqual(results.routing!.tables[1].first { $0.prefix == r2 }?.route.toDelay, 2 * Self.ms)
        // Exact drops: every flow packet r1 forwarded to r2 before it noticed, and that reached
        // r2 from 2 s on: sent at 1 s + k ms, at r1 1 ms + 8 µs later, at r2 2 ms + 8 µs after that.
        let serialisation: Nanoseconds = 8_000
        let dropped = (0..<4_000).filter { k in
            let sent = 1_000 * Self.ms + Nanoseconds(k) * Self.ms
            return sent + 3 * Self.ms + 2 * serialisation >= 2_000 * Self.ms && sent + Self.ms + serialisation < detected
        }.count
        let flow = results.flows[0]
        XCTAssertEqual(flow.drops.map(\.reason), ["node-down"])
        XCTAssertEqual(flow.drops.first?.count, dropped)
        XCTAssertEqual(flow.delivered + dropped + flow.inFlight + flow.unaccounted, flow.sent)
        let atR2 = results.nodes[2].drops.first { $0.reason == "node-down" }?.count ?? 0
        XCTAssertGreaterThan(atR2, dropped, "r2's neighbours' hellos and updates are lost there too")
        XCTAssertEqual(results.nodes.flatMap(\.drops).filter { $0.reason == "ttl-expired" }.count, 0)
        print("crashed-router: detected at \(detected) ns, back at \(atR1[1].time) ns, \(dropped) flow packets node-down")
    }

    func testACrashedHostLosesWhatItQueuedAndSendsNothing() throws {
        // h1 sends 2,000 packets/s of 1,500 bytes onto a 10 Mbps link (1.2 ms each): its queue
        // grows until it crashes at 500 ms; all of it is lost, and so is what it would send until 700 ms.
        let yaml = pairTopology(replacing: "flows:\n  - {name: f, from: a, to: b, rate: 100pps, size: 500}",
                                with: "flows:\n  - {name: f, from: a, to: b, rate: 2kpps, size: 1500}")
            .replacingOccurrences(of: "rate: 100Mbps", with: "rate: 10Mbps")
            .replacingOccurrences(of: "eth0: {address: \"0x01\"}", with: "eth0: {address: \"0x01\"}\n    faults: {crash: [500ms, 700ms]}")
        let results = try emulate(yaml)
        let flow = results.flows[0]
        let link = results.links.first { $0.from == "a:eth0" }!
        // Sent before the crash: 1,000 (0 … 499.5 ms); the link took one per 1.2 ms from 0 on:
        // 417 started (0 … 499.2 ms), the last cut by the crash.
        let nodeDown = flow.drops.first { $0.reason == "node-down" }?.count ?? 0
        XCTAssertEqual(nodeDown, (1_000 - 416) + 400, "the queue and the one on the wire, then 400 not sent while down")
        XCTAssertEqual(results.nodes[0].drops.first { $0.reason == "node-down" }?.count, nodeDown)
        XCTAssertEqual(flow.delivered + nodeDown + flow.inFlight + flow.unaccounted + (flow.drops.first { $0.reason == "queue-full" }?.count ?? 0), flow.sent)
        XCTAssertGreaterThan(link.packets, 416)
    }

    func testEachCrashPeriodDropsWhatTheNodeSendsAndWhatReachesIt() throws {
        // a sends b 100 packets/s of 500 bytes (40 µs at 100 Mbps, then 2 ms): a is down twice,
        // from 100 to 200 ms and from 300 to 400 ms, and does not send those sent at 100 … 190 and
        // 300 … 390 ms; b is down from 600 to 700 ms, and what arrives then (sent at 600 … 690 ms,
        // arriving 2.04 ms later) is lost there.
        let node = "eth0: {address: \"0x01\"}"
        let yaml = pairTopology(replacing: node, with: node + "\n    faults: {crash: [[100ms, 200ms], [300ms, 400ms]]}")
            .replacingOccurrences(of: "eth0: {address: \"0x02\"}", with: "eth0: {address: \"0x02\"}\n    faults: {crash: [600ms, 700ms]}")
        let results = try emulate(yaml)
        XCTAssertEqual(results.flows[0].drops.map(\.reason), ["node-down"])
        XCTAssertEqual(results.flows[0].drops.first?.count, 30)
        XCTAssertEqual(results.nodes.map { $0.drops.first { $0.reason == "node-down" }?.count ?? 0 }, [20, 10])
        XCTAssertEqual(results.flows[0].delivered, 100 - 30)
    }

    func testCrashPeriodsAreCheckedWhereTheyAreWritten() {
        let node = "eth0: {address: \"0x01\"}"
        XCTAssertEqual(diagnostics(pairTopology(replacing: node, with: node + "\n    faults: {crash: [2s, 3s]}")),
                       ["test.yaml:8:21: `a` would be crashed from 2s to 3s, not inside the run's 0…1s — end each crash by the run's end"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: node, with: node + "\n    faults: {crash: [[100ms, 300ms], [200ms, 400ms]]}")),
                       ["test.yaml:8:38: crash periods must each end after they start and follow each other without overlap — write the periods in time order, e.g. `crash: [[2s, 3s], [5s, 6s]]`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: node, with: node + "\n    faults: {crash: [300ms, 100ms]}")),
                       ["test.yaml:8:21: crash periods must each end after they start and follow each other without overlap — write the periods in time order, e.g. `crash: [[2s, 3s], [5s, 6s]]`"])
        XCTAssertEqual(diagnostics(pairTopology(replacing: node, with: node + "\n    faults: {down: [1s, 2s]}")),
                       ["test.yaml:8:14: unknown key `down` in faults of `a` — remove it; faults of `a` takes crash"])
    }
}
