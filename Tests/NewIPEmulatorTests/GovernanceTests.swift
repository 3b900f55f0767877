import Foundation
@testable import NewIPEmulator
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// Domains in the emulator (docs/topology.md, *Governance*): exact outcomes on a tiny
/// topology — h1…h4 each linked to the first hop r1 (100 Mbps, 1 ms), r1 to srv — with
/// flows of 10 packets per second from each host to srv.
final class GovernanceTests: XCTestCase {
    /// The topology with `domain` (a `domains:` list item, indented by four) and a flow from each of `senders`.
    func tiny(_ domain: String, senders: [String] = ["h1", "h2", "h3", "h4"], duration: String = "1s",
              dialect: String = "compact", size: Int = 100) -> String {
        """
        name: tiny
        duration: \(duration)
        dialect: \(dialect)
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          h2: {kind: host, interfaces: {eth0: "0x02"}}
          h3: {kind: host, interfaces: {eth0: "0x03"}}
          h4: {kind: host, interfaces: {eth0: "0x04"}}
          r1: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13", eth3: "0x14", eth4: "0x15"}}
          srv: {kind: host, interfaces: {eth0: "0x20"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h2:eth0, r1:eth1], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h3:eth0, r1:eth2], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h4:eth0, r1:eth3], rate: 100Mbps, delay: 1ms}
          - {endpoints: [r1:eth4, srv:eth0], rate: 100Mbps, delay: 1ms}
        domains:
          - \(domain.trimmingCharacters(in: .whitespacesAndNewlines))
        flows:
        \(senders.map { "  - {name: \($0), from: \($0), to: srv, rate: 10pps, size: \(size)}" }.joined(separator: "\n"))

        """
    }

    func testARegisteredDomainForwardsEnrolledHostsOnly() throws {
        let results = try emulate(tiny("""
            {name: campus, admission: registered, members: [h1, h2, h3], not-enrolled: [h2], spoofers: {h3: h1}}
            """, senders: ["h1", "h2", "h3"]))
        XCTAssertEqual(outcomes(results), ["h1 10/10", "h2 0/10 unauthenticated=10", "h3 0/10 bad-mac=10"])
        XCTAssertEqual(firstHops(results), ["campus r1 proven=10 unproven=0 bad-mac=10 unauthenticated=10"])
        let node = try XCTUnwrap(results.nodes.first { $0.name == "r1" })
        XCTAssertEqual(node.drops.map { "\($0.reason)=\($0.count)" }, ["bad-mac=10", "unauthenticated=10"], "the node counts them too")
    }

    func testARegisteredSpooferWithoutAnyAuthenticatorIsUnauthenticated() throws {
        let results = try emulate(tiny("""
            {name: campus, admission: registered, members: [h1, h2], spoofers: {h2: {claims: h1, authenticator: none}}}
            """, senders: ["h1", "h2"]))
        XCTAssertEqual(outcomes(results), ["h1 10/10", "h2 0/10 unauthenticated=10"])
    }

    /// The open model proves sources without asking anyone, and lets unproven packets through:
    /// a host that claims another's address and carries no authenticator is delivered, counted
    /// unproven — the open mode's weakness. A forged authenticator is refused.
    func testAnOpenDomainForwardsUnprovenPacketsSpoofedOnesIncludedButNeverForgedOnes() throws {
        let results = try emulate(tiny("""
            {name: commons, admission: open, members: [h1, h2, h3, h4], not-enrolled: [h2],
                 spoofers: {h3: {claims: h1, authenticator: none}, h4: h1}}
            """))
        XCTAssertEqual(outcomes(results), ["h1 10/10", "h2 10/10", "h3 10/10", "h4 0/10 bad-mac=10"])
        XCTAssertEqual(firstHops(results), ["commons r1 proven=10 unproven=20 bad-mac=10"])
    }

    /// Revoked at 1.25 s, checkpoints every 500 ms: the first hop refuses h1 from 1.5 s. The
    /// packet sent at 1.5 s reaches r1 8 µs + 1 ms later (100 bytes at 100 Mbps, then the link),
    /// the first refused; those sent at 1.3 s and 1.4 s still passed.
    func testARevocationIsEnforcedAtTheNextCheckpoint() throws {
        let results = try emulate(tiny("""
            {name: campus, admission: registered, members: [h1], checkpoint-interval: 500ms, revocations: {h1: 1250ms}}
            """, senders: ["h1"], duration: "2s"))
        XCTAssertEqual(outcomes(results), ["h1 15/20 revoked=5"])
        let revocation = try XCTUnwrap(results.governance?.domains.first?.revocations.first)
        XCTAssertEqual(revocation.host, "h1")
        XCTAssertEqual(revocation.address, "0x01")
        XCTAssertEqual(revocation.scheduled, 1_250_000_000)
        XCTAssertEqual(revocation.enforced, 1_500_000_000)
        XCTAssertEqual(revocation.firstDrop, 1_501_008_000)
        XCTAssertEqual(revocation.timeToFirstDrop, 251_008_000)
        XCTAssertEqual(revocation.revokedDrops, 5)
        XCTAssertEqual(revocation.deliveredAfterScheduled, 2)
    }

