/// A forwarding table's distinct routes, each stored once and named by a 4-byte index.
///
/// Routes are found by an open-addressing hash of their fields (a multiply and a shift, not
/// `Dictionary`'s seeded SipHash), the slots at most half full: a node's routes to
/// thousands of prefixes share a few next hops and path lengths, so nearly every insert into
/// a large table looks up a route it already holds, and a 4-byte slot costs less than a
/// `Dictionary` entry holding the route again.
struct DistinctRoutes: Sendable {
    private(set) var routes: [Route] = []
    /// Each holds 1 + the index of a route, 0 when free.
    private var slots: [UInt32] = []
    /// 64 − log2(slots.count): turns the hash into a slot index.
    private var shift: UInt64 = 64

    /// Heap bytes of the routes and the slots (their capacities).
    var memoryBytes: Int {
        routes.capacity * MemoryLayout<Route>.stride + slots.capacity * MemoryLayout<UInt32>.stride
    }

    @inline(__always)
    subscript(index: UInt32) -> Route { routes[Int(index)] }

    /// The index of `route`, added if new.
    mutating func index(of route: Route) -> UInt32 {
        if !slots.isEmpty {
            let wrap = slots.count - 1
            var slot = Self.home(of: route, shift: shift)
            while slots[slot] != 0 {
                let index = slots[slot] - 1
                if routes[Int(index)] == route { return index }
                slot = (slot + 1) & wrap
            }
        }
        let index = UInt32(routes.count)
        routes.append(route)
        if routes.count * 2 > slots.count { rehash(capacity: Swift.max(16, slots.count * 2)) } else { place(index) }
        return index
    }

    private mutating func place(_ index: UInt32) {
        let wrap = slots.count - 1
        var slot = Self.home(of: routes[Int(index)], shift: shift)
        while slots[slot] != 0 { slot = (slot + 1) & wrap }
        slots[slot] = index + 1
    }

    private mutating func rehash(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for index in routes.indices { place(UInt32(index)) }
    }

    private static func home(of route: Route, shift: UInt64) -> Int {
        var x = UInt64(bitPattern: Int64(route.nextHop.interface)) &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ route.nextHop.neighbour.rawValue) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ UInt64(bitPattern: route.toDelay)) &* 0x94D0_49BB_1331_11EB
        x = (x ^ UInt64(bitPattern: Int64(route.toHops))) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: (x ^ x >> 31) >> shift)
    }
}
