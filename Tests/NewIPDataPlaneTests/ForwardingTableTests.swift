import XCTest
import NewIPWire
@testable import NewIPDataPlane

final class ForwardingTableTests: XCTestCase {
    func testCompactLongestPrefixAcrossLengthsAndSizes() {
        var table = ForwardingTable()
        table.insert(route(1), for: compactPrefix("0xF2/8"))
        table.insert(route(2), for: compactPrefix("0xF20001/24"))
        table.insert(route(3), for: compactPrefix("0xF2000100/32"))
        table.insert(route(4), for: compactPrefix("0xF2000100AB/40"))
        table.insert(route(5), for: compactPrefix("0x05/8"))
        XCTAssertEqual(table.lookup(compact("0xF2000100AB"))?.nextHop.interface, 4)
        XCTAssertEqual(table.lookup(compact("0xF2000100AC"))?.nextHop.interface, 3)
        XCTAssertEqual(table.lookup(compact("0xF20001FF00"))?.nextHop.interface, 2)
        XCTAssertEqual(table.lookup(compact("0xF2FF000000"))?.nextHop.interface, 1)
        XCTAssertEqual(table.lookup(compact("0x05"))?.nextHop.interface, 5)
        XCTAssertNil(table.lookup(compact("0x06")))
        XCTAssertNil(table.lookup(compact("0xDE00")))
        table.insert(route(9), for: .compact(.all))
        XCTAssertEqual(table.lookup(compact("0x06"))?.nextHop.interface, 9)
        XCTAssertEqual(table.lookup(compact("0xF2000100AB"))?.nextHop.interface, 4)
        XCTAssertEqual(table.count, 6)
    }

    /// Thousands of prefixes share a few routes (the table stores each distinct route once);
    /// replacing, removing and re-adding keep every prefix's own route.
    func testManyPrefixesSharingFewRoutes() {
        var table = ForwardingTable()
        let shared = (0..<4).map { Route(nextHop: NextHop(interface: $0, neighbour: NeighbourID(rawValue: 7)), toDelay: 1_000, toHops: 2) }
        for value in 1...3_000 as ClosedRange<UInt64> {
            table.insert(shared[Int(value % 4)], for: .compact(CompactAddressPrefix(exactly: CompactAddress(value: value)!)))
        }
        XCTAssertEqual(table.count, 3_000)
        XCTAssertEqual(table.lookup(CompactAddress(value: 2_999)!), shared[3])
        let replaced = table.insert(Route(nextHop: NextHop(interface: 9, neighbour: NeighbourID(rawValue: 1))),
                                    for: .compact(CompactAddressPrefix(exactly: CompactAddress(value: 2_999)!)))
        XCTAssertEqual(replaced, shared[3])
        XCTAssertEqual(table.lookup(CompactAddress(value: 2_999)!)?.nextHop.interface, 9)
        XCTAssertEqual(table.remove(.compact(CompactAddressPrefix(exactly: CompactAddress(value: 6)!))), shared[2])
        XCTAssertNil(table.lookup(CompactAddress(value: 6)!))
        table.insert(shared[1], for: .compact(CompactAddressPrefix(exactly: CompactAddress(value: 6)!)))
        XCTAssertEqual(table.lookup(CompactAddress(value: 6)!), shared[1])
        XCTAssertEqual(table.entries.filter { $0.route == shared[0] }.count, 750)
    }

    func testCompactPrefixesThatHoldNoAddressAreRefused() {
        XCTAssertFalse(ForwardingTable.canRoute(CompactAddressPrefix("0x0500/16")!), "05 is a one-byte address")
        XCTAssertFalse(ForwardingTable.canRoute(CompactAddressPrefix("0xF580/9")!), "F5 is invalid")
        XCTAssertTrue(ForwardingTable.canRoute(CompactAddressPrefix("0xF2000100AB/40")!))
        XCTAssertTrue(ForwardingTable.canRoute(CompactAddressPrefix("0xF0/4")!))
        XCTAssertTrue(ForwardingTable.canRoute(CompactAddressPrefix("0xDE00/16")!))
    }

    func testIPv4LongestPrefix() {
        var table = ForwardingTable()
        table.insert(route(0), for: .ipv4(IPv4Prefix("0.0.0.0/0")!))
        table.insert(route(1), for: .ipv4(IPv4Prefix("10.0.0.0/8")!))
        table.insert(route(2), for: .ipv4(IPv4Prefix("10.1.0.0/16")!))
        table.insert(route(3), for: .ipv4(IPv4Prefix("10.1.2.0/24")!))
        table.insert(route(4), for: .ipv4(IPv4Prefix("10.1.2.3/32")!))
        XCTAssertEqual(table.lookup(ipv4("10.1.2.3"))?.nextHop.interface, 4)
        XCTAssertEqual(table.lookup(ipv4("10.1.2.4"))?.nextHop.interface, 3)
        XCTAssertEqual(table.lookup(ipv4("10.1.3.4"))?.nextHop.interface, 2)
        XCTAssertEqual(table.lookup(ipv4("10.2.3.4"))?.nextHop.interface, 1)
        XCTAssertEqual(table.lookup(ipv4("11.2.3.4"))?.nextHop.interface, 0)
        XCTAssertEqual(table.lookup(FrameworkAddress.ipv4(ipv4("10.1.2.9")))?.nextHop.interface, 3)
    }

