import NewIPDataPlane
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

/// The node file's `neighbours:` section: read, written back, and refused with the place and the fix.
final class NeighboursNodeFileTests: XCTestCase {
    let head = "name: r1\ncontrol: 127.0.0.1:7001\ninterfaces: [{name: eth0, address: \"0x10\", udp: {local: \"127.0.0.1:7002\", peer: \"127.0.0.1:7003\"}}]\n"

    func testReadsAndWritesBack() throws {
        let config = try NodeConfig.parse(yaml: head + "neighbours: {hello: 500ms, hold: 2s, prefix: 0xDE/8}\n")
        XCTAssertEqual(config.neighbours, NodeConfig.Neighbours(hello: 500_000_000, hold: 2_000_000_000, prefix: CompactAddressPrefix("0xDE/8")))
        XCTAssertEqual(config.neighbours?.holdTime, 2_000_000_000)
        XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config)
        let defaultHold = try NodeConfig.parse(yaml: head + "neighbours: {hello: 1s}\n")
        XCTAssertEqual(defaultHold.neighbours?.holdTime, 3_000_000_000, "three intervals")
        let host = try NodeConfig.parse(yaml: head + "role: host\nneighbours: {suffix: 7}\n")
        XCTAssertEqual(host.neighbours, NodeConfig.Neighbours(suffix: 7))
        XCTAssertEqual(try NodeConfig.parse(yaml: host.yaml), host)
    }

    func testRefusalsNameThePlaceAndTheFix() {
        for (section, expected) in [
            ("neighbours: {hold: 2s}", "node.yaml:4:20: a hold time without hellos — add `hello:`"),
            ("neighbours: {hello: 1s, prefix: 0x10/4}", "node.yaml:4:33: `0x10/4` is not a compact prefix of at least 8 bits — write e.g. 0xDE/8"),
            ("neighbours: {suffix: 7}", "node.yaml:4:22: `suffix` is for hosts: a router's addresses are configured — remove it, or set `role: host`"),
            ("neighbours: {hello: 1s, every: 2s}", "node.yaml:4:25:"),
        ] {
            XCTAssertThrowsError(try NodeConfig.parse(yaml: head + section + "\n")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(section): \(error)")
            }
        }
    }
}

/// `nip up` of a topology with `neighbours:`: the routers' hellos offer their prefix, a host
/// interface written with a suffix gets no address and the suffix, as the emulator runs it.
final class NeighboursDeploymentTests: XCTestCase {
    let yaml = """
        name: nd
        duration: 1s
        neighbours: {hello: 300ms}
        nodes:
          r1: {kind: router, prefix: "0xDE/8", interfaces: {eth0: "0xDE01", eth1: "0xDE02"}}
          h1: {kind: host, interfaces: {eth0: {suffix: 7}}}
          h2: {kind: host, interfaces: {eth0: "0xDE10"}}
        links:
          - {endpoints: [r1:eth0, h1:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, h2:eth0], rate: 1Gbps, delay: 1ms}

        """

    func testTheNodeFilesRunAutoconfiguration() throws {
        let topology = try TopologyParser.parse(yaml: yaml, file: "nd.yaml")
        XCTAssertNil(TopologyDeployment.problem(with: topology, namespaces: false))
        let configs = TopologyDeployment.configs(for: topology)
        let expected: [NodeConfig.Neighbours?] = [.init(hello: 300_000_000, prefix: CompactAddressPrefix("0xDE/8")), .init(suffix: 7), .init()]
        XCTAssertEqual(configs.map(\.neighbours), expected)
        let addresses: [[String]] = configs.map { config in config.interfaces.map { $0.address.map { "\($0)" } ?? "-" } }
        XCTAssertEqual(addresses, [["0xDE01", "0xDE02"], ["-"], ["0xDE10"]])
        // r1 routes to the address h1 will form; h1 routes none to itself until it has it.
        let formed = RoutePrefix(exactly: FrameworkAddress.compact(CompactAddress("0xDE07")!))
        XCTAssertTrue(configs[0].routes.contains { $0.prefix == formed && $0.interface == "eth0" })
        XCTAssertFalse(configs[1].routes.contains { $0.prefix == formed })
        for config in configs { XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config) }
    }

    func testAKeysAddressIsRefusedWithTheFix() throws {
        let keyed = yaml.replacingOccurrences(of: "{suffix: 7}", with: "{suffix: key}")
            + "domains: [{name: commons, admission: open, self-certifying: 8, members: [h1]}]\n"
        let topology = try TopologyParser.parse(yaml: keyed, file: "nd.yaml")
        XCTAssertEqual(TopologyDeployment.problem(with: topology, namespaces: false),
                       "node `h1` forms its address from a key the emulator derives from the seed, and real nodes hold their own: "
                       + "write `suffix: N` for `nip up`, or give the node its key file (docs/node.md, \"Addresses from keys\")")
    }
}
