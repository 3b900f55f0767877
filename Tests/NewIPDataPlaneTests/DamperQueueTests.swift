import NewIPDataPlane
import XCTest

/// gLBF's queue (`GLBFQueue`): a packet is held for the damper time it arrived with, then
/// leaves first in, first out by release time, carrying the slack the next hop holds it for:
/// the bound minus its wait here minus its serialisation.
final class DamperQueueTests: XCTestCase {
    static let us: Nanoseconds = 1_000

    /// A packet of `size` bytes arriving with `hold` for this hop's damper.
    static func held(_ tag: UInt8, size: Int, hold: Nanoseconds) -> PacketBuffer {
        var packet = queuedPacket(tag, size: size)
        packet.metadata.damperHold = hold
        return packet
    }

    /// Bound 1 ms on an 8 Mbps link (one byte a microsecond). 1 (100 B, hold 300 µs) and 3
    /// (200 B, hold 250 µs) arrive at 0, 2 (100 B, no hold) at 100 µs: released at 300, 250 and
    /// 100 µs, they leave 2, 3, 1. 2 leaves at 100 µs without waiting: slack 1000 − 0 − 100 =
    /// 900 µs. 3 at 250 µs (the link is free from 200): 1000 − 0 − 200 = 800. 1 at 450 µs (3
    /// takes the link until then), after waiting 150: 1000 − 150 − 100 = 750. Each therefore
    /// reaches the next damper's release 1 ms after its release here.
    func testPacketsLeaveInReleaseOrderCarryingTheBoundMinusWhatTheySpent() {
        let us = Self.us
        var queue = GLBFQueue(limits: QueueLimits(packets: 10), bound: 1_000 * us, bitsPerSecond: 8_000_000)
        for packet in [Self.held(1, size: 100, hold: 300 * us), Self.held(3, size: 200, hold: 250 * us)] {
            guard case .accepted = queue.enqueue(packet, now: 0) else { return XCTFail("refused") }
        }
        XCTAssertNil(queue.dequeue(now: 0))
        XCTAssertEqual(queue.nextEligibleTime, 250 * us)
        _ = queue.enqueue(Self.held(2, size: 100, hold: 0), now: 100 * us)
        XCTAssertEqual(queue.nextEligibleTime, 100 * us)

        var departures: [(tag: UInt8, at: Nanoseconds, hold: Nanoseconds)] = []
        var linkFree: Nanoseconds = 0
        while let release = queue.nextEligibleTime {
            let now = max(release, linkFree)
            let packet = try! XCTUnwrap(queue.dequeue(now: now))
            departures.append((packet.bytes[0], now, packet.metadata.damperHold))
            linkFree = now + Serialisation.time(bytes: packet.count, bitsPerSecond: 8_000_000)
        }
        XCTAssertEqual(departures.map(\.tag), [2, 3, 1])
        XCTAssertEqual(departures.map(\.at), [100 * us, 250 * us, 450 * us])
        XCTAssertEqual(departures.map(\.hold), [900 * us, 800 * us, 750 * us])
        XCTAssertEqual(queue.packetCount, 0)
        XCTAssertEqual(queue.byteCount, 0)
    }

    /// A packet that waited past the bound is not held at the next hop (no negative hold), and
    /// one released at the same time as another keeps its arrival order.
    func testALatePacketCarriesNoHoldAndTiesKeepArrivalOrder() {
        let us = Self.us
        var queue = GLBFQueue(limits: QueueLimits(packets: 10), bound: 150 * us, bitsPerSecond: 8_000_000)
        _ = queue.enqueue(Self.held(1, size: 100, hold: 50 * us), now: 0)
        _ = queue.enqueue(Self.held(2, size: 100, hold: 0), now: 50 * us)
        let first = try! XCTUnwrap(queue.dequeue(now: 50 * us))
        XCTAssertEqual([first.bytes[0]], [1])
        XCTAssertEqual(first.metadata.damperHold, 150 * us - 100 * us)
        // 2 waited 100 µs for 1's serialisation: 150 − 100 − 100 < 0.
        let second = try! XCTUnwrap(queue.dequeue(now: 150 * us))
        XCTAssertEqual([second.bytes[0]], [2])
        XCTAssertEqual(second.metadata.damperHold, 0)
    }

    /// The spec reaches the queue with the link's rate; any other discipline sends a packet on
    /// with no hold, so a slack recorded two hops back never damps a packet.
    func testTheEgressQueueBuildsGLBFAndOtherQueuesClearTheHold() {
        var glbf = EgressQueue(QueueSpec(discipline: .glbf, bound: 2_000), linkBitsPerSecond: 8_000_000_000)
        _ = glbf.enqueue(Self.held(1, size: 100, hold: 500), now: 0)
        XCTAssertEqual(glbf.nextEligibleTime, 500)
        XCTAssertEqual(glbf.dequeue(now: 500)?.metadata.damperHold, 2_000 - 100)

        var fifo = EgressQueue(QueueSpec(discipline: .fifo))
        _ = fifo.enqueue(Self.held(1, size: 100, hold: 500), now: 0)
        XCTAssertEqual(fifo.nextEligibleTime, 0, "a FIFO does not damp")
        XCTAssertEqual(fifo.dequeue(now: 0)?.metadata.damperHold, 0)
    }
}
