import Crypto
import NewIPDataPlane
import NewIPNode
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// `BorderPolicy` and `PathConstraintRouting` on a `NodeCore`, in virtual time: a border router
/// with interface 0 towards the sources, 1 and 2 onwards.
final class BorderPolicyTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000
    let member = CompactAddress("0x05")!
    let stranger = CompactAddress("0x06")!
    let server = CompactAddress("0x20")!
    let archive = CompactAddress("0x21")!
    let secret = FirstHopSecret(epoch: 0, key: SymmetricKey(data: [UInt8](repeating: 0x42, count: 16)))
    let start: UInt64 = 1_894_060_800 * 1_000_000_000

    func core(rules: [BorderPolicy.Rule] = [], constraints: PathConstraintRouting? = nil) -> NodeCore {
        var table = ForwardingTable()
        table.insert(Route(nextHop: NextHop(interface: 1, neighbour: NeighbourID(rawValue: 1))), for: RoutePrefix(exactly: .compact(server)))
        table.insert(Route(nextHop: NextHop(interface: 1, neighbour: NeighbourID(rawValue: 1))), for: RoutePrefix(exactly: .compact(archive)))
        let verifier = SourceAuthVerifier(secrets: [secret], window: 2_000 * UInt64(ms), now: start)
        let policy = BorderPolicy(rules: rules, domainOf: [.compact(member): 7], verifiers: [7: verifier], clockOffset: start)
        return NodeCore(NodeCore.Setup(
            dialect: .compact, forwards: true, networks: [.newIP, .newIP, .newIP], table: table,
            queues: [EgressQueue(QueueSpec()), EgressQueue(QueueSpec()), EgressQueue(QueueSpec())], linkDelays: [ms, ms, ms],
            ownAddresses: [.compact(CompactAddress("0x10")!)], borderPolicy: policy, pathConstraints: constraints))
    }

    func packet(from source: CompactAddress, to destination: CompactAddress, items: [UInt8] = [], seal: Bool = false) -> PacketBuffer {
        let auth = seal ? SourceAuthenticatorItem(epoch: 0, timestamp: 0).extensionItem : []
        let extensions = auth + items
        let header = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: destination, source: source,
                                   extensionLength: extensions.count)
        var bytes = header.bytes(extensions: extensions) + Array("data".utf8)
        if seal {
            try! bytes.withUnsafeMutableBytes {
                try SourceAuthSender.seal($0, dialect: .compact, key: secret.sourceKey(for: .compact(source)),
                                          timestamp: SourceTime.timestamp(now: start + UInt64(ms)))
            }
        }
        return PacketBuffer(bytes: bytes)
    }

    func outcome(_ arrival: NodeCore.Arrival) -> String {
        switch arrival {
        case .queued(let egress): "queued on \(egress)"
        case .delivered: "delivered"
        case .dropped(let reason, _): reason.label
        }
    }

    func testFirstMatchWinsDefaultPermitAndCounts() {
        let node = core(rules: [
            BorderPolicy.Rule(action: .permit, from: .domain(7), to: RoutePrefix(exactly: .compact(archive)), source: .proven),
            BorderPolicy.Rule(action: .deny, to: RoutePrefix(exactly: .compact(archive))),
            BorderPolicy.Rule(action: .deny, from: .none, contract: .lbf),
        ])
        let lbf = CompactExtensions.item(for: .latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 50)))
        XCTAssertEqual([
            outcome(node.receive(packet(from: member, to: archive, seal: true), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: archive), on: 0, now: ms)),
            outcome(node.receive(packet(from: stranger, to: archive, seal: true), on: 0, now: ms)),
            outcome(node.receive(packet(from: stranger, to: server, items: lbf), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: server, items: lbf), on: 0, now: ms)),
            outcome(node.receive(packet(from: stranger, to: server), on: 0, now: ms)),
        ], ["queued on 1", "policy", "policy", "policy", "queued on 1", "queued on 1"])
        XCTAssertEqual(node.borderPolicy?.counters.matches, [1, 2, 1])
        XCTAssertEqual(node.borderPolicy?.counters.defaultPermits, 2)
        XCTAssertEqual(node.drops[.policy], 3)
        let previous = node.replacePolicyRules([])
        XCTAssertEqual(previous?.matches, [1, 2, 1])
        XCTAssertEqual(outcome(node.receive(packet(from: stranger, to: archive), on: 0, now: ms)), "queued on 1")
        XCTAssertEqual(node.borderPolicy?.counters.defaultPermits, 1)
    }

    func testAConstrainedPacketFollowsItsTableOrIsDropped() {
        let avoid = PathConstraintItem(mode: .avoid, domains: [3, 2, 3])
        XCTAssertEqual(avoid.domains, [2, 3])
        var detour = ForwardingTable()
        detour.insert(Route(nextHop: NextHop(interface: 2, neighbour: NeighbourID(rawValue: 2))), for: RoutePrefix(exactly: .compact(server)))
        let node = core(constraints: PathConstraintRouting(tables: [avoid: detour]))
        let onlyThrough = PathConstraintItem(mode: .onlyThrough, domains: [1])
        XCTAssertEqual([
            outcome(node.receive(packet(from: member, to: server), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: server, items: avoid.extensionItem), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: archive, items: avoid.extensionItem), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: server, items: onlyThrough.extensionItem), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: server, items: [4, 3, 9, 1, 0]), on: 0, now: ms)),
        ], ["queued on 1", "queued on 2", "path-constraint", "path-constraint", "malformed"])
        // The node's own table is back after a constrained packet.
        XCTAssertEqual(outcome(node.receive(packet(from: member, to: server), on: 0, now: ms)), "queued on 1")
    }

    /// A router that knows no constraint (a real node today) refuses every constrained packet
    /// and forwards the rest as before: a constraint is never silently ignored.
    func testARouterThatKnowsNoConstraintRefusesConstrainedPacketsOnly() {
        let node = core(constraints: PathConstraintRouting())
        let avoid = PathConstraintItem(mode: .avoid, domains: [2])
        XCTAssertEqual([
            outcome(node.receive(packet(from: member, to: server), on: 0, now: ms)),
            outcome(node.receive(packet(from: member, to: server, items: avoid.extensionItem), on: 0, now: ms)),
        ], ["queued on 1", "path-constraint"])
        XCTAssertEqual(node.drops[.pathConstraint], 1)
    }

    func testTheItemReadsBackInBothDialects() throws {
        let item = PathConstraintItem(mode: .onlyThrough, domains: [1, 0x0102])
        XCTAssertEqual(item.extensionItem, [4, 6, 2, 2, 0, 1, 1, 2])
        let compact = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: server, source: member,
                                    extensionLength: item.extensionItem.count).bytes(extensions: item.extensionItem) + [1, 2]
        let framework = FrameworkHeader(source: .compact(member), destination: .compact(server), contracts: [item.clause]).encoded() + [1, 2]
        for (bytes, dialect) in [(compact, PacketDialect.compact), (framework, .framework)] {
            let found = try bytes.withUnsafeBytes { raw in try PathConstraintItem.find(in: NewIPPacketView(raw, dialect: dialect)) }
            XCTAssertEqual(found, item, "\(dialect)")
        }
    }
}
