import Foundation
@testable import NewIPEmulator
import NewIPNode
import NewIPRandom
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// Neighbour discovery and address autoconfiguration in virtual time (docs/topology.md,
/// *Neighbour discovery*): r1 (prefix 0xDE/8) links to hosts over 1 Gbps, 1 ms links and sends
/// a hello on each every 300 ms, from 0. A hello is 24 bytes (192 ns on the wire), a duplicate
/// address check 14 bytes (112 ns), so a hello sent at t reaches the host at t + 1.000192 ms.
final class NeighbourDiscoveryEmulationTests: XCTestCase {
    /// r1 with one interface per host in `hosts` (name: its interface's YAML), linked in order.
    func topology(hosts: [(name: String, interface: String)], link: String = "", flows: String = "", domains: String = "",
                  duration: String = "2s") -> String {
        """
        name: nd
        duration: \(duration)
        neighbours: {hello: 300ms}
        nodes:
          r1:
            kind: router
            prefix: "0xDE/8"
            interfaces: {\(hosts.indices.map { "eth\($0): \"0xDE0\($0 + 1)\"" }.joined(separator: ", "))}
        \(hosts.map { "  \($0.name): {kind: host, interfaces: {eth0: \($0.interface)}}" }.joined(separator: "\n"))
        links:
        \(hosts.indices.map { "  - {endpoints: [r1:eth\($0), \(hosts[$0].name):eth0], rate: 1Gbps, delay: 1ms\(link)}" }.joined(separator: "\n"))
        \(domains)
        \(flows)

        """
    }

    func events(_ results: EmulationResults, node: String) throws -> [String] {
        try XCTUnwrap(results.neighbours).events.filter { results.nodes[$0.node].name == node }.map { event in
            switch event.kind {
            case .state(let neighbour, let from, let to): "\(event.time) \(neighbour) \(from?.rawValue ?? "new")>\(to.rawValue)"
            case .configured(let address, let router): "\(event.time) configured \(address) from \(router)"
            case .refused(let address, let reason): "\(event.time) refused \(address.map(String.init(describing:)) ?? "-"): \(reason)"
            }
        }
    }

    func testPacketSizesTheTimesRestOn() {
        let hello = NeighbourDiscoveryPacket.advertisement(
            linkLayerAddress: [], from: CompactAddress("0xDE01")!, to: .addressResolution,
            extensions: NeighbourHelloItem(holdMilliseconds: 900, prefix: CompactAddressPrefix("0xDE/8")).extensionItem)
        XCTAssertEqual(hello.bytes.count, 24)
        XCTAssertEqual(NeighbourDiscoveryPacket.solicitation(for: CompactAddress("0xDE03")!, from: nil).bytes.count, 14)
    }

    /// h1 and h2 hear r1's first hello at 1.000192 ms and form 0xDE07 and 0xDE08; their checks
    /// end unanswered 1 s later, at 1.001000192 s. h1 sends 100 packets a second from 0: the
    /// 101 sent up to 1.0 s find no address (`no-address`); the one sent at 1.01 s is the first
    /// through, at 1.01 s + 2 × (1 ms + 800 ns) = 1.0120016 s, and so are the 98 after it.
    func testHostsFormTheirAddressesAndTheFirstPacketAfterGetsThrough() throws {
        let yaml = topology(hosts: [("h1", "{suffix: 7}"), ("h2", "{suffix: 8}")],
                            flows: "flows: [{name: f, from: h1, to: h2, rate: 100pps, size: 100}]")
        let results = try emulate(yaml)
        XCTAssertEqual(try events(results, node: "h1"), ["1000192 0xDE01 new>reachable", "1001000192 configured 0xDE07 from 0xDE01"])
        XCTAssertEqual(try events(results, node: "h2"), ["1000192 0xDE02 new>reachable", "1001000192 configured 0xDE08 from 0xDE02"])
        let flow = try XCTUnwrap(results.flows.first)
        XCTAssertEqual([flow.sent, flow.delivered], [200, 99])
        XCTAssertEqual(flow.drops.map { "\($0.reason)=\($0.count)" }, ["no-address=101"])
        XCTAssertEqual(flow.latency.map { [$0.min, $0.max] }, [2_001_600, 2_001_600])
        XCTAssertEqual(results.nodes.first { $0.name == "h1" }?.drops.map { "\($0.reason)=\($0.count)" }, ["no-address=101"])

        // Hellos at 0, 0.3, …, 1.8 s on each interface: the last one heard at 1.801000192 s.
        let nodes = try XCTUnwrap(results.neighbours).nodes
        XCTAssertEqual(nodes.map(\.name), ["r1", "h1", "h2"])
        XCTAssertEqual(nodes[0].counters.hellosSent, 14)
        XCTAssertEqual(nodes[1].interfaces.map { "\($0.name) \($0.address.map(String.init(describing:)) ?? "-")" }, ["eth0 0xDE07"])
        XCTAssertEqual(nodes[1].interfaces[0].neighbours.map { "\($0.address) \($0.state.rawValue) \($0.confirmed ?? -1)" },
                       ["0xDE01 reachable 1801000192"])
    }

