@testable import NewIPEmulator
import NewIPDataPlane
import NewIPTopology
import NewIPWire
import XCTest

/// `Topology.problems()`: every semantic check in one place, reported at `file:line:column`
/// for a file and at the element's name for a topology built in code, with the same text, and
/// refused alike by the parser and by `Emulation`.
final class TopologyProblemsTests: XCTestCase {
    /// The same topology built in code.
    private func pair() -> Topology {
        let a = Topology.InterfaceID(node: 0, interface: 0), b = Topology.InterfaceID(node: 1, interface: 0)
        return Topology(name: "pair", duration: 1_000_000_000, nodes: [
            Topology.Node(name: "a", kind: .host, interfaces: [Topology.Interface(name: "eth0", address: .compact(CompactAddress("0x01")!))]),
            Topology.Node(name: "b", kind: .host, interfaces: [Topology.Interface(name: "eth0", address: .compact(CompactAddress("0x02")!))]),
        ], links: [
            Topology.Link(endpoints: (a, b), rate: BitRate(bitsPerSecond: 100_000_000), delay: 2_000_000),
        ], flows: [
            Topology.Flow(name: "f", source: a, destination: b, pattern: .constant(.packetsPerSecond(100)), size: .fixed(500),
                          stop: 1_000_000_000),
        ])
    }

