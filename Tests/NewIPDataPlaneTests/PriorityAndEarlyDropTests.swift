import XCTest
import NewIPWire
@testable import NewIPDataPlane

/// Strict priority (the EF-like baseline) and LBF's early drop switched off (the ablation).
final class PriorityAndEarlyDropTests: XCTestCase {
    func testStrictPriorityServesContractsFirstAndFIFOWithinEachClass() {
        var queue = StrictPriorityQueue(limits: QueueLimits(packets: 10))
        // Arrival order 1 2 3 4 5 6; 2, 4 and 5 carry a contract (5 an MDF clause).
        for (tag, urgent, mdf) in [(1, false, false), (2, true, false), (3, false, false), (4, true, false), (5, false, true),
                                   (6, false, false)] as [(UInt8, Bool, Bool)] {
            XCTAssertNil(droppedReason(queue.enqueue(queuedPacket(tag, urgent: urgent, maxDelay: mdf), now: 0)))
        }
        XCTAssertEqual(queue.urgentCount, 3)
        XCTAssertEqual(queue.nextEligibleTime, 0)
        XCTAssertEqual(dequeueTags(&queue, at: 0), [2, 4, 5, 1, 3, 6])
        XCTAssertNil(queue.nextEligibleTime)
        XCTAssertEqual(queue.byteCount, 0)
    }

    func testStrictPriorityLetsALaterContractOvertakeWaitingPackets() {
        var queue = StrictPriorityQueue(limits: QueueLimits(packets: 10))
        _ = queue.enqueue(queuedPacket(1), now: 0)
        _ = queue.enqueue(queuedPacket(2), now: 0)
        XCTAssertEqual(queue.dequeue(now: 1)?.bytes[0], 1)
        _ = queue.enqueue(queuedPacket(3, urgent: true), now: 2)
        XCTAssertEqual(dequeueTags(&queue, at: 2), [3, 2])
    }

    func testStrictPriorityIgnoresWindowsAndNeverDropsLate() {
        var queue = StrictPriorityQueue(limits: QueueLimits(packets: 10))
        _ = queue.enqueue(queuedPacket(1, urgent: true, earliest: ms(50), deadline: ms(60)), now: 0)
        _ = queue.enqueue(queuedPacket(2, urgent: true, earliest: 0, deadline: ms(1)), now: 0)
        XCTAssertEqual(dequeueTags(&queue, at: ms(100)), [1, 2], "not held, not reordered by deadline, not dropped past it")
        XCTAssertEqual(queue.drops.total, 0)
    }

    func testStrictPriorityTailDropsAtTheSharedLimits() {
        var queue = StrictPriorityQueue(limits: QueueLimits(packets: 3))
        _ = queue.enqueue(queuedPacket(1), now: 0)
        _ = queue.enqueue(queuedPacket(2), now: 0)
        _ = queue.enqueue(queuedPacket(3, urgent: true), now: 0)
        XCTAssertEqual(droppedReason(queue.enqueue(queuedPacket(4, urgent: true), now: 0)), .queueFull, "a full buffer refuses urgent packets too")
        XCTAssertEqual(droppedReason(queue.enqueue(queuedPacket(5), now: 0)), .queueFull)
        XCTAssertEqual(queue.drops[.queueFull], 2)
        XCTAssertEqual(dequeueTags(&queue, at: 0), [3, 1, 2])

        var bytes = StrictPriorityQueue(limits: QueueLimits(bytes: 250))
        XCTAssertNil(droppedReason(bytes.enqueue(queuedPacket(1, size: 100), now: 0)))
        XCTAssertNil(droppedReason(bytes.enqueue(queuedPacket(2, size: 150, urgent: true), now: 0)), "exactly at the limit")
        XCTAssertEqual(droppedReason(bytes.enqueue(queuedPacket(3, size: 1, urgent: true), now: 0)), .queueFull)
        XCTAssertEqual(bytes.byteCount, 250)
        XCTAssertEqual(dequeueTags(&bytes, at: 0), [2, 1])
    }