    /// h2 asks for suffix 2: r1's own 0xDE02 on that link. r1 defends it with an advertisement
    /// (24 bytes): the check sent at 1.000192 ms reaches r1 at 2.000304 ms, the defence is back
    /// at 3.000496 ms, and h2 stays without an address (its packets: `no-address`).
    func testADuplicateSuffixIsRefusedWithItsReason() throws {
        let yaml = topology(hosts: [("h1", "\"0xDE10\""), ("h2", "{suffix: 2}")],
                            flows: "flows: [{name: f, from: h2, to: h1, rate: 10pps, size: 100}]")
        let results = try emulate(yaml)
        XCTAssertEqual(try events(results, node: "h2"), [
            "1000192 0xDE02 new>reachable",
            "3000496 refused 0xDE02: 0xDE02 is taken: an advertisement from 0xDE02 answered the duplicate address check",
        ])
        let flow = try XCTUnwrap(results.flows.first)
        XCTAssertEqual(flow.drops.map { "\($0.reason)=\($0.count)" }, ["no-address=20"])
        let h2 = try XCTUnwrap(results.neighbours?.nodes.first { $0.name == "h2" })
        XCTAssertNil(h2.interfaces[0].address)
        XCTAssertEqual(h2.counters.addressesRefused, 1)
    }

    /// The link is down from 1.5 s: the last hello h1 hears was sent at 1.2 s (heard at
    /// 1.201000192 s) and holds 900 ms, so r1 goes stale at 2.101000192 s; h1's four
    /// solicitations, 1 s apart, go unanswered and r1 is down at 6.101000192 s.
    func testACutLinkMakesTheNeighbourStaleThenDown() throws {
        let yaml = topology(hosts: [("h1", "{suffix: 7}")], link: ", faults: {down: [1.5s, 7s]}", duration: "7s")
        let results = try emulate(yaml)
        XCTAssertEqual(try events(results, node: "h1"), [
            "1000192 0xDE01 new>reachable", "1001000192 configured 0xDE07 from 0xDE01",
            "2101000192 0xDE01 reachable>stale", "6101000192 0xDE01 stale>down",
        ])
        // One duplicate check and four probes, and r1's 19 hellos after 1.5 s were lost.
        XCTAssertEqual(results.neighbours?.nodes.first { $0.name == "h1" }?.counters.solicitationsSent, 5)
        XCTAssertEqual(results.links.first { $0.from == "r1:eth0" }?.drops.map { "\($0.reason)=\($0.count)" }, ["link-loss=19"])
    }

    /// r1 is crashed from 1.4 s to 3 s: its hellos stop (the last one h1 hears left at 1.2 s,
    /// so r1 is stale at 2.101000192 s, and h1's probe then is lost in the crashed r1). On
    /// restart r1's overdue hello goes out at once and reaches h1 at 3.001000192 s.
    func testACrashedRouterGoesStaleAndComesBack() throws {
        var yaml = topology(hosts: [("h1", "{suffix: 7}")], duration: "4s")
        yaml = yaml.replacingOccurrences(of: "    prefix: \"0xDE/8\"\n", with: "    prefix: \"0xDE/8\"\n    faults: {crash: [1.4s, 3s]}\n")
        let results = try emulate(yaml)
        XCTAssertEqual(try events(results, node: "h1"), [
            "1000192 0xDE01 new>reachable", "1001000192 configured 0xDE07 from 0xDE01",
            "2101000192 0xDE01 reachable>stale", "3001000192 0xDE01 stale>reachable",
        ])
        XCTAssertEqual(results.nodes.first { $0.name == "r1" }?.drops.map { "\($0.reason)=\($0.count)" }, ["node-down=1"])
    }