    func testCheckpointsRoundUpAndIncludeTheirOwnInstant() {
        let domain = Topology.Domain(name: "d", admission: .registered, members: [], checkpointInterval: 1_000_000_000)
        XCTAssertEqual(domain.enforcement(of: 0), 0)
        XCTAssertEqual(domain.enforcement(of: 1), 1_000_000_000)
        XCTAssertEqual(domain.enforcement(of: 2_000_000_000), 2_000_000_000)
        XCTAssertEqual(domain.enforcement(of: 2_000_000_001), 3_000_000_000)
    }

    func testARevocationAfterTheLastCheckpointOfTheRunIsNeverEnforced() throws {
        let results = try emulate(tiny("""
            {name: campus, admission: registered, members: [h1], checkpoint-interval: 1s, revocations: {h1: 500ms}}
            """, senders: ["h1"], duration: "1s"))
        XCTAssertEqual(outcomes(results), ["h1 10/10"])
        let revocation = try XCTUnwrap(results.governance?.domains.first?.revocations.first)
        XCTAssertNil(revocation.enforced)
        XCTAssertNil(revocation.firstDrop)
        XCTAssertEqual(revocation.deliveredAfterScheduled, 5)
    }

    func testTheFrameworkDialectIsCheckedAlike() throws {
        let results = try emulate(tiny("""
            {name: campus, admission: registered, members: [h1, h2, h3], not-enrolled: [h2], spoofers: {h3: h1}}
            """, senders: ["h1", "h2", "h3"], dialect: "framework"))
        XCTAssertEqual(outcomes(results), ["h1 10/10", "h2 0/10 unauthenticated=10", "h3 0/10 bad-mac=10"])
    }

    func testTheSameSeedGivesTheSameFilesAndTheSectionOnlyWithDomains() throws {
        let yaml = tiny("""
            {name: campus, admission: registered, members: [h1, h2, h3], not-enrolled: [h2], spoofers: {h3: h1},
                 checkpoint-interval: 500ms, revocations: {h1: 300ms}}
            """, senders: ["h1", "h2", "h3"])
        let first = try emulate(yaml, seed: 9).files, second = try emulate(yaml, seed: 9).files
        XCTAssertEqual(first.map(\.name), second.map(\.name))
        XCTAssertEqual(first.map(\.contents), second.map(\.contents))
        let json = String(decoding: try XCTUnwrap(first.first { $0.name == "results.json" }).contents, as: UTF8.self)
        XCTAssertTrue(json.contains("\"governance\""))
        XCTAssertTrue(json.contains("\"time_to_first_drop_ns\": 201008000"), json)

        let plain = try emulate(tiny("{name: x, admission: open, members: [h1]}").replacingOccurrences(
            of: "domains:\n  - {name: x, admission: open, members: [h1]}\n", with: ""))
        XCTAssertNil(plain.governance)
        let plainJSON = String(decoding: try XCTUnwrap(plain.files.first { $0.name == "results.json" }).contents, as: UTF8.self)
        XCTAssertFalse(plainJSON.contains("governance"))
    }

    /// The template's zeroed authenticator is NewIPSecurity's item (the topology model does not
    /// depend on NewIPSecurity, so it spells the 16 bytes itself).
    func testThePlaceholderIsTheSecurityModulesItem() {
        let item = SourceAuthenticatorItem(epoch: 0, timestamp: 0)
        XCTAssertEqual(PacketTemplate.Authenticator.placeholder.extensionItem, item.extensionItem)
        XCTAssertEqual(PacketTemplate.Authenticator.placeholder.clause, item.clause)
    }

    func testPacketsMustHoldTheAuthenticator() throws {
        let plain = try parse(tiny("{name: x, admission: open, members: [h2]}", senders: ["h1"]))
        let minimum = try PacketTemplate(flow: plain.flows[0], in: plain).minimumSize(chunks: [])
        XCTAssertEqual(diagnostics(tiny("{name: x, admission: open, members: [h2]}", senders: ["h1"], size: minimum)), [])
        let refused = diagnostics(tiny("{name: x, admission: open, members: [h1]}", senders: ["h1"], size: minimum))
        XCTAssertEqual(refused.count, 1)
        // 16 bytes of item and, compact, the extension length byte the header now carries.
        XCTAssertTrue(refused.first?.contains("use a size of at least \(minimum + 17)") == true, "\(refused)")
    }

