import NewIPDataPlane
@testable import NewIPEmulator
import XCTest

final class PacketPoolTests: XCTestCase {
    /// Fills `buffer` with a packet of `length` bytes, as a flow's template does.
    private func filled(_ buffer: PacketBuffer, length: Int) -> PacketBuffer {
        var buffer = buffer
        buffer.receive(headroom: PacketPool.headroom) { _ in length }
        return buffer
    }

    /// 64 bytes of headroom plus the packet, rounded up to 16: 542 → 608, 1,000 → 1,072, and
    /// a node's own packets get the largest flow packet's 1,500 → 1,568.
    func testStorageIsSizedToThePacket() {
        var pool = PacketPool(largestPacket: 1500)
        XCTAssertEqual(pool.take(forPacket: 542).capacity, 608)
        XCTAssertEqual(pool.take(forPacket: 1000).capacity, 1072)
        XCTAssertEqual(pool.take(forPacket: 16).capacity, 80)
        XCTAssertEqual(pool.take().capacity, 1568)
        XCTAssertEqual(pool.take(forPacket: 542).headroom, 64)
    }

    /// A recycled buffer (still holding its 542-byte packet) carries the next packet of its
    /// class (540 bytes: also 608), not one of another class, which gets a new empty buffer.
    func testRecycledBufferCarriesTheNextPacketOfItsClass() {
        var pool = PacketPool(largestPacket: 1500)
        pool.recycle(filled(pool.take(forPacket: 542), length: 542))
        let other = pool.take(forPacket: 1000)
        XCTAssertEqual(other.count, 0)
        XCTAssertEqual(other.capacity, 1072)
        let reused = pool.take(forPacket: 540)
        XCTAssertEqual(reused.count, 542)
        XCTAssertEqual(reused.capacity, 608)
        XCTAssertEqual(pool.take(forPacket: 540).count, 0, "the one free buffer was taken")
    }

    /// A buffer that grew past its class (610 bytes) or beyond the largest class is freed,
    /// not handed out again.
    func testBuffersOutsideTheClassesAreNotKept() {
        var pool = PacketPool(largestPacket: 1500)
        pool.recycle(filled(PacketBuffer(capacity: 610, headroom: 64), length: 542))
        pool.recycle(filled(PacketBuffer(capacity: 4096, headroom: 64), length: 542))
        XCTAssertEqual(pool.take(forPacket: 542).count, 0)
        XCTAssertEqual(pool.take().count, 0)
    }

    /// A queued 542-byte packet: the `PacketBuffer` in its queue slot, the array header's 32
    /// bytes and 608 bytes of storage (not the 2,048 of a default buffer).
    func testQueuedPacketBytes() {
        let slot = MemoryLayout<PacketBuffer>.stride
        XCTAssertEqual(PacketPool.queuedBytes(forPacket: 542), slot + 32 + 608)
        XCTAssertEqual(PacketPool.queuedBytes(forPacket: 1000), slot + 32 + 1072)
    }
}
