import NewIPDataPlane
import XCTest

/// `EgressQueue` keeps its discipline's packet count and next eligible time as fields (the
/// emulator reads them after every service of an interface): they must follow every way the
/// queue changes, a refusal and a late drop inside a dequeue included.
final class EgressQueueTests: XCTestCase {
    /// An LBF queue of two packets. 1 (window 10…20) waits; 2 (window 0…5) is eligible at
    /// once, so the queue has a packet at its last time, 0; 3 is refused. At 12, 1 has become
    /// eligible and 2 is past its deadline: 2 is dropped late and 1 leaves, which empties it.
    func testCountAndNextTimeFollowEnqueueRefusalAndLateDrop() {
        var queue = EgressQueue(QueueSpec(discipline: .lbf, limits: QueueLimits(packets: 2)))
        XCTAssertEqual(queue.packetCount, 0)
        XCTAssertNil(queue.nextEligibleTime)

        XCTAssertNil(droppedReason(queue.enqueue(queuedPacket(1, earliest: 10, deadline: 20), now: 0)))
        XCTAssertEqual(queue.packetCount, 1)
        XCTAssertEqual(queue.nextEligibleTime, 10)

        XCTAssertNil(droppedReason(queue.enqueue(queuedPacket(2, earliest: 0, deadline: 5), now: 0)))
        XCTAssertEqual(queue.packetCount, 2)
        XCTAssertEqual(queue.nextEligibleTime, 0)

        XCTAssertEqual(droppedReason(queue.enqueue(queuedPacket(3), now: 0)), .queueFull)
        XCTAssertEqual(queue.packetCount, 2)

        var late: [UInt8] = []
        let sent = queue.dequeue(now: 12) { packet, reason in
            XCTAssertEqual(reason, .late)
            late.append(packet.bytes[0])
        }
        XCTAssertEqual(sent?.bytes[0], 1)
        XCTAssertEqual(late, [2])
        XCTAssertEqual(queue.packetCount, 0)
        XCTAssertNil(queue.nextEligibleTime)
    }

    /// A FIFO's next time is the last time it was given while it holds a packet.
    func testAFIFOHasItsPacketAtTheLastTimeItWasGiven() {
        var queue = EgressQueue(QueueSpec(discipline: .fifo))
        _ = queue.enqueue(queuedPacket(1), now: 7)
        _ = queue.enqueue(queuedPacket(2), now: 9)
        XCTAssertEqual(queue.packetCount, 2)
        XCTAssertEqual(queue.nextEligibleTime, 9)
        XCTAssertEqual(queue.dequeue(now: 11)?.bytes[0], 1)
        XCTAssertEqual(queue.packetCount, 1)
        XCTAssertEqual(queue.nextEligibleTime, 11)
    }
}
