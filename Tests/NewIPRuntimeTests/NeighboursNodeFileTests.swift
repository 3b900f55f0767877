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
