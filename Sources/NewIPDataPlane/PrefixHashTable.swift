/// The routes of one prefix length, keyed by their masked bits: open addressing with linear
/// probing, at most half full. A route is a 4-byte index into the table's distinct routes
/// (`ForwardingTable`), so a compact slot is 16 bytes instead of 40: four to a cache line.
///
/// Hand-written rather than `Dictionary` because a lookup probes several lengths and
/// `Dictionary`'s seeded SipHash costs more than the rest of the probe; here the hash is a
/// multiply and a shift. A slot holds key and route together, so a hit costs one cache miss.
/// A free slot holds the all-ones key, which no masked key shorter than the full width can
/// be; the one full-width prefix that is all ones is kept aside.
///
/// In front of the slots sits a one-bit-per-hash filter (4 bits per slot, so 8–16 per key):
/// a probe for a key that is not there (most probes of a longest-prefix lookup) usually
/// reads one bit of a small array that stays in cache instead of a slot. Removal leaves its
/// bit set (a false positive costs only a probe); the filter is rebuilt when the table
/// grows or after as many removals as there are keys.
struct PrefixHashTable<Key: PrefixKey>: Sendable {
    private struct Slot: Sendable {
        var key: Key
        var route: UInt32
    }

    private var slots: [Slot] = []
    private var allOnes: UInt32?
    private var filter: [UInt64] = []
    /// 64 − log2(bits in `filter`).
    private var filterShift: UInt64 = 64
    private var removalsSinceRebuild = 0
    /// 64 − log2(keys.count): turns the hash into a slot index.
    private var shift: UInt64 = 64
    private(set) var count = 0

    private static var free: Key { .max }
    private static var freeSlot: Slot {
        Slot(key: free, route: 0)
    }

    var isEmpty: Bool { count == 0 }

    /// Heap bytes of the slots and the filter (their capacities, not what is in use).
    var memoryBytes: Int {
        slots.capacity * MemoryLayout<Slot>.stride + filter.capacity * MemoryLayout<UInt64>.stride
    }

    @inline(__always)
    private func home(of key: Key) -> Int {
        let x = key.hashInput
        return Int(truncatingIfNeeded: ((x ^ x >> 29) &* 0xBF58_476D_1CE4_E5B9) >> shift)
    }

    @inline(__always)
    private func filterBit(of key: Key) -> Int {
        Int(truncatingIfNeeded: (key.hashInput &* 0x94D0_49BB_1331_11EB) >> filterShift)
    }

    @inline(__always)
    private func mayContain(_ key: Key) -> Bool {
        filter.withUnsafeBufferPointer { words in
            let bit = filterBit(of: key)
            return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
        }
    }

    private mutating func addToFilter(_ key: Key) {
        let bit = filterBit(of: key)
        filter[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    @inline(__always)
    func find(_ key: Key) -> UInt32? {
        guard key != Self.free else { return allOnes }
        guard !slots.isEmpty, mayContain(key), let index = slot(of: key) else { return nil }
        return slots[index].route
    }

    @inline(__always)
    private func slot(of key: Key) -> Int? {
        guard !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            let wrap = slots.count - 1
            var index = home(of: key)
            while true {
                let stored = slots[index].key
                if stored == key { return index }
                if stored == Self.free { return nil }
                index = (index + 1) & wrap
            }
        }
    }

    /// Stores `route` under `key`; returns the route it replaced.
    mutating func insert(_ key: Key, _ route: UInt32) -> UInt32? {
        if key == Self.free {
            defer { allOnes = route }
            if allOnes == nil { count += 1 }
            return allOnes
        }
        if let index = slot(of: key) {
            defer { slots[index].route = route }
            return slots[index].route
        }
        if (count + 1) * 2 > slots.count { grow() }
        let wrap = slots.count - 1
        var index = home(of: key)
        while slots[index].key != Self.free { index = (index + 1) & wrap }
        slots[index] = Slot(key: key, route: route)
        addToFilter(key)
        count += 1
        return nil
    }

    /// Removes `key`; returns its route. Shifts later entries of the probe run back so
    /// lookups never need tombstones.
    mutating func remove(_ key: Key) -> UInt32? {
        if key == Self.free {
            defer { allOnes = nil }
            if allOnes != nil { count -= 1 }
            return allOnes
        }
        guard let index = slot(of: key) else { return nil }
        let removed = slots[index].route
        let wrap = slots.count - 1
        var hole = index
        var next = (hole + 1) & wrap
        while slots[next].key != Self.free {
            // An entry may fill the hole only if its home is not between the hole and it.
            let home = home(of: slots[next].key)
            if (next - home) & wrap >= (next - hole) & wrap {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & wrap
        }
        slots[hole] = Self.freeSlot
        count -= 1
        removalsSinceRebuild += 1
        if removalsSinceRebuild > count { rebuildFilter() }
        return removed
    }

    /// Calls `body` with every key and route.
    func forEach(_ body: (Key, UInt32) -> Void) {
        for slot in slots where slot.key != Self.free { body(slot.key, slot.route) }
        if let allOnes { body(Self.free, allOnes) }
    }

    /// Makes room for `count` keys in all, so inserting up to that many never grows the table
    /// (a table that grows by doubling rehashes every key several times on the way).
    mutating func reserveCapacity(_ count: Int) {
        var capacity = Swift.max(16, slots.count)
        while count * 2 > capacity { capacity *= 2 }
        if capacity > slots.count { resize(to: capacity) }
    }

    private mutating func grow() { resize(to: Swift.max(16, slots.count * 2)) }

    private mutating func resize(to capacity: Int) {
        let old = slots
        slots = Array(repeating: Self.freeSlot, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        count = allOnes == nil ? 0 : 1
        rebuildFilter()
        for slot in old where slot.key != Self.free { _ = insert(slot.key, slot.route) }
    }

    /// A fresh filter of 4 bits per slot holding exactly the current keys.
    private mutating func rebuildFilter() {
        let bits = slots.count * 4
        filter = Array(repeating: 0, count: bits / 64)
        filterShift = UInt64(64 - bits.trailingZeroBitCount)
        removalsSinceRebuild = 0
        for slot in slots where slot.key != Self.free { addToFilter(slot.key) }
    }
}