    /// What `Emulation` refuses `topology` with.
    private func refusal(_ topology: Topology) -> [String] {
        do {
            _ = try Emulation(topology: topology)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func testTheBaseHasNoProblems() throws {
        XCTAssertEqual(diagnostics(pairTopology()), [])
        XCTAssertEqual(pair().problems(), [])
        XCTAssertEqual(try parse(pairTopology()).problems(), [])
    }

    // MARK: Each problem once, from a file

    func testDurationIsZero() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "duration: 1s", with: "duration: 0s")), [
            "test.yaml:2:11: duration is zero — run for a positive time, e.g. 2s",
        ])
    }

    func testBothEndpointsOnOneNode() {
        let yaml = pairTopology(replacing: "      eth0: {address: \"0x01\"}", with: "      eth0: {address: \"0x01\"}\n      eth1: {address: \"0x03\"}")
            .replacingOccurrences(of: "[a:eth0, b:eth0]", with: "[a:eth0, a:eth1]")
        XCTAssertEqual(diagnostics(yaml), [
            "test.yaml:12:7: interface `b:eth0` is on no link — add a link with endpoint b:eth0, or remove the interface",
            "test.yaml:14:16: both endpoints are on node `a` — connect two different nodes",
        ])
    }

    func testPacketsAboveTheFirstLinksMTU() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "    delay: 2ms", with: "    delay: 2ms\n    mtu: 400")), [
            "test.yaml:18:51: 500-byte packets exceed the MTU 400 of the link at `a:eth0` — lower the size or raise the link's `mtu`",
        ])
    }

    func testFlowNameUsedTwice() {
        let yaml = pairTopology() + "\n  - {name: f, from: b, to: a, rate: 100pps, size: 500}"
        XCTAssertEqual(diagnostics(yaml), [
            "test.yaml:18:12: flow name `f` is used twice — give each flow its own name (it names output files)",
        ])
    }

    func testFlowOutsideTheRun() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "size: 500}", with: "size: 500, start: 2s}")), [
            "test.yaml:17:63: the flow would run from 2s to 1s, not inside the run's 0…1s — make start < stop ≤ duration",
        ])
    }

    func testFlowToItsOwnNode() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "to: b,", with: "to: a,")), [
            "test.yaml:17:28: the flow is sent to the node that sends it — send it to another node",
        ])
    }

    // The other problems from a file are asserted where their feature is tested: an interface
    // on no link or on two, a link between two networks, an address used twice, packets too
    // small (TopologyErrorTests); gateways, routes into the wrong network, destinations with no
    // name and plain-IP flows with contracts (GatewayTests, RoutingAndDeviceTests).

    // MARK: Built in code

    func testReferencesThatOnlyCodeCanGetWrong() {
        var topology = pair()
        topology.nodes[1].name = "a"
        topology.nodes[0].interfaces.append(Topology.Interface(name: "eth0", address: .compact(CompactAddress("0x03")!)))
        topology.nodes[0].routes = [Topology.StaticRoute(prefix: .compact(.all), interface: 5)]
        topology.links.append(Topology.Link(endpoints: (Topology.InterfaceID(node: 0, interface: 1), Topology.InterfaceID(node: 7, interface: 0)),
                                            rate: BitRate(bitsPerSecond: 1), delay: 0))
        topology.flows.append(Topology.Flow(name: "g", source: Topology.InterfaceID(node: 0, interface: 9),
                                            destination: Topology.InterfaceID(node: 1, interface: 0),
                                            pattern: .constant(.packetsPerSecond(1)), size: .fixed(500), stop: 1_000_000_000))
        let expected = [
            "pair: interface `a:eth0`: node `a` has two interfaces named `eth0` — give each interface of a node its own name",
            "pair: node `a`: route `0x/0` of `a` leaves by interface index 5, but the node has 2 interfaces — route via one of its interfaces (0…1)",
            "pair: node `a`: node name `a` is used twice (nodes[0] and nodes[1]) — give each node its own name",
            "pair: links[1]: links[1] has an endpoint (node 7, interface 0) that is no interface of the topology — connect interfaces of the topology's nodes",
            "pair: interface `a:eth0`: interface `a:eth0` is on no link — add a link with endpoint a:eth0, or remove the interface",
            "pair: flow `g`: the flow's source (node 0, interface 9) is no interface of the topology — send between interfaces of the topology's nodes",
        ]
        XCTAssertEqual(topology.problems().map(\.description), expected)
        XCTAssertEqual(refusal(topology), topology.problems().map(\.description))
    }

    /// The problems a file can have, made in code: the same texts, at the element's name;
    /// `Emulation` refuses them as the parser does.
    func testCodeAndFileGetTheSameTexts() throws {
        var cases: [(yaml: String, change: (inout Topology) -> Void, place: String)] = []
        cases.append((pairTopology(replacing: "    delay: 2ms", with: "    delay: 2ms\n    mtu: 400"), { $0.links[0].mtu = 400 }, "pair: flow `f`"))
        cases.append((pairTopology(replacing: "size: 500", with: "size: 20"), { $0.flows[0].size = .fixed(20) }, "pair: flow `f`"))
        cases.append((pairTopology(replacing: "to: b,", with: "to: a,"), { $0.flows[0].destination = $0.flows[0].source }, "pair: flow `f`"))
        cases.append((pairTopology(replacing: "size: 500}", with: "size: 500, start: 2s}"), { $0.flows[0].start = 2_000_000_000 }, "pair: flow `f`"))
        cases.append((pairTopology(replacing: "\"0x02\"", with: "\"0x01\""),
                      { $0.nodes[1].interfaces[0].address = .compact(CompactAddress("0x01")!) }, "pair: interface `b:eth0`"))
        cases.append((pairTopology(replacing: "duration: 1s", with: "duration: 0s"), {
            $0.duration = 0
            $0.flows[0].stop = 0
        }, "pair"))
        cases.append((pairTopology(replacing: "kind: host\n    interfaces:\n      eth0: {address: \"0x01\"}",
                           with: "kind: gateway\n    interfaces:\n      eth0: {address: \"0x01\"}"),
                      { $0.nodes[0].kind = .gateway }, "pair: node `a`"))
        for (yaml, change, place) in cases {
            let fromFile = diagnostics(yaml)
            var topology = pair()
            change(&topology)
            let problems = topology.problems()
            XCTAssertEqual(fromFile.count, 1, yaml)
            XCTAssertEqual(problems.count, 1, yaml)
            guard let problem = problems.first, let reported = fromFile.first else { continue }
            XCTAssertNil(problem.location)
            XCTAssertEqual(problem.description, "\(place): \(problem.problem) — \(problem.fix)")
            XCTAssertTrue(reported.hasPrefix("test.yaml:"), reported)
            XCTAssertTrue(reported.hasSuffix(": \(problem.problem) — \(problem.fix)"), "\(reported) vs \(problem)")
            XCTAssertEqual(refusal(topology), [problem.description])
        }
    }

    func testAParsedTopologyChangedInCodeIsCheckedAtTheFilesPositions() throws {
        var topology = try parse(pairTopology())
        topology.links[0].mtu = 100
        XCTAssertEqual(refusal(topology), [
            "test.yaml:17:51: 500-byte packets exceed the MTU 100 of the link at `a:eth0` — lower the size or raise the link's `mtu`",
        ])
    }

    func testGeneratedTopologiesHaveNoProblems() throws {
        XCTAssertEqual(try TopologyGenerator.chain(routers: 3).problems(), [])
        XCTAssertEqual(try TopologyGenerator.fatTree(k: 4).problems(), [])
        var options = TopologyGenerator.Options()
        options.packetSize = 9000
        let generated = try TopologyGenerator.star(hosts: 3, options: options)
        XCTAssertEqual(refusal(generated).first,
                       "star-3: flow `h1-to-h2`: 9000-byte packets exceed the MTU 1500 of the link at `h1:eth0` — lower the size or raise the link's `mtu`")
    }

    func testBuiltInNetworkHasNoProblems() throws {
        let topology = try TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "demo.yaml")
        XCTAssertEqual(topology.problems(), [])
    }
}
