/// Longest-prefix match over one address family, to route indices: a hash table per prefix length, probed
/// from the longest length present down to the shortest.
///
/// A lookup costs one probe per length present that is longer than the match (a miss
/// usually stops at one bit of the table's cached filter) and one cache miss for the hit,
/// so it depends on how many distinct lengths the table holds, not on how many routes:
/// 100 000 routes in a handful of lengths answer in a few probes. Only lengths present are
/// probed, so compact islands that route on whole address bytes pay for the few they use.
struct PrefixMap<Key: PrefixKey>: Sendable {
    /// Indexed by prefix length, 0…Key.bitWidth; empty until the first insert or reservation
    /// (most nodes route one or two families: the other maps cost no allocation).
    private var tables: [PrefixHashTable<Key>] = []
    /// Lengths with at least one route, longest first.
    private var lengths: [Int] = []
    private(set) var count = 0

    init() {}

    @inline(__always)
    func lookup(_ key: Key) -> UInt32? {
        lengths.withUnsafeBufferPointer { lengths in
            tables.withUnsafeBufferPointer { tables in
                for length in lengths {
                    if let route = tables[length].find(key & Key.mask(length)) { return route }
                }
                return nil
            }
        }
    }

    /// The route of exactly this prefix (no longest match).
    func route(_ key: Key, length: Int) -> UInt32? {
        tables.isEmpty ? nil : tables[length].find(key & Key.mask(length))
    }

    /// Stores `route` for the prefix; returns the route it replaced.
    mutating func insert(_ key: Key, length: Int, _ route: UInt32) -> UInt32? {
        allocateTables()
        let previous = tables[length].insert(key & Key.mask(length), route)
        if previous == nil {
            count += 1
            if tables[length].count == 1 {
                lengths.append(length)
                lengths.sort(by: >)
            }
        }
        return previous
    }

    /// Removes the prefix; returns its route.
    mutating func remove(_ key: Key, length: Int) -> UInt32? {
        guard !tables.isEmpty, let removed = tables[length].remove(key & Key.mask(length)) else { return nil }
        count -= 1
        if tables[length].isEmpty { lengths.removeAll { $0 == length } }
        return removed
    }

    /// Makes room for `additional` more prefixes of `length`, so inserting them never grows its table.
    mutating func reserveCapacity(additional: Int, length: Int) {
        allocateTables()
        tables[length].reserveCapacity(tables[length].count + additional)
    }

    private mutating func allocateTables() {
        if tables.isEmpty { tables = Array(repeating: PrefixHashTable(), count: Key.bitWidth + 1) }
    }

    /// Bytes of the per-length tables, inline and on the heap.
    var memoryBytes: Int {
        tables.capacity * MemoryLayout<PrefixHashTable<Key>>.stride + tables.reduce(0) { $0 + $1.memoryBytes }
            + lengths.capacity * MemoryLayout<Int>.stride
    }

    /// Every prefix (bits, length) with its route, longest lengths first.
    func forEach(_ body: (Key, Int, UInt32) -> Void) {
        for length in lengths { tables[length].forEach { body($0, length, $1) } }
    }
}
