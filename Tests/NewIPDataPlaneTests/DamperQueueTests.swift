import NewIPDataPlane
import XCTest

/// gLBF's damper on the LBF queue (`damper: B`): a packet with a deadline waits until its
/// deadline minus B, never before its own earliest departure; one without a deadline is not
/// held; released packets leave earliest deadline first, as in LBF.
final class DamperQueueTests: XCTestCase {
    func testPacketsAreHeldUntilTheirDeadlineMinusTheBound() {
        var queue = LatencyQueue(limits: QueueLimits(packets: 10), damper: 3_000)
        // 1: deadline 10 µs → released at 7 µs. 2: deadline 8 µs, but its earliest departure
        // is 6 µs → released at 6 µs (5 µs is earlier). 3: no deadline → never held.
        for packet in [queuedPacket(1, urgent: true, earliest: 0, deadline: 10_000),
                       queuedPacket(2, urgent: true, earliest: 6_000, deadline: 8_000),
                       queuedPacket(3)] {
            guard case .accepted = queue.enqueue(packet, now: 0) else { return XCTFail("refused") }
        }
        XCTAssertEqual(dequeueTags(&queue, at: 0), [3])
        XCTAssertEqual(queue.nextEligibleTime, 6_000)
        XCTAssertEqual(dequeueTags(&queue, at: 5_999), [])
        XCTAssertEqual(dequeueTags(&queue, at: 6_000), [2])
        XCTAssertEqual(queue.nextEligibleTime, 7_000)
        XCTAssertEqual(dequeueTags(&queue, at: 6_999), [])
        XCTAssertEqual(dequeueTags(&queue, at: 7_000), [1])
        XCTAssertNil(queue.nextEligibleTime)

        // Without the damper the same packets leave at once, by deadline (3 has none: last).
        var plain = LatencyQueue(limits: QueueLimits(packets: 10))
        for packet in [queuedPacket(1, urgent: true, deadline: 10_000), queuedPacket(2, urgent: true, deadline: 8_000), queuedPacket(3)] {
            _ = plain.enqueue(packet, now: 0)
        }
        XCTAssertEqual(dequeueTags(&plain, at: 0), [2, 1, 3])
    }

    func testTheQueueSpecCarriesTheDamperToTheEgressQueue() {
        var queue = EgressQueue(QueueSpec(discipline: .lbf, damper: 2_000))
        _ = queue.enqueue(queuedPacket(1, urgent: true, deadline: 5_000), now: 0)
        XCTAssertEqual(queue.nextEligibleTime, 3_000)
    }
}
