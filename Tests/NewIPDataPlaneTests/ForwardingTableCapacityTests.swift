import XCTest
import NewIPWire
@testable import NewIPDataPlane

/// What a table allocates: nothing for families it does not route, room reserved once for a
/// known number of prefixes, and each distinct route stored once.
final class ForwardingTableCapacityTests: XCTestCase {
    /// 20 distinct routes inserted twice: indices in order of first insertion, the second
    /// round finds every one (across the index's growth from 16 to 64 slots).
    func testDistinctRoutesStoresEachRouteOnce() {
        var routes = DistinctRoutes()
        let all = (0..<20).map { route($0 % 4, toDelay: Nanoseconds($0) * 1_000, toHops: $0 / 4) }
        XCTAssertEqual(all.map { routes.index(of: $0) }, (0..<20).map(UInt32.init))
        XCTAssertEqual(all.reversed().map { routes.index(of: $0) }, (0..<20).reversed().map(UInt32.init))
        XCTAssertEqual(routes.routes, all)
        XCTAssertEqual(routes[7], all[7])
        // 20 routes need 64 slots of 4 bytes (at most half full).
        XCTAssertAllocated(routes.memoryBytes, routes.routes.capacity * MemoryLayout<Route>.stride + 64 * 4)
    }

    /// 100 keys reserved: 256 slots of 16 bytes and a 4-bit-per-slot filter (1,024 bits,
    /// 128 bytes) at once, unchanged by the 100 inserts; the 129th key doubles both.
    func testReservedHashTableDoesNotGrow() {
        var table = PrefixHashTable<UInt64>()
        table.reserveCapacity(100)
        let reserved = table.memoryBytes
        XCTAssertAllocated(reserved, 256 * 16 + 128)
        for key in 1...100 as ClosedRange<UInt64> { XCTAssertNil(table.insert(key << 40, UInt32(key))) }
        XCTAssertEqual(table.memoryBytes, reserved)
        table.reserveCapacity(10)
        XCTAssertEqual(table.memoryBytes, reserved, "a smaller reservation keeps the table")
        for key in 101...129 as ClosedRange<UInt64> { XCTAssertNil(table.insert(key << 40, UInt32(key))) }
        XCTAssertAllocated(table.memoryBytes, 512 * 16 + 256)
        for key in 1...129 as ClosedRange<UInt64> { XCTAssertEqual(table.find(key << 40), UInt32(key)) }
        XCTAssertNil(table.find(130 << 40))
    }

    /// A table reserved for 100 /24 prefixes ends the same size as one grown to them, and
    /// reserving allocates the compact map's per-length tables only.
    func testReservedForwardingTableEndsAsLargeAsAGrownOne() {
        var reserved = ForwardingTable()
        var grown = ForwardingTable()
        reserved.reserveCapacity(additional: 100, forLengthOf: compactPrefix("0xF20001/24"))
        let compactMap = MemoryLayout<ForwardingTable>.stride + 65 * MemoryLayout<PrefixHashTable<UInt64>>.stride
        XCTAssertAllocated(reserved.memoryBytes, compactMap + 256 * 16 + 128)
        for value in 0..<100 {
            let prefix = RoutePrefix.compact(CompactAddressPrefix(bits: 0xF2_0000 << 40 | UInt64(value) << 40, length: 24)!)
            reserved.insert(route(value % 3), for: prefix)
            grown.insert(route(value % 3), for: prefix)
        }
        let distinctRoutes = 16 * 4 + 3 * MemoryLayout<Route>.stride
        XCTAssertAllocated(reserved.memoryBytes, compactMap + 256 * 16 + 128 + distinctRoutes)
        XCTAssertAllocated(grown.memoryBytes, compactMap + 256 * 16 + 128 + distinctRoutes)
        XCTAssertEqual(reserved.entries.map(\.prefix), grown.entries.map(\.prefix))
        XCTAssertEqual(reserved.lookup(compact("0xF2006201AB"))?.nextHop.interface, 2)
    }

    /// `bytes` is `expected` give or take what the allocator adds: an array's capacity is what
    /// its block holds, a little more than requested. How much more depends on the heap's
    /// state: glibc hands out a free block up to 31 bytes larger rather than split it, plus its
    /// size word (a run of the whole suite saw 72 bytes over five arrays, a run of this file
    /// alone none). A wrong size is a doubling here, thousands of bytes.
    private func XCTAssertAllocated(_ bytes: Int, _ expected: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert((expected..<expected + 5 * 48).contains(bytes), "\(bytes) bytes, expected \(expected)", file: file, line: line)
    }

    /// An empty table allocates nothing, and the families it holds no route for answer nil.
    func testFamiliesWithoutRoutesAllocateNothing() {
        var table = ForwardingTable()
        XCTAssertEqual(table.memoryBytes, MemoryLayout<ForwardingTable>.stride)
        table.insert(route(1), for: .ipv4(IPv4Prefix("10.0.0.0/8")!))
        XCTAssertNil(table.lookup(compact("0xF2000100AB")))
        XCTAssertNil(table.route(for: compactPrefix("0xF20001/24")))
        XCTAssertNil(table.remove(compactPrefix("0xF20001/24")))
        XCTAssertNil(table.lookup(IPv6Address("2001:db8::1")!))
        XCTAssertEqual(table.lookup(IPv4Address("10.1.2.3")!)?.nextHop.interface, 1)
        XCTAssertEqual(table.count, 1)
    }
}
