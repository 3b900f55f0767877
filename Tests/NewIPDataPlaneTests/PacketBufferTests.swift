import XCTest
@testable import NewIPDataPlane

final class PacketBufferTests: XCTestCase {
    func testHeadroomPrependAndRemove() {
        var buffer = PacketBuffer(bytes: [1, 2, 3, 4], headroom: 4, tailroom: 2)
        XCTAssertEqual(buffer.capacity, 10)
        buffer.prepend(2)
        buffer.withUnsafeMutableBytes { $0[0] = 0xA; $0[1] = 0xB }
        XCTAssertEqual(buffer.bytes, [0xA, 0xB, 1, 2, 3, 4])
        XCTAssertEqual(buffer.headroom, 2)
        buffer.removeFirst(3)
        buffer.removeLast(1)
        XCTAssertEqual(buffer.bytes, [2, 3])
        buffer.removeSubrange(0..<1)
        XCTAssertEqual(buffer.bytes, [3])
    }

    func testPrependPastTheHeadroomMovesOrGrows() {
        var buffer = PacketBuffer(bytes: [1, 2, 3], headroom: 1, tailroom: 4)
        buffer.prepend(4)  // 1 of headroom, 4 of tailroom: the packet moves back
        XCTAssertEqual(buffer.capacity, 8)
        XCTAssertEqual(Array(buffer.bytes[4...]), [1, 2, 3])
        buffer.prepend(3)  // past the capacity: the storage grows
        XCTAssertEqual(buffer.count, 10)
        XCTAssertEqual(Array(buffer.bytes[7...]), [1, 2, 3])
        ([9, 9] as [UInt8]).withUnsafeBytes { buffer.append(contentsOf: $0) }
        XCTAssertEqual(Array(buffer.bytes[7...]), [1, 2, 3, 9, 9])
    }

    func testReceiveResetsAndKeepsTheStorage() {
        var buffer = PacketBuffer(capacity: 32, headroom: 8)
        buffer.metadata.ingress = 3
        buffer.receive(headroom: 4) { raw in
            raw[0] = 7
            raw[1] = 8
            return 2
        }
        XCTAssertEqual(buffer.bytes, [7, 8])
        XCTAssertEqual(buffer.headroom, 4)
        XCTAssertEqual(buffer.tailroom, 26)
        XCTAssertEqual(buffer.metadata, PacketMetadata())
        buffer.reset()
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertEqual(buffer.capacity, 32)
    }
}
