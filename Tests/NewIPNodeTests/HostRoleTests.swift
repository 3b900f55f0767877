import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire
import XCTest

/// A few `NodeCore`s joined by point-to-point links, driven in virtual time by the test: the
/// embedded counterpart of the emulator's and the daemon's loops (no sockets, no clock).
/// Every link has the same delay; a transmission takes no time.
final class EmbeddedNetwork {
    struct End: Hashable {
        var node: Int
        var interface: Int
    }

    let nodes: [NodeCore]
    private var peers: [End: End] = [:]
    let delay: Nanoseconds
    private(set) var now: Nanoseconds = 0
    /// Packets in flight: arrival time, where they arrive, bytes.
    private var inFlight: [(at: Nanoseconds, end: End, packet: PacketBuffer)] = []
    /// What each node delivered, in order.
    private(set) var deliveries: [[(LocalDestination, [UInt8])]]
    private(set) var drops: [[DropReason]]
    /// Links that lose everything sent on them from now on.
    var cut: Set<End> = []

    init(nodes: [NodeCore], links: [(End, End)], delay: Nanoseconds) {
        self.nodes = nodes
        self.delay = delay
        deliveries = Array(repeating: [], count: nodes.count)
        drops = Array(repeating: [], count: nodes.count)
        for (a, b) in links {
            peers[a] = b
            peers[b] = a
        }
    }

    /// `node` sends `bytes` as its own packet at the current time.
    func send(_ bytes: [UInt8], from node: Int) {
        handle(nodes[node].send(PacketBuffer(bytes: bytes), from: nil, now: now), at: node)
    }

    /// Runs until nothing is queued or in flight.
    func run() { run(until: nil) }