    /// In an open, self-certifying domain, `suffix: key` forms the address r1's prefix and the
    /// hash of h1's seeded key make (`SelfCertifyingAddress`), and r1, its first hop, proves
    /// h1's packets by it.
    func testASelfCertifyingHostFormsItsKeysAddress() throws {
        let yaml = topology(hosts: [("h1", "{suffix: key}"), ("h2", "\"0xDE10\"")],
                            flows: "flows: [{name: f, from: h1, to: h2, rate: 10pps, size: 100, start: 1.1s}]",
                            domains: "domains: [{name: commons, admission: open, self-certifying: 8, members: [h1]}]")
        let results = try emulate(yaml)
        var random = RandomStream(seed: 1, name: "identity/h1")
        let seed = (0..<4).flatMap { _ in withUnsafeBytes(of: random.next().bigEndian) { Array($0) } }
        let key = try DeviceIdentity(seed: seed).publicKey
        let expected = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: XCTUnwrap(CompactAddressPrefix("0xDE/8")), publicKey: key))
        let h1 = try XCTUnwrap(results.neighbours?.nodes.first { $0.name == "h1" })
        XCTAssertEqual(h1.interfaces[0].address, expected.address)
        XCTAssertEqual(try events(results, node: "h1").last, "1001000192 configured \(expected.address) from 0xDE01")
        let flow = try XCTUnwrap(results.flows.first)
        XCTAssertEqual([flow.sent, flow.delivered], [9, 9])
        XCTAssertEqual(results.governance?.domains.first?.firstHops.first?.proven, 9)
    }

    func testTheSameSeedGivesTheSameResults() throws {
        let yaml = topology(hosts: [("h1", "{suffix: 7}"), ("h2", "{suffix: 8}")], link: ", loss: 0.2",
                            flows: "flows: [{name: f, from: h1, to: h2, rate: 100pps, size: 100}]")
        let first = try emulate(yaml, seed: 7).files.map { "\($0.name) \($0.contents)" }
        XCTAssertEqual(try emulate(yaml, seed: 7).files.map { "\($0.name) \($0.contents)" }, first)
        XCTAssertNotEqual(try emulate(yaml, seed: 8).files.first { $0.name == "results.json" }.map(\.contents),
                          try emulate(yaml, seed: 7).files.first { $0.name == "results.json" }.map(\.contents))
    }

    /// The topology writer keeps `neighbours:` and the suffixes: the file it writes runs the same.
    func testTheWrittenTopologyRunsTheSame() throws {
        let yaml = topology(hosts: [("h1", "{suffix: 7}"), ("h2", "{suffix: 8}")],
                            flows: "flows: [{name: f, from: h1, to: h2, rate: 100pps, size: 100}]")
        let written = TopologyWriter.yaml(try parse(yaml))
        XCTAssertTrue(written.contains("neighbours: {hello: 300ms}\n") && written.contains("eth0: {suffix: 7}"), written)
        XCTAssertEqual(try emulate(written).files.first { $0.name == "results.json" }.map(\.contents),
                       try emulate(yaml).files.first { $0.name == "results.json" }.map(\.contents))
    }

    func testBadInputIsNamedWithItsPlace() {
        let base = topology(hosts: [("h1", "{suffix: 7}")])
        XCTAssertEqual(diagnostics(base.replacingOccurrences(of: "{hello: 300ms}", with: "{helo: 300ms}")), [
            "test.yaml:3:13: `neighbours` sends no hellos without `hello` — add `hello: 100ms` (how often routers send them)",
            "test.yaml:3:14: unknown key `helo` in neighbours (did you mean `hello`?) — rename it to `hello`",
        ])
        XCTAssertEqual(diagnostics(base.replacingOccurrences(of: "{suffix: 7}", with: "{suffix: 300}")), [
            "test.yaml:9:48: suffix 300 does not fit `r1`'s prefix 0xDE/8: 8 bits are left after it (or the address is not a valid compact one) — use a suffix below 256",
        ])
        XCTAssertEqual(diagnostics(base.replacingOccurrences(of: "neighbours: {hello: 300ms}\n", with: "")), [
            "test.yaml:8:48: `h1:eth0` forms its address by neighbour discovery, which is off — add a top-level `neighbours: {hello: 100ms}`, or give it an `address`",
        ])
        XCTAssertEqual(diagnostics(base.replacingOccurrences(of: "    prefix: \"0xDE/8\"\n", with: "")), [
            "test.yaml:8:48: `r1`, at the other end of `h1:eth0`'s link, offers no prefix to form an address in — give `r1` a `prefix:` (e.g. \"0xDE/8\")",
        ])
        XCTAssertEqual(diagnostics(base.replacingOccurrences(of: "{suffix: 7}", with: "{suffix: key}")), [
            "test.yaml:9:48: `suffix: key` forms a self-certifying address under `r1`'s prefix 0xDE/8, and `h1:eth0` is not the first interface "
                + "of a member of a domain with `self-certifying: 8` — make `h1` a member of an open domain with `self-certifying: 8`, or write a number",
        ])
    }
}
