import Foundation
@testable import NewIPEmulator
import NewIPJSON
import NewIPTopology
import NewIPWire
import XCTest

/// Border policy and sender path constraints (docs/topology.md, *Border policy*, *Path
/// constraints*), exact on a diamond: h1 — r1 (first hop of `home`) — r2 (first hop of `x`,
/// 1 ms each way) — r4 — h2, and r1 — r3 (first hop and border of `y`, 2 ms then 3 ms) — r4;
/// 1 Gbps everywhere, 250-byte packets (2 µs per link), 10 packets a second for 1 s.
final class BorderPolicyAndPathTests: XCTestCase {
    func diamond(flows: String, y: String = "", dialect: String = "compact") -> String {
        """
        name: diamond
        duration: 1s
        dialect: \(dialect)
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          h2: {kind: host, interfaces: {eth0: "0x02"}}
          hx: {kind: host, interfaces: {eth0: "0x03"}}
          hy: {kind: host, interfaces: {eth0: "0x04"}}
          r1: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13"}}
          r2: {kind: router, interfaces: {eth0: "0x21", eth1: "0x22", eth2: "0x23"}}
          r3: {kind: router, interfaces: {eth0: "0x31", eth1: "0x32", eth2: "0x33"}}
          r4: {kind: router, interfaces: {eth0: "0x41", eth1: "0x42", eth2: "0x43"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth2, r3:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r2:eth1, r4:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r3:eth1, r4:eth1], rate: 1Gbps, delay: 3ms}
          - {endpoints: [r4:eth2, h2:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [hx:eth0, r2:eth2], rate: 1Gbps, delay: 1ms}
          - {endpoints: [hy:eth0, r3:eth2], rate: 1Gbps, delay: 1ms}
        domains:
          - {name: home, admission: open, members: [h1]}
          - {name: x, admission: open, members: [hx]}
          - {name: y, admission: open, members: [hy]\(y)}
        flows:
        \(flows)
        """
    }

    func flow(_ name: String, _ extra: String = "") -> String {
        "  - {name: \(name), from: h1, to: h2, rate: 10pps, size: 250\(extra)}"
    }