    func testIPv6LongestPrefix() {
        var table = ForwardingTable()
        table.insert(route(1), for: .ipv6(IPv6Prefix("2001:db8::/32")!))
        table.insert(route(2), for: .ipv6(IPv6Prefix("2001:db8:1::/48")!))
        table.insert(route(3), for: .ipv6(IPv6Prefix("2001:db8:1:2::/64")!))
        table.insert(route(4), for: .ipv6(IPv6Prefix("2001:db8:1:2::5/128")!))
        table.insert(route(5), for: .ipv6(IPv6Prefix("2001:db8:1:2:8000::/65")!))
        XCTAssertEqual(table.lookup(ipv6("2001:db8:1:2::5"))?.nextHop.interface, 4)
        XCTAssertEqual(table.lookup(ipv6("2001:db8:1:2::6"))?.nextHop.interface, 3)
        XCTAssertEqual(table.lookup(ipv6("2001:db8:1:2:8000::6"))?.nextHop.interface, 5)
        XCTAssertEqual(table.lookup(ipv6("2001:db8:1:3::"))?.nextHop.interface, 2)
        XCTAssertEqual(table.lookup(ipv6("2001:db8:2::"))?.nextHop.interface, 1)
        XCTAssertNil(table.lookup(ipv6("2001:db9::")))
    }

    func testRemoveFallsBackToTheNextLongestAndReplaceReturnsTheOldRoute() {
        var table = ForwardingTable()
        table.insert(route(1), for: .ipv4(IPv4Prefix("10.0.0.0/8")!))
        table.insert(route(2), for: .ipv4(IPv4Prefix("10.1.0.0/16")!))
        table.insert(route(7), for: compactPrefix("0xDE/8"))
        XCTAssertEqual(table.insert(route(3), for: .ipv4(IPv4Prefix("10.1.0.0/16")!)), route(2))
        XCTAssertEqual(table.lookup(ipv4("10.1.0.1"))?.nextHop.interface, 3)
        XCTAssertEqual(table.remove(.ipv4(IPv4Prefix("10.1.0.0/16")!)), route(3))
        XCTAssertEqual(table.lookup(ipv4("10.1.0.1"))?.nextHop.interface, 1)
        XCTAssertNil(table.remove(.ipv4(IPv4Prefix("10.1.0.0/16")!)))
        XCTAssertEqual(table.remove(compactPrefix("0xDE/8")), route(7))
        XCTAssertNil(table.lookup(compact("0xDE00")))
        XCTAssertEqual(table.count, 1)
    }

    func testEightBitExactMatch() {
        var table = ForwardingTable()
        table.insert(route(2), for: .eightBit(7))
        XCTAssertEqual(table.lookup(FrameworkAddress.eightBit(7))?.nextHop.interface, 2)
        XCTAssertNil(table.lookup(FrameworkAddress.eightBit(8)))
        XCTAssertEqual(table.remove(.eightBit(7)), route(2))
        XCTAssertEqual(table.count, 0)
    }

    func testEntriesAreSortedByFamilyThenPrefix() {
        var table = ForwardingTable()
        table.insert(route(4), for: .ipv6(IPv6Prefix("2001:db8::/32")!))
        table.insert(route(3), for: .ipv4(IPv4Prefix("10.0.0.0/8")!))
        table.insert(route(2), for: .eightBit(9))
        table.insert(route(1), for: compactPrefix("0xF20001/24"))
        table.insert(route(0), for: compactPrefix("0xF2/8"))
        XCTAssertEqual(table.entries.map(\.prefix.description),
                       ["0xF2/8", "0xF20001/24", "8bit 9", "10.0.0.0/8", "2001:db8::/32"])
        XCTAssertEqual(table.entries.map(\.route.nextHop.interface), [0, 1, 2, 3, 4])
        XCTAssertEqual(table.route(for: compactPrefix("0xF20001/24")), route(1))
        XCTAssertNil(table.route(for: compactPrefix("0xF20002/24")))
    }

    /// Thousands of random IPv4 routes, inserted and removed, against a linear scan.
    func testRandomTableAgainstLinearScan() {
        var generator = SeededGenerator(seed: 42)
        var table = ForwardingTable()
        var reference: [IPv4Prefix: Route] = [:]
        for index in 0..<4000 {
            let length = [0, 8, 12, 16, 20, 24, 28, 32][Int.random(in: 0..<8, using: &generator)]
            // Few high bits vary, so prefixes nest and collide.
            let bits = UInt32.random(in: 0...UInt32.max, using: &generator) & 0xF0F0_F0F0
            let prefix = IPv4Prefix(address: IPv4Address(rawValue: bits), length: length)!
            table.insert(route(index), for: .ipv4(prefix))
            reference[prefix] = route(index)
        }
        for prefix in reference.keys.shuffled(using: &generator).prefix(1500) {
            XCTAssertEqual(table.remove(.ipv4(prefix)), reference.removeValue(forKey: prefix))
        }
        XCTAssertEqual(table.count, reference.count)
        for _ in 0..<3000 {
            let address = IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &generator) & 0xF0F0_F0F0)
            let expected = reference.filter { $0.key.contains(address) }.max { $0.key.length < $1.key.length }?.value
            XCTAssertEqual(table.lookup(address), expected, "\(address)")
        }
    }
}
