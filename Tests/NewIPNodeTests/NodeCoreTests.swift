import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire
import XCTest

/// `NodeCore` driven by hand in virtual time, as the emulator and the daemons drive it: no
/// processes, no sockets, exact times.
final class NodeCoreTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000

    func compact(_ text: String) -> CompactAddress { CompactAddress(text)! }

    /// A compact packet from 0x01 to `destination`, with `payload` bytes after the header.
    func packet(to destination: String, ttl: UInt8 = 64, payload: Int = 20) -> PacketBuffer {
        let header = CompactHeader(ttl: ttl, nextHeader: NextHeader(rawValue: 253), destination: compact(destination), source: compact("0x01"))
        return PacketBuffer(bytes: header.bytes() + [UInt8](repeating: 0xAB, count: payload), headroom: 64, tailroom: 0)
    }

    /// A node with interfaces 0 and 1, its own address 0x10, 0x20 reached through interface 1
    /// (1 ms link), everything else unrouted.
    func core(forwards: Bool, queue: QueueSpec = QueueSpec()) -> NodeCore {
        var table = ForwardingTable()
        table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(compact("0x10"))))
        table.insert(Route(nextHop: NextHop(interface: 1, neighbour: NeighbourID(rawValue: 1)), toDelay: ms, toHops: 1),
                     for: RoutePrefix(exactly: .compact(compact("0x20"))))
        return NodeCore(NodeCore.Setup(dialect: .compact, forwards: forwards, networks: [.newIP, .newIP], table: table,
                                       queues: [EgressQueue(queue), EgressQueue(queue)], linkDelays: [ms, ms],
                                       ownAddresses: [.compact(compact("0x10"))]))
    }

    func testARouterQueuesOnTheRoutedInterfaceAndSendsWithTheTTLDecremented() throws {
        let router = core(forwards: true)
        guard case .queued(let egress) = router.receive(packet(to: "0x20", ttl: 9), on: 0, now: 5 * ms) else {
            return XCTFail("not queued")
        }
        XCTAssertEqual(egress, 1)
        XCTAssertEqual(router.nextTransmitTime(on: 1), 5 * ms)
        XCTAssertEqual(router.nextDeadline, 5 * ms)
        XCTAssertEqual(router.queuedPackets(on: 1), 1)
        let sent = try XCTUnwrap(router.transmit(on: 1, now: 5 * ms) { _, reason in XCTFail("dropped: \(reason)") })
        XCTAssertEqual(try sent.withUnsafeBytes { try CompactHeaderView($0).ttl }, 8)
        XCTAssertNil(router.nextDeadline, "nothing left to send")
    }

    func testAHostDeliversItsOwnAndRefusesToForwardOthers() {
        let host = core(forwards: false)
        guard case .delivered = host.receive(packet(to: "0x10"), on: 0, now: 0) else { return XCTFail("not delivered") }
        guard case .dropped(let reason, _) = host.receive(packet(to: "0x20"), on: 0, now: 0) else { return XCTFail("forwarded") }
        XCTAssertEqual(reason, .notForwarding)
        // Its own packets go out through the same pipeline.
        guard case .queued(1) = host.send(packet(to: "0x20"), from: nil, now: 0) else { return XCTFail("own packet not queued") }
        XCTAssertEqual(host.drops[.notForwarding], 0, "refusals are the driver's to count as it delivers them")
    }

    func testUnroutedAndExpiredPacketsAreDroppedByReason() {
        let router = core(forwards: true)
        guard case .dropped(.noRoute, _) = router.receive(packet(to: "0x99"), on: 0, now: 0) else { return XCTFail("routed") }
        guard case .dropped(.ttlExpired, _) = router.receive(packet(to: "0x20", ttl: 1), on: 0, now: 0) else { return XCTFail("TTL") }
        XCTAssertEqual(router.drops[.noRoute], 1)
        XCTAssertEqual(router.drops[.ttlExpired], 1)
    }

    func testAFullQueueRefusesTheNextPacket() {
        let router = core(forwards: true, queue: QueueSpec(limits: QueueLimits(packets: 2)))
        for _ in 0..<2 { _ = router.receive(packet(to: "0x20"), on: 0, now: 0) }
        guard case .dropped(.queueFull, _) = router.receive(packet(to: "0x20"), on: 0, now: 0) else { return XCTFail("accepted") }
        XCTAssertEqual(router.queuedPackets(on: 1), 2)
        XCTAssertEqual(router.drops[.queueFull], 1)
    }
}