    func outcome(_ results: EmulationResults, _ name: String) -> String {
        let flow = results.flows.first { $0.name == name }!
        return ([flow.name, "\(flow.delivered)/\(flow.sent)", "max=\(flow.latency?.max ?? -1)"]
            + flow.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
    }

    func node(_ results: EmulationResults, _ name: String) -> [String] {
        results.nodes.first { $0.name == name }!.drops.map { "\($0.reason)=\($0.count)" }
    }

    func testAConstrainedFlowTakesTheLongerAllowedPathAndAnImpossibleOneDropsAtTheFirstHop() throws {
        for dialect in ["compact", "framework"] {
            let results = try emulate(diamond(flows: [
                flow("plain"), flow("avoid-x", ", avoid: [x]"), flow("only-home-y", ", only-through: [home, y]"),
                flow("avoid-home", ", avoid: [home]"),
            ].joined(separator: "\n"), dialect: dialect))
            // plain: r1 → r2 → r4, 4 ms + 4 × 2 µs; avoid-x: r1 → r3 → r4, 7 ms + 4 × 2 µs, and
            // 2 µs behind plain's packet (sent at the same instant) on h1's link.
            XCTAssertEqual(outcome(results, "plain"), "plain 10/10 max=4008000", dialect)
            XCTAssertEqual(outcome(results, "avoid-x"), "avoid-x 10/10 max=7010000", dialect)
            // r4 is in no domain, so no way crosses only home and y; r1 itself is in home.
            XCTAssertEqual(outcome(results, "only-home-y"), "only-home-y 0/10 max=-1 path-constraint=10", dialect)
            XCTAssertEqual(outcome(results, "avoid-home"), "avoid-home 0/10 max=-1 path-constraint=10", dialect)
            XCTAssertEqual(node(results, "r1"), ["path-constraint=20"], dialect)
            XCTAssertEqual(results.links.first { $0.name == "r1:eth2->r3:eth0" }?.packets, 10, dialect)
        }
    }

    func testTheConstraintTravelsInThePacket() throws {
        let topology = try parse(diamond(flows: flow("avoid-x", ", avoid: [x, y]")))
        let item = try XCTUnwrap(topology.pathConstraintItem(of: topology.flows[0]))
        XCTAssertEqual(item.extensionItem, [4, 6, 1, 2, 0, 2, 0, 3])
        XCTAssertEqual(item.clause.encodedLength, 8)
    }

    func testBorderPolicyFirstMatchWinsAndChangesAtItsTime() throws {
        let y = """
            , border: [r3],
                 policy: [{action: deny, from-domain: none}, {action: permit, from-domain: home, contract: none}],
                 policy-changes: {500ms: [{action: deny, from-domain: home, to: "0x02"}]}
            """
        let results = try emulate(diamond(flows: flow("avoid-x", ", avoid: [x]"), y: y))
        // Sent at 0, 100, …, 900 ms; the one sent at 500 ms reaches r3 3.004 ms later, after the change.
        XCTAssertEqual(outcome(results, "avoid-x"), "avoid-x 5/10 max=7008000 policy=5")
        XCTAssertEqual(node(results, "r3"), ["policy=5"])
        let domain = try XCTUnwrap(results.governance?.domains.first { $0.name == "y" })
        XCTAssertEqual(domain.border, ["r3"])
        XCTAssertEqual(domain.policies.map(\.from), [0, 500_000_000])
        XCTAssertEqual(domain.policies.map { $0.rules.map(\.matched) }, [[0, 5], [5]])
        XCTAssertEqual(domain.policies.map(\.defaultPermits), [0, 0])
        XCTAssertEqual(domain.policies[1].rules[0].rule, "{action: deny, from-domain: home, to: \"0x02/8\"}")
    }

    func testSourceProvenAtABorderIsWhatItCanVerify() throws {
        // r3 holds y's secret only: home's sealed packets are unproven there.
        let y = ", border: [r3], policy: [{action: deny, source: unproven}]"
        let results = try emulate(diamond(flows: flow("avoid-x", ", avoid: [x]"), y: y))
        XCTAssertEqual(outcome(results, "avoid-x"), "avoid-x 0/10 max=-1 policy=10")
    }

    func testProblems() {
        let bad = diamond(flows: flow("f", ", avoid: [nowhere]"), y: ", border: [h2], policy: [{action: deny, from-domain: mars}]")
        let found = diagnostics(bad)
        XCTAssertTrue(found.contains { $0.contains("border router `h2` of domain `y` is a host") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("names domain `mars`") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("`avoid` names domain `nowhere`") }, "\(found)")
        let both = diagnostics(diamond(flows: flow("f", ", avoid: [x], only-through: [y]")))
        XCTAssertTrue(both.contains { $0.contains("not both") }, "\(both)")
        let twice = diagnostics(diamond(flows: flow("f"), y: ", border: [r2]"))
        XCTAssertTrue(twice.contains { $0.contains("router `r2` would belong to domain `x` and to `y`") }, "\(twice)")
    }
}

/// The exposure report of Examples/governance.yaml, row by row for a few flows: computed from
/// what reached each node.
final class ExposureReportTests: XCTestCase {
    func testTheGovernanceExamplesExposure() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let results = try Emulation(topology: TopologyParser.load(path: examples.appendingPathComponent("governance.yaml").path)).run()
        let report = try XCTUnwrap(results.governance?.exposure)
        let rows = report.rows.filter { ["b1", "as", "a1-archive"].contains($0[0]) }.map { $0.joined(separator: " | ") }
        XCTAssertEqual(rows, [
            "as | ra | commons | 40 | stable 0x11 unproven | a1,a1-archive | by address | readable | -",
            "as | core | - | 40 | stable 0x11 unproven | a1,a1-archive | by address | readable | -",
            "as | server | - | 40 | stable 0x11 unproven | a1 | by address | readable | -",
            "b1 | rb | campus | 40 | stable 0x21 proven | bs,spoofer,b1-archive | this device | readable | -",
            "b1 | core | - | 40 | stable 0x21 sealed | - | by address | readable | -",
            "b1 | server | - | 40 | stable 0x21 sealed | - | by address | readable | -",
            "a1-archive | ra | commons | 40 | stable 0x11 proven | a1,as | by address | readable | -",
            "a1-archive | core | - | 40 | stable 0x11 sealed | a1,as | by address | readable | -",
            "a1-archive | rc | - | 40 | stable 0x11 sealed | - | by address | readable | -",
            "a1-archive | archive | - | 40 | stable 0x11 sealed | - | by address | readable | -",
        ])
        // The JSON section reads back to the same table (`nip exposure`).
        let json = try JSONValue.parse(String(decoding: results.files.first { $0.name == "results.json" }!.contents, as: UTF8.self))
        XCTAssertEqual(try ExposureReport(json: XCTUnwrap(json["exposure"])).rows, report.rows)
    }

    func testNoDomainsNoSection() throws {
        let results = try emulate(chain(flows: "  - {name: f, from: h1, to: h2, rate: 100pps, size: 100}"))
        XCTAssertNil(results.governance)
        XCTAssertFalse(String(decoding: results.files[0].contents, as: UTF8.self).contains("exposure"))
    }
}

/// `nip demo`'s governance chapter network (BuiltInNetwork.governance), exact per admission:
/// 20 packets a host in 2 s; `lost` revoked at 1 s (a checkpoint), so its packet sent at 1 s
/// is the first refused, 16 µs + 1 ms later.
final class DemoGovernanceTests: XCTestCase {
    func testOpenAndRegisteredAdmissionOfTheSameTraffic() throws {
        var outcomes: [String: [String]] = [:]
        for admission in ["open", "registered"] {
            let results = try emulate(BuiltInNetwork.governance(admission: admission))
            outcomes[admission] = results.flows.map { flow in
                ([flow.name, "\(flow.delivered)/\(flow.sent)"] + flow.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
            }
            let revocation = try XCTUnwrap(results.governance?.domains.first?.revocations.first)
            XCTAssertEqual(revocation.timeToFirstDrop, 1_016_000, admission)
            let spoofer = try XCTUnwrap(results.governance?.exposure.flows.first { $0.name == "spoof" })
            XCTAssertEqual(spoofer.observers.first?.node, "fh", admission)
            XCTAssertEqual(spoofer.observers.first?.sources, ["0x01"], admission)
        }
        XCTAssertEqual(outcomes["open"], ["h1 20/20", "h2 20/20", "spoof 20/20", "lost 10/20 revoked=10"])
        XCTAssertEqual(outcomes["registered"], ["h1 20/20", "h2 0/20 unauthenticated=20", "spoof 0/20 unauthenticated=20",
                                                "lost 10/20 revoked=10"])
    }
}
