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

    // MARK: Address autoconfiguration

    /// r (routerAddress) offers 0xDE/8 in hellos every second; h has no address and suffix 7.
    func autoconfiguring(routerAddress: CompactAddress, suffix: UInt64 = 7, certified: CompactAddress? = nil) -> EmbeddedNetwork {
        let hello = NeighbourDiscovery.Hello(interval: s, holdTime: 3 * s)
        func node(_ own: CompactAddress?, interface: NeighbourDiscovery.Interface, forwards: Bool) -> NodeCore {
            var table = ForwardingTable()
            if let own { table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(own))) }
            return NodeCore(NodeCore.Setup(
                dialect: .compact, forwards: forwards, networks: [.newIP], table: table, queues: [EgressQueue(QueueSpec())],
                linkDelays: [ms], ownAddresses: own.map { [.compact($0)] } ?? [], interfaceAddresses: [own.map(FrameworkAddress.compact)],
                neighbourDiscovery: NeighbourDiscovery(interfaces: [interface], now: 0)))
        }
        return EmbeddedNetwork(nodes: [
            node(routerAddress, interface: .init(address: routerAddress, linkLayerAddress: [0xAA], hello: hello, prefix: CompactAddressPrefix("0xDE/8")), forwards: true),
            node(nil, interface: .init(address: nil, linkLayerAddress: [0xBB], suffix: suffix, certified: certified), forwards: false),
        ], links: [(.init(node: 0, interface: 0), .init(node: 1, interface: 0))], delay: ms)
    }

    func testAHostFormsItsAddressInTheRoutersPrefixAndTakesItWhenNobodyHoldsIt() throws {
        let net = autoconfiguring(routerAddress: CompactAddress("0xDE01")!)
        net.run(until: 2 * s)
        // The first hello (sent at 0) arrived at 1 ms; h checked 0xDE07 with a sourceless
        // solicitation, which r (0xDE01) heard at 2 ms and left alone; h took it at 1.001 s.
        XCTAssertEqual(net.deliveries[0].first?.1, NeighbourDiscoveryPacket.solicitation(for: CompactAddress("0xDE07")!, from: nil).bytes)
        let discovery = try XCTUnwrap(net.nodes[1].neighbourDiscovery)
        XCTAssertEqual(discovery.events, [.configured(interface: 0, address: CompactAddress("0xDE07")!, router: CompactAddress("0xDE01")!)])
        XCTAssertEqual(discovery.interfaces[0]?.address, CompactAddress("0xDE07"))
        XCTAssertEqual(net.nodes[0].neighbourDiscovery?.counters.notOurs, 1)
        // The node now answers for it and reaches everything through r.
        XCTAssertEqual(net.nodes[1].routes.map { "\($0.prefix) \($0.route.nextHop.isLocal ? "local" : "via \($0.route.nextHop.interface)")" }.sorted(),
                       ["0xDE07/16 local", "0x/0 via 0"].sorted())
        // r's solicitation for it is answered from the new address, and r learns h.
        net.nodes[0].resolveNeighbour(CompactAddress("0xDE07")!, on: 0, now: net.now)
        net.nodes[0].poll(now: net.now, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { _ in }
        net.run(until: net.now + 10 * ms)
        XCTAssertEqual(net.nodes[0].neighbourDiscovery?.table.neighbour(CompactAddress("0xDE07")!, on: 0)?.state, .reachable)
    }

    func testATakenAddressIsRefusedWithItsReason() throws {
        // r holds 0xDE07 itself: it defends it against h's check.
        let net = autoconfiguring(routerAddress: CompactAddress("0xDE07")!)
        net.run(until: 5 * s)
        let discovery = try XCTUnwrap(net.nodes[1].neighbourDiscovery)
        XCTAssertEqual(discovery.events, [.refused(interface: 0, address: CompactAddress("0xDE07")!,
                                                   reason: "0xDE07 is taken: an advertisement from 0xDE07 answered the duplicate address check")])
        XCTAssertEqual([discovery.counters.addressesRefused, discovery.counters.addressesConfigured], [1, 0])
        XCTAssertNil(discovery.interfaces[0]?.address)
        XCTAssertEqual(net.nodes[1].routes.count, 0, "no address, no routes")
    }

    /// A registered host's certificate names 0xDE09: the 0xDE07 its suffix forms is refused at
    /// the first hello (1 ms), before any check; the certified one is taken as usual.
    func testAFormedAddressTheCertificateDoesNotNameIsRefused() throws {
        let refused = autoconfiguring(routerAddress: CompactAddress("0xDE01")!, certified: CompactAddress("0xDE09")!)
        refused.run(until: 2 * s)
        XCTAssertEqual(refused.nodes[1].neighbourDiscovery?.events, [.refused(interface: 0, address: CompactAddress("0xDE07")!,
            reason: "0xDE07 is not 0xDE09, the address the host's certificate names: the registrar certified it for another prefix or suffix")])
        XCTAssertEqual(refused.nodes[1].neighbourDiscovery?.counters.solicitationsSent, 0)
        let taken = autoconfiguring(routerAddress: CompactAddress("0xDE01")!, suffix: 9, certified: CompactAddress("0xDE09")!)
        taken.run(until: 2 * s)
        XCTAssertEqual(taken.nodes[1].neighbourDiscovery?.interfaces[0]?.address, CompactAddress("0xDE09"))
    }

    func testASuffixThePrefixCannotHoldIsRefused() throws {
        let net = autoconfiguring(routerAddress: CompactAddress("0xDE01")!, suffix: 256)
        net.run(until: 2 * s)
        XCTAssertEqual(net.nodes[1].neighbourDiscovery?.events, [.refused(interface: 0, address: nil,
            reason: "suffix 256 does not fit the prefix 0xDE/8 that 0xDE01 offers (or makes no valid address in it)")])
    }

    func testAPrefixTheRouterIsNotInIsIgnored() throws {
        // r (0x10) offers 0xDE/8, which does not hold its own address: h takes nothing.
        let net = autoconfiguring(routerAddress: CompactAddress("0x10")!)
        net.run(until: 3 * s)
        let discovery = try XCTUnwrap(net.nodes[1].neighbourDiscovery)
        XCTAssertEqual(discovery.counters.foreignPrefixes, 3, "the hellos of 0, 1 and 2 s")
        XCTAssertEqual(discovery.events, [])
        XCTAssertNil(discovery.interfaces[0]?.address)
        XCTAssertEqual(discovery.table.neighbour(CompactAddress("0x10")!, on: 0)?.state, .reachable, "the router itself is still a neighbour")
    }
}
