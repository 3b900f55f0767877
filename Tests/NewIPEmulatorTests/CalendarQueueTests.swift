import NewIPDataPlane
import NewIPRandom
import XCTest

@testable import NewIPEmulator

final class CalendarQueueTests: XCTestCase {
    private typealias Queue = CalendarQueue<Int>

    private func entry(_ time: Nanoseconds, _ sequence: UInt64) -> Queue.Entry {
        Queue.Entry(time: time, sequence: sequence, payload: Int(sequence))
    }

    /// Entries in the cursor's bucket (0–1,023 ns), in the ring (up to 16.8 ms), and beyond it
    /// in the overflow, inserted out of order, with ties at one instant: they come out by time,
    /// then by sequence, whichever structure held them.
    func testEntriesComeOutByTimeThenSequenceFromEveryPart() {
        var queue = Queue()
        let times: [Nanoseconds] = [20_000_000, 5_000, 1_000, 5_000, 0, 1_023, 1_024, 20_000_000, 16_777_215, 16_777_216]
        for (sequence, time) in times.enumerated() { queue.insert(entry(time, UInt64(sequence))) }
        XCTAssertEqual(queue.count, 10)
        var order: [Int] = []
        while let next = queue.popMin(before: 30_000_000) { order.append(next.payload) }
        XCTAssertEqual(order, [4, 2, 5, 6, 1, 3, 8, 9, 0, 7])
        XCTAssertEqual(queue.count, 0)
    }

    /// An entry inserted beyond the ring (A, 16.8 ms ahead of the cursor at 0) and one inserted
    /// later into the ring's bucket for the same microsecond (C, once the cursor moved to B):
    /// the earlier of the two comes out first though they were held apart.
    func testOverflowAndRingEntriesOfOneBucketComeOutInOrder() {
        var queue = Queue()
        queue.insert(entry(16_777_300, 0))  // A: slot 16,384, the ring's size ahead of slot 0
        queue.insert(entry(1_000_000, 1))  // B: slot 976
        XCTAssertEqual(queue.popMin(before: .max)?.payload, 1)
        queue.insert(entry(16_777_400, 2))  // C: slot 16,384 again, now inside the ring
        queue.insert(entry(16_777_250, 3))  // D: the same slot, earlier still
        XCTAssertEqual([0, 1, 2].compactMap { _ in queue.popMin(before: .max)?.payload }, [3, 0, 2])
    }

    /// An entry at or after `end` stays, and later comes out when the end is later.
    func testEntriesAtOrAfterTheEndStay() {
        var queue = Queue()
        queue.insert(entry(3_000, 0))
        queue.insert(entry(50_000_000, 1))
        XCTAssertEqual(queue.popMin(before: 3_000)?.payload, nil)
        XCTAssertEqual(queue.popMin(before: 3_001)?.payload, 0)
        XCTAssertNil(queue.popMin(before: 50_000_000))
        XCTAssertEqual(queue.count, 1)
        XCTAssertEqual(queue.popMin(before: .max)?.payload, 1)
    }

    /// A run's pattern: each entry taken out schedules up to three more at random distances
    /// (same instant, within a bucket, across the ring, past the ring, across its wrap), never
    /// earlier than itself. So a correct queue gives out every entry in sorted order, as a
    /// single heap would.
    func testOrderIsSortedOrderOnASimulatedWorkload() {
        var random = RandomStream(seed: 5, name: "calendar")
        var queue = Queue()
        var inserted: [Queue.Entry] = []
        func schedule(_ time: Nanoseconds) {
            inserted.append(entry(time, UInt64(inserted.count)))
            queue.insert(inserted.last!)
        }
        let distances: [Nanoseconds] = [0, 1, 700, 43_360, 1_000_000, 16_777_216, 40_000_000]
        for _ in 0..<50 { schedule(Nanoseconds(random.next() % 2_000_000)) }
        var taken: [Queue.Entry] = []
        while let next = queue.popMin(before: .max) {
            taken.append(next)
            XCTAssertEqual(queue.count, inserted.count - taken.count)
            guard inserted.count < 20_000 else { continue }
            for _ in 0..<Int(random.next() % 4) {
                schedule(next.time + distances[Int(random.next() % UInt64(distances.count))] + Nanoseconds(random.next() % 100))
            }
        }
        XCTAssertEqual(inserted.count, 20_000, "the workload grew to its cap")
        XCTAssertEqual(taken, inserted.sorted())
    }
}
