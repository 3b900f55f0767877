@testable import NewIPEmulator
import NewIPRandom
import XCTest

final class EventHeapTests: XCTestCase {
    private func key(_ time: Int64, _ scheduledAt: Int64 = 0, scheduler: Int = 0, count: UInt64 = 0) -> EventKey {
        EventKey(time: time, scheduledAt: scheduledAt, scheduler: scheduler, count: count)
    }

    private func drain(_ heap: inout EventHeap) -> [EventKey] {
        var keys: [EventKey] = []
        while let first = heap.min {
            keys.append(first.key)
            heap.removeMin()
        }
        return keys
    }

    /// Ties on time go to the earlier scheduling instant, then the lower scheduler, then its
    /// lower count; nine entries fill two levels under the root and one more.
    func testEntriesLeaveInKeyOrder() {
        var heap = EventHeap(capacity: 2)
        let inserted = [key(30), key(10, 5), key(10, 2, scheduler: 3, count: 1), key(20), key(10, 2, scheduler: 3, count: 0),
                        key(10, 2, scheduler: 1, count: 9), key(5), key(40), key(10, 0)]
        for (index, key) in inserted.enumerated() {
            heap.insert(EventHeap.Entry(key: key, event: PackedEvent(.send(flow: index))))
        }
        XCTAssertEqual(heap.count, 9)
        XCTAssertEqual(drain(&heap), [key(5), key(10, 0), key(10, 2, scheduler: 1, count: 9), key(10, 2, scheduler: 3, count: 0),
                                      key(10, 2, scheduler: 3, count: 1), key(10, 5), key(20), key(30), key(40)])
        XCTAssertEqual(heap.count, 0)
        XCTAssertNil(heap.min)
    }

    /// Interleaved inserts and removals across growths take entries out sorted, each with its event.
    func testInterleavedInsertsAndRemovalsStaySorted() {
        var random = RandomStream(seed: 3, name: "heap")
        var heap = EventHeap(capacity: 4)
        var pending: [EventKey] = []
        var removals = 0
        var count: UInt64 = 0
        for round in 0..<2000 {
            for _ in 0..<random.nextInt(in: 0...3) {
                let key = key(Int64(random.nextInt(in: 0...50)), Int64(random.nextInt(in: 0...3)), scheduler: random.nextInt(in: 0...2), count: count)
                count += 1
                pending.append(key)
                heap.insert(EventHeap.Entry(key: key, event: PackedEvent(.arrived(link: Int(key.origin)))))
            }
            if round % 2 == 0, let first = heap.min {
                guard case .arrived(let link) = first.event.event else { return XCTFail("event changed") }
                XCTAssertEqual(UInt64(link), first.key.origin)
                let earliest = pending.min()!
                XCTAssertEqual(first.key, earliest)
                pending.remove(at: pending.firstIndex(of: earliest)!)
                removals += 1
                heap.removeMin()
            }
        }
        XCTAssertEqual(heap.count, pending.count)
        XCTAssertEqual(drain(&heap), pending.sorted())
        XCTAssertGreaterThan(removals, 900, "most rounds took an entry out")
    }
}