    func testDomainsAreCheckedWithPositions() {
        func refused(_ domain: String, _ extra: String = "") -> [String] {
            diagnostics(tiny(domain + extra, senders: ["h1"]))
        }
        XCTAssertEqual(refused("{name: d, admission: registered, members: [h1, hh2]}"),
                       ["test.yaml:18:52: member `hh2` of domain `d` is no node (did you mean `h2`?) — name a host defined under `nodes`"])
        XCTAssertEqual(refused("{name: d, admission: registered, members: [h1, r1]}"),
                       ["test.yaml:18:52: member `r1` of domain `d` is a router, not a host — list hosts only"])
        XCTAssertEqual(refused("{name: d, admission: registered, members: [h1], first-hops: [h2]}"),
                       ["test.yaml:18:48: member `h1` of domain `d` is linked to none of its first hops, so nobody would check its packets "
                        + "— add the router it is linked to under `first-hops`",
                        "test.yaml:18:66: first hop `h2` of domain `d` is a host, not a router — name the router that faces the members"])
        XCTAssertEqual(refused("{name: d, admission: registered, members: [h1]}", "\n  - {name: e, admission: open, members: [h2, h1]}"),
                       ["test.yaml:19:41: router `r1` would be a first hop of domain `d` and of `e` — a router checks one domain's hosts; "
                        + "give each domain its own first-hop routers",
                        "test.yaml:19:46: host `h1` is a member of domain `d` and of `e` — a host belongs to one domain; remove it from one of them"])
        XCTAssertEqual(refused("{name: d, admission: registered, members: [h1], not-enrolled: [h2], spoofers: {h1: nobody}, revocations: {h1: 5s}}"),
                       ["test.yaml:18:68: not-enrolled host `h2` is not a member of domain `d` (did you mean `h1`?) — name one of its members (h1)",
                        "test.yaml:18:84: spoofer `h1` claims `nobody`, which is no host — name the host whose address it claims",
                        "test.yaml:18:111: the revocation of `h1` at 5s is not inside the run's 0…1s — revoke before the run ends"])
        XCTAssertEqual(refused("{name: d, admission: closed, members: [h1]}"),
                       ["test.yaml:18:26: unknown admission `closed` — use one of open, registered"])
        XCTAssertEqual(refused("{name: d, admission: open, members: [h1], window: 11min}").count, 1)
    }

    /// h1 — r1 — srv with a registered domain; `link` is h1's link's extra settings, `rate` the chunked flow's.
    func contracted(dialect: String, link: String = "rate: 10Mbps, delay: 1ms, queue: lbf", rate: String = "100pps") -> String {
        """
        name: contracted
        duration: 1s
        dialect: \(dialect)
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12"}}
          srv: {kind: host, interfaces: {eth0: "0x20"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], \(link)}
          - {endpoints: [r1:eth1, srv:eth0], rate: 10Mbps, delay: 1ms, queue: lbf}
        domains:
          - {name: d, admission: registered, members: [h1]}
        flows:
          - {name: lbf, from: h1, to: srv, rate: 100pps, size: 300, contract: {type: lbf, min: 1ms, max: 20ms}}
          - {name: chunks, from: h1, to: srv, rate: \(rate), chunks: [{bytes: 100, significance: 0}, {bytes: 100, significance: 1}],
             contract: {type: mdf, max: 30ms}}

        """
    }

    /// The authenticator stands beside contracts and a payload spec (first among the compact
    /// extensions, before the clauses in the framework contract); chunked sizes include it.
    func testContractsAndChunksAreSealedInBothDialects() throws {
        for dialect in ["compact", "framework"] {
            let results = try emulate(contracted(dialect: dialect))
            XCTAssertEqual(outcomes(results), ["lbf 100/100", "chunks 100/100"], dialect)
            XCTAssertEqual(firstHops(results), ["d r1 proven=200 unproven=0"], dialect)
        }
    }

    /// Qualitative trimming in the sender's own egress queue changes bytes the MAC covers, after
    /// sealing and before the first hop checks: the first hop refuses every trimmed packet as
    /// bad-mac. (Trimming after the first hop is not checked again.)
    func testTrimmingInTheSendersOwnQueueBreaksItsMAC() throws {
        let link = "rate: 1Mbps, delay: 1ms, queue: {discipline: fifo, bytes: 2kB, trim: true}"
        let results = try emulate(contracted(dialect: "compact", link: link, rate: "1000pps"))
        let trimmedChunks = try XCTUnwrap(results.links.first { $0.name == "h1:eth0->r1:eth0" }).trimmedChunks
        let refused = results.governance?.domains.first?.firstHops.first?.drops.first { $0.reason == "bad-mac" }?.count ?? 0
        XCTAssertGreaterThan(trimmedChunks, 0)
        XCTAssertGreaterThan(refused, 0)
        XCTAssertLessThanOrEqual(refused, trimmedChunks, "one chunk cut per refused packet at least")
        XCTAssertEqual(results.flows.map(\.trimmed), [0, 0], "no trimmed packet gets through")
    }

    /// `TopologyWriter` writes domains back as the parser reads them: the same run.
    func testTheWriterWritesDomainsBack() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let topology = try TopologyParser.load(path: examples.appendingPathComponent("governance.yaml").path)
        let written = TopologyWriter.yaml(topology)
        XCTAssertTrue(written.contains("spoofers: {as: {claims: a1, authenticator: none}}"), written)
        let again = try TopologyParser.parse(yaml: written, file: "written.yaml")
        let files = try Emulation(topology: topology).run().files, rewritten = try Emulation(topology: again).run().files
        XCTAssertEqual(files.map(\.contents), rewritten.map(\.contents))
    }
}
