import NewIPDataPlane
import NewIPNode
import NewIPWire
import XCTest

/// Neighbour discovery in the node core, in virtual time on an embedded network: a router r
/// (0x10, link-layer address AA) and a host h (0x01, BB) on one 1 ms link.
final class NeighbourDiscoveryCoreTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000
    let s: Nanoseconds = 1_000_000_000
    let r = CompactAddress("0x10")!, h = CompactAddress("0x01")!

    func network(hello: NeighbourDiscovery.Hello? = nil) -> EmbeddedNetwork {
        func node(_ own: CompactAddress, linkLayer: [UInt8], forwards: Bool, hello: NeighbourDiscovery.Hello?) -> NodeCore {
            var table = ForwardingTable()
            table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(own)))
            return NodeCore(NodeCore.Setup(
                dialect: .compact, forwards: forwards, networks: [.newIP], table: table, queues: [EgressQueue(QueueSpec())],
                linkDelays: [ms], ownAddresses: [.compact(own)], interfaceAddresses: [.compact(own)],
                neighbourDiscovery: NeighbourDiscovery(interfaces: [.init(address: own, linkLayerAddress: linkLayer, hello: hello)], now: 0)))
        }
        return EmbeddedNetwork(nodes: [node(r, linkLayer: [0xAA], forwards: true, hello: hello), node(h, linkLayer: [0xBB], forwards: false, hello: nil)],
                               links: [(.init(node: 0, interface: 0), .init(node: 1, interface: 0))], delay: ms)
    }

    func testASolicitationForTheNodesAddressIsAnsweredAndBothLearn() throws {
        let net = network()
        net.nodes[0].resolveNeighbour(h, on: 0, now: 0)
        net.nodes[0].poll(now: 0, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { _ in }
        net.run(until: 100 * ms)
        // h got r's solicitation (the reference's bytes) at 1 ms, answered it and solicited r
        // back (it heard r only as a solicitor); r's advertisement came at 3 ms.
        let hHeard = net.deliveries[1].map(\.1)
        XCTAssertEqual(net.deliveries[1].map(\.0), [.neighbourDiscovery, .neighbourDiscovery])
        XCTAssertEqual(hHeard.first, NeighbourDiscoveryPacket.solicitation(for: h, from: r).bytes)
        XCTAssertEqual(hHeard.last, NeighbourDiscoveryPacket.advertisement(linkLayerAddress: [0xAA], from: r, to: h).bytes)
        XCTAssertEqual(net.deliveries[0].map(\.1), [NeighbourDiscoveryPacket.advertisement(linkLayerAddress: [0xBB], from: h, to: r).bytes,
                                                    NeighbourDiscoveryPacket.solicitation(for: r, from: h).bytes])
        let atR = try XCTUnwrap(net.nodes[0].neighbourDiscovery?.table.neighbour(h, on: 0))
        XCTAssertEqual([atR.state.rawValue, "\(atR.confirmed!)", "\(atR.linkLayerAddress)"], ["reachable", "\(2 * ms)", "[187]"])
        let atH = try XCTUnwrap(net.nodes[1].neighbourDiscovery?.table.neighbour(r, on: 0))
        XCTAssertEqual([atH.state.rawValue, "\(atH.confirmed!)", "\(atH.linkLayerAddress)"], ["reachable", "\(3 * ms)", "[170]"])
        XCTAssertEqual(net.nodes[0].neighbourDiscovery?.counters.answered, 1)
        XCTAssertEqual(net.nodes[1].neighbourDiscovery?.counters.answered, 1)
        XCTAssertEqual(net.drops, [[], []])
    }

    func testSolicitationsForOtherAddressesAndDamagedOnesAreTakenNotAnswered() {
        let net = network()
        var damaged = NeighbourDiscoveryPacket.solicitation(for: h, from: r).bytes
        damaged[damaged.count - 1] ^= 0x40
        let other = NeighbourDiscoveryPacket.solicitation(for: CompactAddress("0x02")!, from: r).bytes
        for bytes in [damaged, other] {
            guard case .delivered(_, .neighbourDiscovery) = net.nodes[1].receive(PacketBuffer(bytes: bytes), on: 0, now: 0) else {
                return XCTFail("not taken")
            }
        }
        let counters = net.nodes[1].neighbourDiscovery!.counters
        XCTAssertEqual([counters.malformed, counters.notOurs, counters.solicitationsReceived, counters.answered], [1, 1, 1, 0])
        XCTAssertFalse(net.nodes[1].hasAnswers)
    }

    func testHellosKeepTheRouterReachableUntilTheLinkIsCutThenItGoesDown() throws {
        let net = network(hello: .init(interval: s, holdTime: 3 * s))
        net.run(until: 2500 * ms)
        // Hellos left r at 0, 1 s and 2 s and arrived 1 ms later.
        let atH = try XCTUnwrap(net.nodes[1].neighbourDiscovery?.table.neighbour(r, on: 0))
        XCTAssertEqual(atH.state, .reachable)
        XCTAssertEqual(atH.confirmed, 2 * s + ms)
        XCTAssertEqual(net.nodes[0].neighbourDiscovery?.counters.hellosSent, 3)
        XCTAssertEqual(net.deliveries[1].first?.1, NeighbourDiscoveryPacket.advertisement(
            linkLayerAddress: [0xAA], from: r, to: .addressResolution,
            extensions: NeighbourHelloItem(holdMilliseconds: 3000).extensionItem).bytes)
        net.cut = [.init(node: 0, interface: 0)]
        net.run(until: 20 * s)
        // Hold time out at 5.001 s: stale, 4 solicitations 1 s apart, down at 9.001 s.
        let down = try XCTUnwrap(net.nodes[1].neighbourDiscovery?.table.neighbour(r, on: 0))
        XCTAssertEqual(down.state, .down)
        XCTAssertEqual(down.since, 9 * s + ms)
        XCTAssertEqual(net.nodes[1].neighbourDiscovery?.counters.solicitationsSent, 4)
    }
}
