@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Every mistake is reported as `file:line:column: what — fix`, at the exact place.
final class TopologyErrorTests: XCTestCase {
    func testBaseIsValid() {
        XCTAssertEqual(diagnostics(pairTopology()), [])
    }

    func testUnknownKeySuggestsTheClosestOne() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "    delay: 2ms", with: "    dealy: 2ms")), [
            "test.yaml:15:5: unknown key `dealy` in link (did you mean `delay`?) — rename it to `delay`",
            "test.yaml:13:5: link is missing `delay` — add `delay: …` (see docs/topology.md)",
        ].sorted(by: lineOrder))
    }

    func testBadUnit() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "rate: 100Mbps", with: "rate: 100Mbs")), [
            "test.yaml:14:11: rate: unknown unit `Mbs` in `100Mbs` (did you mean `Mbps`?) — use one of bps, kbps, Mbps, Gbps, Tbps",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "delay: 2ms", with: "delay: 2")), [
            "test.yaml:15:12: delay: `2` has no unit — write 2 with a unit, e.g. 2ms",
        ])
    }

    func testUnknownNodeInEndpoint() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "[a:eth0, b:eth0]", with: "[a:eth0, c:eth0]")), [
            "test.yaml:13:25: endpoint names unknown node `c` (did you mean `a`?) — use a node defined under `nodes`",
            "test.yaml:11:7: interface `b:eth0` is on no link — add a link with endpoint b:eth0, or remove the interface",
        ].sorted(by: lineOrder))
    }

    func testInterfaceOnTwoLinks() {
        let yaml = pairTopology(replacing: "    delay: 2ms\n", with: """
            delay: 2ms
          - endpoints: [b:eth0, a:eth0]
            rate: 1Gbps
            delay: 1ms

        """)
        XCTAssertEqual(diagnostics(yaml), [
            "test.yaml:16:17: interface `b:eth0` is already on the link at line 13 — an interface joins one link; add another interface to the node",
            "test.yaml:16:25: interface `a:eth0` is already on the link at line 13 — an interface joins one link; add another interface to the node",
        ])
    }

    func testInterfaceDefinedTwice() {
        let yaml = pairTopology(replacing: "      eth0: {address: \"0x02\"}", with: "      eth0: {address: \"0x02\"}\n      eth0: {address: \"0x03\"}")
        XCTAssertEqual(diagnostics(yaml), [
            "test.yaml:12:7: `eth0` is defined twice in the same mapping (first at line 11) — keep one definition (an interface, node or setting is defined once)",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "  b:\n    kind: host", with: "  a:\n    kind: host")), [
            "test.yaml:8:3: `a` is defined twice in the same mapping (first at line 4) — keep one definition (an interface, node or setting is defined once)",
        ])
    }

    /// libyaml ends lines at `\r` too: a repeated key in such a file is found on its line
    /// (found by the topology-file fuzz target, which trapped on a range past the file's last
    /// `\n`-separated line).
    func testRepeatedKeyInAFileWithCarriageReturns() {
        XCTAssertThrowsError(try TopologyParser.parse(yaml: "x: 1\ra: 1\ra: 2\r", file: "cr.yaml")) { error in
            XCTAssertEqual("\(error)", "cr.yaml:3:1: `a` is defined twice in the same mapping (first at line 2) — keep one definition (an interface, node or setting is defined once)")
        }
    }

    func testAddressOfTheWrongFamily() {
        // A compact topology takes IP addresses (plain-IP interfaces), but a link carries one
        // network and the compact host has no name for the IPv4 one.
        XCTAssertEqual(diagnostics(pairTopology(replacing: "\"0x02\"", with: "10.0.0.2")), [
            "test.yaml:13:16: the link joins a compact interface (`a:eth0`) and an ipv4 one (`b:eth0`) — give both ends addresses of one family; a `kind: gateway` node joins networks",
            "test.yaml:17:28: `b:eth0` (10.0.0.2) has no compact address for `a:eth0` to send to: no gateway maps it — bind it to a compact address in a gateway's `map`, e.g. `map: {\"0xF11400\": \"10.0.0.2\"}`",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "\"0x02\"", with: "nonsense")), [
            "test.yaml:11:23: address of `b:eth0`: `nonsense` is not a compact address — write the encoded bytes in hex (0xDE00) or a decimal value (256), or an IPv4 or IPv6 address",
        ])
        // The framework dialect takes it.
        XCTAssertEqual(diagnostics("dialect: framework\n" + pairTopology(replacing: "\"0x02\"", with: "10.0.0.2")), [])
    }

    func testMissingField() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "    rate: 100Mbps\n", with: "")), [
            "test.yaml:13:5: link is missing `rate` — add `rate: …` (see docs/topology.md)",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "duration: 1s\n", with: "")), [
            "test.yaml:1:1: the topology is missing `duration` — add `duration: …` (see docs/topology.md)",
        ])
    }

    func testDuplicateAddress() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "\"0x02\"", with: "\"0x01\"")), [
            "test.yaml:11:23: address 0x01 of `b:eth0` is already used by `a:eth0` — give each interface its own address",
        ])
    }

    func testYAMLSyntaxError() {
        let problems = diagnostics(pairTopology(replacing: "  - endpoints: [a:eth0, b:eth0]", with: "  - endpoints: [a:eth0, b:eth0"))
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems[0].hasPrefix("test.yaml:14:"), problems[0])
        XCTAssertTrue(problems[0].contains("YAML syntax"), problems[0])
    }

    func testFlowMistakes() {
        XCTAssertEqual(diagnostics(pairTopology(replacing: "size: 500", with: "size: 20")), [
            "test.yaml:17:51: 20-byte packets cannot hold the 6-byte header and the 18-byte probe — use a size of at least 24",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "to: b,", with: "to: bb,")), [
            "test.yaml:17:28: `to` names unknown node `bb` (did you mean `b`?) — use a node defined under `nodes`",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "size: 500}", with: "size: 500, contract: {type: lbf, max: 2500us}}")), [
            "test.yaml:17:83: contract delays travel as whole milliseconds up to 65535ms, not 2500us — round it to whole milliseconds",
        ])
        XCTAssertEqual(diagnostics(pairTopology(replacing: "size: 500}", with: "size: 500, pattern: onof}")), [
            "test.yaml:17:65: unknown pattern `onof` (did you mean `onoff`?) — use one of constant, poisson, onoff",
        ])
    }

    func testAllProblemsAreReportedTogether() {
        let yaml = pairTopology(replacing: "rate: 100Mbps", with: "rate: fast").replacingOccurrences(of: "delay: 2ms", with: "delay: -1ms")
        XCTAssertEqual(diagnostics(yaml).count, 2)
    }

    private func lineOrder(_ a: String, _ b: String) -> Bool {
        func position(_ s: String) -> (Int, Int) {
            let parts = s.split(separator: ":")
            return (Int(parts[1])!, Int(parts[2])!)
        }
        return position(a) < position(b)
    }
}
