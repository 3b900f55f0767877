import XCTest
@testable import NewIPDataPlane

final class QueueTests: XCTestCase {
    func accepted(_ result: EnqueueResult) -> Bool {
        if case .accepted = result { return true }
        return false
    }

    func testFIFOTailDropAtThePacketLimit() {
        var queue = FIFOQueue(limits: QueueLimits(packets: 3))
        for tag in 1...3 { XCTAssertTrue(accepted(queue.enqueue(queuedPacket(UInt8(tag)), now: 0))) }
        let refused = queue.enqueue(queuedPacket(4), now: 0)
        XCTAssertEqual(droppedReason(refused), .queueFull)
        if case .dropped(_, let buffer) = refused { XCTAssertEqual(buffer.bytes[0], 4, "the arriving packet comes back") }
        XCTAssertEqual(queue.packetCount, 3)
        XCTAssertEqual(queue.byteCount, 30)
        XCTAssertEqual(queue.drops[.queueFull], 1)
        XCTAssertEqual(queue.nextEligibleTime, 0)
        XCTAssertEqual(dequeueTags(&queue, at: 1), [1, 2, 3])
        XCTAssertNil(queue.nextEligibleTime)
        XCTAssertEqual(queue.byteCount, 0)
    }

    func testFIFOTailDropAtTheByteLimit() {
        var queue = FIFOQueue(limits: QueueLimits(bytes: 250))
        XCTAssertTrue(accepted(queue.enqueue(queuedPacket(1, size: 100), now: 0)))
        XCTAssertTrue(accepted(queue.enqueue(queuedPacket(2, size: 150), now: 0)), "exactly at the limit")
        XCTAssertEqual(droppedReason(queue.enqueue(queuedPacket(3, size: 1), now: 0)), .queueFull)
        XCTAssertEqual(queue.dequeue(now: 0)?.bytes[0], 1)
        XCTAssertTrue(accepted(queue.enqueue(queuedPacket(4, size: 100), now: 0)))
        XCTAssertEqual(dequeueTags(&queue, at: 0), [2, 4])
    }

    func testLatencyQueueHoldsEarlyPacketsUntilTheirWindowOpens() {
        var queue = LatencyQueue(limits: QueueLimits(packets: 10))
        _ = queue.enqueue(queuedPacket(1, earliest: ms(10), deadline: ms(100)), now: 0)
        _ = queue.enqueue(queuedPacket(2, earliest: 0, deadline: ms(50)), now: 0)
        _ = queue.enqueue(queuedPacket(3, earliest: 0, deadline: ms(30)), now: 0)
        XCTAssertEqual(dequeueTags(&queue, at: 0), [3, 2], "earliest deadline first; 1 is not eligible yet")
        XCTAssertEqual(queue.nextEligibleTime, ms(10))
        XCTAssertNil(queue.dequeue(now: ms(10) - 1))
        XCTAssertEqual(dequeueTags(&queue, at: ms(10)), [1])
        XCTAssertNil(queue.nextEligibleTime)
        XCTAssertEqual(queue.drops.total, 0)
    }

    func testLatencyQueueOrdersNewlyEligiblePacketsByDeadline() {
        var queue = LatencyQueue(limits: QueueLimits())
        _ = queue.enqueue(queuedPacket(1, earliest: 0, deadline: ms(40)), now: 0)
        _ = queue.enqueue(queuedPacket(2, earliest: ms(5), deadline: ms(20)), now: 0)
        _ = queue.enqueue(queuedPacket(3, earliest: 0, deadline: ms(40)), now: 0)
        XCTAssertEqual(queue.nextEligibleTime, 0, "packets are ready now")
        XCTAssertEqual(dequeueTags(&queue, at: ms(5)), [2, 1, 3], "2 became eligible with the earliest deadline; ties keep arrival order")
    }

    func testLatencyQueueDropsPacketsPastTheirDeadline() {
        var queue = LatencyQueue(limits: QueueLimits())
        _ = queue.enqueue(queuedPacket(1, earliest: 0, deadline: ms(10)), now: 0)
        _ = queue.enqueue(queuedPacket(2, earliest: 0, deadline: ms(20)), now: 0)
        _ = queue.enqueue(queuedPacket(3, earliest: 0, deadline: ms(50)), now: 0)
        XCTAssertEqual(queue.dequeue(now: ms(20))?.bytes[0], 2, "1 is late and dropped; 2 leaves at its deadline")
        XCTAssertEqual(queue.drops[.late], 1)
        XCTAssertEqual(queue.packetCount, 1)
        XCTAssertEqual(queue.byteCount, 10)
    }

    func testLatencyQueueTailDrop() {
        var queue = LatencyQueue(limits: QueueLimits(packets: 2))
        _ = queue.enqueue(queuedPacket(1, earliest: ms(1)), now: 0)
        _ = queue.enqueue(queuedPacket(2), now: 0)
        XCTAssertEqual(droppedReason(queue.enqueue(queuedPacket(3), now: 0)), .queueFull)
        XCTAssertEqual(queue.drops[.queueFull], 1)
        XCTAssertEqual(dequeueTags(&queue, at: ms(1)), [1, 2], "equal deadlines leave in enqueue order")
    }
}
