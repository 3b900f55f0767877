import XCTest
import NewIPWire
@testable import NewIPDataPlane

final class RouterTests: XCTestCase {
    let remote = compact("0xF2000100AB")
    let own = compact("0x11")
    let data = Array("hello".utf8)

    /// Interface 0 and 1 with LBF queues; link delays 0 and 1 ms. 0xF2/8 leaves on 1 with
    /// 15 ms and 2 hops to go; 0x11 and 8-bit 1 are this node; 8-bit 9 leaves on 1 too.
    func makeRouter(packets: Int = 8) -> Router {
        var table = ForwardingTable()
        table.insert(route(1, toDelay: ms(15), toHops: 2), for: compactPrefix("0xF2/8"))
        table.insert(localRoute, for: .compact(CompactAddressPrefix(exactly: own)))
        table.insert(localRoute, for: .eightBit(1))
        table.insert(route(1, toDelay: ms(15), toHops: 2), for: .eightBit(9))
        let queue = EgressQueue(QueueSpec(discipline: .lbf, limits: QueueLimits(packets: packets)))
        return Router(engine: ForwardingEngine(table: table), queues: [queue, queue], linkDelays: [0, ms(1)])
    }

    func receive(_ router: inout Router, _ bytes: [UInt8], _ dialect: PacketDialect = .compact,
                 at now: Nanoseconds = ms(100)) -> RouterDecision {
        router.receive(PacketBuffer(bytes), dialect: dialect, ingress: 0, now: now)
    }

    func dropReason(_ decision: RouterDecision) -> DropReason? {
        if case .drop(let reason, _) = decision { return reason }
        return nil
    }

    func testForwardDecrementsTTL() throws {
        var router = makeRouter()
        let decision = receive(&router, compactUDPPacket(ttl: 64, destination: remote, data: data))
        guard case .forward(1, ms(100), .max) = decision else { return XCTFail("\(decision)") }
        let sent = try XCTUnwrap(router.transmit(on: 1, now: ms(100)))
        XCTAssertEqual(sent.bytes, compactUDPPacket(ttl: 63, destination: remote, data: data))
        XCTAssertEqual(sent.metadata.ingress, 0)
        XCTAssertNil(router.transmit(on: 1, now: ms(100)))
    }

    func testDropReasons() {
        var router = makeRouter()
        XCTAssertEqual(dropReason(receive(&router, compactUDPPacket(ttl: 1, destination: remote, data: data))), .ttlExpired)
        XCTAssertEqual(dropReason(receive(&router, compactUDPPacket(destination: compact("0x42"), data: data))), .noRoute)
        XCTAssertEqual(dropReason(receive(&router, [0x80, 1, 2, 3])), .malformed)
        XCTAssertEqual(dropReason(receive(&router, [0x03, 8, 7], .framework)), .malformed)
        // An extension item that runs past the extension area.
        XCTAssertEqual(dropReason(receive(&router, compactUDPPacket(destination: remote, extensions: [1, 12, 0, 2], data: data))),
                       .malformed)
        // A payload spec whose chunks reach past the payload.
        let spec = PayloadSpec(chunks: [.init(significance: 1, length: 99)], chunkOffset: 8)
        XCTAssertEqual(dropReason(receive(&router, compactUDPPacket(destination: remote, extensions: spec.extensionItem, data: data))),
                       .malformed)
        XCTAssertEqual(router.drops[.ttlExpired], 1)
        XCTAssertEqual(router.drops[.noRoute], 1)
        XCTAssertEqual(router.drops[.malformed], 4)
        XCTAssertEqual(router.drops.total, 6)
    }

    func testLocalDeliveryIgnoresTTL() {
        var router = makeRouter()
        let bytes = compactUDPPacket(ttl: 1, destination: own, data: data)
        guard case .deliver(let packet) = receive(&router, bytes) else { return XCTFail() }
        XCTAssertEqual(packet.bytes, bytes)
    }

    func testLinkPaddingAfterTheTotalLengthIsCut() throws {
        var router = makeRouter()
        let bytes = compactUDPPacket(destination: remote, totalLength: true, data: data)
        guard case .forward = receive(&router, bytes + [0, 0, 0]) else { return XCTFail() }
        XCTAssertEqual(try XCTUnwrap(router.transmit(on: 1, now: ms(100))).count, bytes.count)
    }