    func testEgressQueueBuildsEachDiscipline() {
        var priority = EgressQueue(QueueSpec(discipline: .priority, limits: QueueLimits(packets: 4)))
        _ = priority.enqueue(queuedPacket(1), now: 0)
        _ = priority.enqueue(queuedPacket(2, urgent: true), now: 0)
        XCTAssertEqual(priority.packetCount, 2)
        XCTAssertEqual(priority.byteCount, 20)
        XCTAssertFalse(priority.isLatencyBased)
        XCTAssertTrue(priority.earlyDrop)
        XCTAssertEqual(dequeueTags(&priority, at: 0), [2, 1])
        XCTAssertFalse(EgressQueue(QueueSpec(discipline: .lbf, earlyDrop: false)).earlyDrop)
        XCTAssertEqual(QueueSpec.Discipline(rawValue: "priority"), .priority)
    }

    func testLatencyQueueWithoutEarlyDropSendsLatePacketsFirst() {
        func filled(earlyDrop: Bool) -> LatencyQueue {
            var queue = LatencyQueue(limits: QueueLimits(packets: 10), earlyDrop: earlyDrop)
            _ = queue.enqueue(queuedPacket(1, deadline: .max), now: 0)
            _ = queue.enqueue(queuedPacket(2, deadline: ms(5)), now: 0)
            _ = queue.enqueue(queuedPacket(3, deadline: ms(20)), now: 0)
            return queue
        }
        var dropping = filled(earlyDrop: true), keeping = filled(earlyDrop: false)
        // At 10 ms packet 2's deadline (5 ms) has passed.
        XCTAssertEqual(dequeueTags(&dropping, at: ms(10)), [3, 1])
        XCTAssertEqual(dropping.drops[.late], 1)
        XCTAssertEqual(dequeueTags(&keeping, at: ms(10)), [2, 3, 1], "the passed deadline is the earliest")
        XCTAssertEqual(keeping.drops.total, 0)
    }

    func testBudgetWithoutEarlyDropGivesAPassedDeadline() {
        // Slack 50 − (36 + 15) = −1 ms over 2 hops: no window with early drop; without it the
        // deadline is 1 ms / 2 = 0.5 ms in the past, rounded away from zero.
        XCTAssertNil(LatencyBasedForwarding.budget(minDelay: 0, maxDelay: ms(50), experienced: ms(36), toDelay: ms(15), toHops: 2))
        XCTAssertNil(LatencyBasedForwarding.budget(minDelay: 0, maxDelay: ms(50), experienced: ms(36), toDelay: ms(15), toHops: 2,
                                                   earlyDrop: true))
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: 0, maxDelay: ms(50), experienced: ms(36), toDelay: ms(15), toHops: 2,
                                                     earlyDrop: false),
                       .init(earliest: 0, latest: -500_000))
        // A window that can be met is the same either way.
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: ms(40), maxDelay: ms(60), experienced: ms(5), toDelay: ms(15),
                                                     toHops: 2, earlyDrop: false),
                       .init(earliest: ms(10), latest: ms(20)))
    }

    /// Interface 1 leads to 8-bit address 9 with 15 ms and 2 hops to go, link delay 1 ms.
    func router(earlyDrop: Bool) -> Router {
        var table = ForwardingTable()
        table.insert(route(1, toDelay: ms(15), toHops: 2), for: .eightBit(9))
        let spec = QueueSpec(discipline: .lbf, limits: QueueLimits(packets: 8), earlyDrop: earlyDrop)
        return Router(engine: ForwardingEngine(table: table), queues: [EgressQueue(spec), EgressQueue(spec)], linkDelays: [0, ms(1)])
    }

    func testRouterWithoutEarlyDropForwardsAPacketThatCannotMakeItsDeadline() throws {
        let hopeless = frameworkPacket(destination: .eightBit(9),
                                       contracts: [.latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 50, experiencedDelay: 36))],
                                       payload: Array("hi".utf8))
        var dropping = router(earlyDrop: true)
        guard case .drop(.cannotMakeDeadline, _) = dropping.receive(PacketBuffer(hopeless), dialect: .framework, ingress: 0,
                                                                    now: ms(100)) else { return XCTFail() }
        XCTAssertEqual(dropping.drops[.cannotMakeDeadline], 1)

        var keeping = router(earlyDrop: false)
        XCTAssertEqual(keeping.engine.withoutEarlyDrop, [true, true])
        guard case .forward(1, ms(100), ms(100) - 500_000) = keeping.receive(PacketBuffer(hopeless), dialect: .framework,
                                                                             ingress: 0, now: ms(100)) else { return XCTFail() }
        let sent = try XCTUnwrap(keeping.transmit(on: 1, now: ms(102)), "sent although its deadline passed")
        XCTAssertEqual(sent.count, hopeless.count)
        XCTAssertEqual(keeping.drops.total, 0)
    }
}