    /// Runs until nothing is queued or in flight, or until `end`, with each node's
    /// neighbour-discovery timers (`neighbourDeadline`) as events too.
    func run(until end: Nanoseconds?) {
        while true {
            for (index, node) in nodes.enumerated() {
                for interface in node.networks.indices {
                    while let packet = node.transmit(on: interface, now: now, discarded: { _, reason in drops[index].append(reason) }) {
                        guard let peer = peers[End(node: index, interface: interface)], !cut.contains(End(node: index, interface: interface))
                        else { continue }
                        inFlight.append((now + delay, peer, packet))
                    }
                }
            }
            let next = inFlight.indices.min(by: { inFlight[$0].at < inFlight[$1].at })
            if let end, let timer = nodes.indices.filter({ nodes[$0].neighbourDeadline != nil }).min(by: { nodes[$0].neighbourDeadline! < nodes[$1].neighbourDeadline! }),
               nodes[timer].neighbourDeadline! <= min(end, next.map { inFlight[$0].at } ?? end) {
                // A timer first (at the same time as an arrival: the timer).
                now = max(now, nodes[timer].neighbourDeadline!)
                nodes[timer].poll(now: now, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { handle($0, at: timer) }
                continue
            }
            guard let next, end.map({ inFlight[next].at <= $0 }) ?? true else {
                if let end { now = max(now, end) }
                return
            }
            let arrival = inFlight.remove(at: next)
            now = arrival.at
            handle(nodes[arrival.end.node].receive(arrival.packet, on: arrival.end.interface, now: now), at: arrival.end.node)
        }
    }

    private func handle(_ arrival: NodeCore.Arrival, at node: Int) {
        switch arrival {
        case .queued: break
        case .delivered(let packet, let destination): deliveries[node].append((destination, packet.bytes))
        case .dropped(let reason, _): drops[node].append(reason)
        }
        let core = nodes[node]
        if core.hasAnswers {
            core.poll(now: now, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { handle($0, at: node) }
        }
    }
}

/// The host role of `NodeCore`: local delivery by port, echo replies, hop-limit answers and
/// port bindings — the logic the real node used to keep to itself, now tested in virtual time.
final class HostRoleTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000

    func address(_ text: String) -> FrameworkAddress { .compact(CompactAddress(text)!) }

    /// h1 (0x01) — r1 (0x10) — h2 (0x02); 1 ms links. Interface 0 of each host faces r1;
    /// r1's interface 0 faces h1, 1 faces h2.
    func chain(dialect: PacketDialect = .compact) -> EmbeddedNetwork {
        let h1 = address("0x01"), h2 = address("0x02"), r1 = address("0x10")
        func node(own: FrameworkAddress, forwards: Bool, routes: [(FrameworkAddress, Int)], interfaces: Int) -> NodeCore {
            var table = ForwardingTable()
            table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: own))
            for (destination, interface) in routes {
                table.insert(Route(nextHop: NextHop(interface: interface, neighbour: NeighbourID(rawValue: 1)), toDelay: ms, toHops: 1),
                             for: RoutePrefix(exactly: destination))
            }
            return NodeCore(NodeCore.Setup(
                dialect: dialect, forwards: forwards, networks: Array(repeating: .newIP, count: interfaces), table: table,
                queues: (0..<interfaces).map { _ in EgressQueue(QueueSpec()) }, linkDelays: Array(repeating: ms, count: interfaces),
                ownAddresses: [own], interfaceAddresses: Array(repeating: own, count: interfaces)))
        }
        let nodes = [
            node(own: h1, forwards: false, routes: [(h2, 0), (r1, 0)], interfaces: 1),
            node(own: r1, forwards: true, routes: [(h1, 0), (h2, 1)], interfaces: 2),
            node(own: h2, forwards: false, routes: [(h1, 0), (r1, 0)], interfaces: 1),
        ]
        return EmbeddedNetwork(nodes: nodes, links: [(.init(node: 0, interface: 0), .init(node: 1, interface: 0)),
                                                     (.init(node: 1, interface: 1), .init(node: 2, interface: 0))], delay: ms)
    }

    func echoRequest(ttl: UInt8 = 64, identifier: UInt16 = 7, sequence: UInt16 = 3) -> [UInt8] {
        PacketBuilder.echoRequest(dialect: .compact, source: address("0x01"), destination: address("0x02"),
                                  identifier: identifier, sequence: sequence, sentAt: 0, ttl: ttl)!
    }

    func answer(_ bytes: [UInt8]) throws -> (packet: ParsedPacket, message: ControlMessage) {
        let packet = try XCTUnwrap(bytes.withUnsafeBytes { ParsedPacket($0, dialect: .compact) })
        return (packet, try XCTUnwrap(ControlMessage(packet.payload)))
    }

    func testAHostAnswersAnEchoRequestAndThePingerGetsTheReplyOnItsIdentifier() throws {
        let network = chain()
        network.send(echoRequest(), from: 0)
        network.run()
        // h2 took the request (answered by the node itself), h1 got the reply 4 ms after sending.
        XCTAssertEqual(network.deliveries[2].map(\.0), [.echoRequest])
        XCTAssertEqual(network.deliveries[0].map(\.0), [.application(LocalPort(kind: .control, port: 7))])
        XCTAssertEqual(network.now, 4 * ms)
        let (reply, message) = try answer(network.deliveries[0][0].1)
        XCTAssertEqual(message.type, ControlMessage.echoReply)
        XCTAssertEqual(message.sequence, 3)
        XCTAssertEqual(message.requestTTL, 62, "decremented by the sender's own first hop and by the router")
        XCTAssertEqual(reply.source, address("0x02"))
        XCTAssertEqual(reply.destination, address("0x01"))
        XCTAssertEqual(reply.ping?.code, PingContract.reply)
        XCTAssertEqual(network.nodes[2].answered.echoReplies, 1)
        XCTAssertEqual(network.drops.flatMap { $0 }, [])
    }

    func testARouterAnswersAnEchoRequestItDropsForItsHopLimit() throws {
        let network = chain()
        // The sender's own pipeline takes one off (as the real node's does), the router the last.
        network.send(echoRequest(ttl: 2), from: 0)
        network.run()
        XCTAssertEqual(network.drops[1], [.ttlExpired])
        XCTAssertEqual(network.nodes[1].answered.hopLimitExceeded, 1)
        let (answer, message) = try answer(network.deliveries[0][0].1)
        XCTAssertEqual(message.type, ControlMessage.hopLimitExceeded)
        XCTAssertEqual(message.identifier, 7)
        XCTAssertEqual(message.requestTTL, 1)
        XCTAssertEqual(answer.source, address("0x10"), "from the address of the interface the request came in on")
        XCTAssertEqual(network.now, 2 * ms)
    }

    func testUDPIsDeliveredToItsPortAndOtherPayloadsToTheProbePort() throws {
        let network = chain()
        let udp = PacketBuilder.udp(dialect: .compact, source: address("0x01"), sourcePort: 4000, destination: address("0x02"),
                                    destinationPort: 5000, clauses: [], data: Array("hi".utf8))!
        var corrupted = udp
        corrupted[corrupted.count - 1] ^= 1
        let probe = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: CompactAddress("0x02")!,
                                  source: CompactAddress("0x01")!).bytes() + [UInt8](repeating: 0xAB, count: 20)
        for packet in [udp, corrupted, probe] { network.send(packet, from: 0) }
        network.run()
        XCTAssertEqual(network.deliveries[2].map(\.0), [.application(LocalPort(kind: .udp, port: 5000)),
                                                         .application(.probe), .application(.probe)],
                       "a datagram whose checksum fails is not UDP to the node")
    }

    func testControlMessagesNobodyTakesAreDroppedAsNoListener() {
        let network = chain()
        // An echo-request message without a ping clause cannot be answered.
        let bare = PacketBuilder.packet(dialect: .compact, source: address("0x01"), destination: address("0x02"),
                                        nextHeader: .control, clauses: [],
                                        payload: ControlMessage(type: ControlMessage.echoRequest, identifier: 1, sequence: 1).bytes)!
        network.send(bare, from: 0)
        network.run()
        XCTAssertEqual(network.drops[2], [.noListener])
        XCTAssertEqual(network.nodes[2].drops[.noListener], 1)
        XCTAssertEqual(network.nodes[2].answered, AnswerCounters())
    }

    func testAFloodOfExpiringRequestsBuildsAtMostTheAnswerLimit() {
        let network = chain()
        let router = network.nodes[1]
        for sequence in 0..<UInt16(NodeCore.answerLimit + 5) {
            _ = router.receive(PacketBuffer(bytes: echoRequest(ttl: 1, sequence: sequence)), on: 0, now: 0)
        }
        XCTAssertEqual(router.answered.hopLimitExceeded, NodeCore.answerLimit)
        XCTAssertEqual(router.answered.suppressed, 5)
        var sent = 0
        router.poll(now: 0, newBuffer: { PacketBuffer(capacity: 2048, headroom: 64) }) { arrival in
            if case .queued(0) = arrival { sent += 1 }
        }
        XCTAssertEqual(sent, NodeCore.answerLimit)
        XCTAssertFalse(router.hasAnswers)
    }

    func testPortBindingsLeaseEphemeralPortsAndOwners() {
        var bindings = PortBindings<String>(lease: 30 * 1_000 * ms)
        let udp5000 = LocalPort(kind: .udp, port: 5000)
        XCTAssertEqual(bindings.bind(udp5000, owner: "a", now: 0), .bound(port: 5000))
        XCTAssertEqual(bindings.bind(udp5000, owner: "b", now: 0), .inUse(port: 5000))
        XCTAssertEqual(bindings.bind(udp5000, owner: "a", now: 10 * 1_000 * ms), .bound(port: 5000), "renewed by its owner")
        // Port 0 picks an ephemeral port from 49152 up, skipping taken ones.
        XCTAssertEqual(bindings.bind(LocalPort(kind: .udp, port: 0), owner: "b", now: 0), .bound(port: 49152))
        XCTAssertEqual(bindings.bind(LocalPort(kind: .udp, port: 0), owner: "c", now: 0), .bound(port: 49153))
        XCTAssertEqual(bindings.bind(.probe, owner: "c", now: 0), .bound(port: 0), "the probe port is 0 itself")
        bindings.unbind(udp5000, owner: "b")
        XCTAssertEqual(bindings.owner(of: udp5000), "a", "only the owner releases a port")
        // Bindings not renewed within the lease go; the one renewed at 10 s stays until 40 s.
        bindings.expire(now: 35 * 1_000 * ms)
        XCTAssertEqual(bindings.count, 1)
        XCTAssertEqual(bindings.owner(of: udp5000), "a")
        bindings.expire(now: 40 * 1_000 * ms)
        XCTAssertEqual(bindings.count, 0)
    }
}