    func testMaxDelayOnArrivalAndDeparture() throws {
        var router = makeRouter()
        func packet(_ experienced: UInt16) -> [UInt8] {
            frameworkPacket(destination: .eightBit(9),
                            contracts: [.maxDelay(MaxDelayContract(maxAllowedDelay: 20, delayExp: experienced))], payload: data)
        }
        XCTAssertEqual(dropReason(receive(&router, packet(21), .framework)), .maxDelayExceeded)
        // 12 ms so far: leaving 8 ms later is in time, 8 ms + 1 ns is late.
        guard case .forward = receive(&router, packet(12), .framework, at: 0) else { return XCTFail() }
        XCTAssertNil(router.transmit(on: 1, now: ms(8) + 1))
        guard case .forward = receive(&router, packet(12), .framework, at: 0) else { return XCTFail() }
        let sent = try XCTUnwrap(router.transmit(on: 1, now: ms(8)))
        XCTAssertEqual(sent.bytes, frameworkPacket(destination: .eightBit(9),
                                                   contracts: [.maxDelay(MaxDelayContract(maxAllowedDelay: 20, delayExp: 21))],
                                                   payload: data), "12 + 8 here + 1 link")
        XCTAssertEqual(router.drops[.maxDelayExceeded], 2)
    }

    func testLatencyBasedWindowAndExperiencedDelay() throws {
        var router = makeRouter()
        let clause = LatencyBasedContract(minDelay: 10, maxDelay: 50, experiencedDelay: 5)
        let bytes = frameworkPacket(destination: .eightBit(9), contracts: [.latencyBased(clause)], payload: data)
        // lmin = 0, lmax = (50 − (5 + 15)) / 2 = 15 ms.
        guard case .forward(1, ms(100), ms(115)) = receive(&router, bytes, .framework) else { return XCTFail() }
        let sent = try XCTUnwrap(router.transmit(on: 1, now: ms(103)))
        var expected = clause
        expected.experiencedDelay = 9  // 5 + 3 here + 1 link
        XCTAssertEqual(sent.bytes, frameworkPacket(destination: .eightBit(9), contracts: [.latencyBased(expected)], payload: data))

        let late = LatencyBasedContract(minDelay: 0, maxDelay: 50, experiencedDelay: 36)
        XCTAssertEqual(dropReason(receive(&router, frameworkPacket(destination: .eightBit(9), contracts: [.latencyBased(late)],
                                                                  payload: data), .framework)), .cannotMakeDeadline)
    }

    func testLatencyBasedHoldsAnEarlyPacketAndDropsOneThatWaitsTooLong() throws {
        var router = makeRouter()
        // lmin = (40 − 20) / 2 = 10 ms, lmax = (60 − 20) / 2 = 20 ms.
        let clause = LatencyBasedContract(minDelay: 40, maxDelay: 60, experiencedDelay: 5)
        let item = CompactExtensions.item(for: .latencyBased(clause))
        guard case .forward(1, ms(10), ms(20)) = receive(&router, compactUDPPacket(destination: remote, extensions: item, data: data),
                                                         at: 0) else { return XCTFail() }
        XCTAssertEqual(router.nextTransmitTime(on: 1), ms(10))
        XCTAssertNil(router.transmit(on: 1, now: ms(10) - 1))
        XCTAssertNotNil(router.transmit(on: 1, now: ms(10)))
        _ = receive(&router, compactUDPPacket(destination: remote, extensions: item, data: data), at: 0)
        XCTAssertNil(router.transmit(on: 1, now: ms(20) + 1))
        XCTAssertEqual(router.drops[.late], 1)
    }

    func testPingHopsAreCountedAndLimited() throws {
        var router = makeRouter()
        router.engine.pingHops = .counting(limit: 4)
        func packet(_ hops: UInt16) -> [UInt8] {
            frameworkPacket(destination: .eightBit(9), contracts: [.ping(PingContract(hops: hops, timestamp: 7))], payload: data)
        }
        guard case .forward = receive(&router, packet(3), .framework) else { return XCTFail() }
        XCTAssertEqual(try XCTUnwrap(router.transmit(on: 1, now: ms(100))).bytes, packet(4))
        XCTAssertEqual(dropReason(receive(&router, packet(4), .framework)), .ttlExpired)
        router.engine.pingHops = .remaining
        guard case .forward = receive(&router, packet(3), .framework) else { return XCTFail() }
        XCTAssertEqual(try XCTUnwrap(router.transmit(on: 1, now: ms(100))).bytes, packet(2))
    }

    func testQueueFullIsReportedWithTheBuffer() {
        var router = makeRouter(packets: 1)
        let bytes = compactUDPPacket(destination: remote, data: data)
        guard case .forward = receive(&router, bytes) else { return XCTFail() }
        guard case .drop(.queueFull, let refused) = receive(&router, bytes) else { return XCTFail() }
        XCTAssertEqual(refused.count, bytes.count)
        XCTAssertEqual(router.drops[.queueFull], 1)
    }

    func testEngineWithoutAQueue() {
        var router = makeRouter()
        var packet = PacketBuffer(compactUDPPacket(ttl: 9, destination: remote, data: data))
        XCTAssertEqual(router.engine.process(&packet, dialect: .compact, ingress: 0, now: 5),
                       .forward(egress: 1, earliestDeparture: 5, deadline: .max))
        XCTAssertEqual(packet.bytes[2], 8)
        XCTAssertEqual(router.queues[1].packetCount, 0)
    }
}
