@testable import NewIPDataPlane
import XCTest

final class PacketRingTests: XCTestCase {
    private func packet(_ tag: UInt8) -> PacketBuffer { PacketBuffer(bytes: [tag]) }

    /// Packets leave in arrival order across wrap-arounds and growths (4 slots, then 8, 16).
    func testFirstInFirstOutThroughWrapAndGrowth() {
        var ring = PacketRing(reserving: 3)
        var expected: [UInt8] = []
        var seen: [UInt8] = []
        var next: UInt8 = 0
        for round in 0..<6 {
            for _ in 0..<(round + 2) {
                ring.append(packet(next))
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round + 1) { seen.append(ring.popFirst()!.bytes[0]) }
        }
        XCTAssertEqual(ring.count, 6)
        XCTAssertEqual(ring.packets.map { $0.bytes[0] }, Array(expected.suffix(6)))
        while let packet = ring.popFirst() { seen.append(packet.bytes[0]) }
        XCTAssertEqual(seen, expected)
        XCTAssertTrue(ring.isEmpty)
        XCTAssertNil(ring.popFirst())
    }

    /// Trimming visits the newest packet first and stops when told; changes stay in the ring.
    func testForEachQueuedIsNewestFirstAndInPlace() {
        var ring = PacketRing()
        for tag: UInt8 in 1...5 { ring.append(packet(tag)) }
        _ = ring.popFirst()
        var visited: [UInt8] = []
        ring.forEachQueued { packet in
            visited.append(packet.bytes[0])
            packet.removeLast(1)
            return visited.count < 3
        }
        XCTAssertEqual(visited, [5, 4, 3])
        XCTAssertEqual(ring.packets.map(\.count), [1, 0, 0, 0])
    }

    /// A copy of the ring is independent (the slots are copied on write).
    func testCopiesAreIndependent() {
        var ring = PacketRing()
        ring.append(packet(1))
        var copy = ring
        copy.append(packet(2))
        _ = ring.popFirst()
        XCTAssertEqual(ring.count, 0)
        XCTAssertEqual(copy.packets.map { $0.bytes[0] }, [1, 2])
    }
}
