import NewIPWire

/// A router's forwarding table: longest-prefix match over compact addresses, IPv4 and IPv6,
/// and exact match over the framework's one-byte addresses.
///
/// Each family is a `PrefixMap` (a hash table per prefix length, probed longest first), so
/// a lookup never allocates and its cost grows with the number of distinct prefix lengths
/// above the match, not with the number of routes. The maps hold 4-byte indices into the
/// table's distinct routes: a node's routes to thousands of addresses share a few next hops
/// and path lengths, so a big table is mostly small slots. Compact prefixes are matched on the address's left-aligned encoded bytes;
/// because the first byte fixes the address length, one table mixes address sizes.
public struct ForwardingTable: Sendable {
    private var compact = PrefixMap<UInt64>()
    private var ipv4 = PrefixMap<UInt32>()
    private var ipv6 = PrefixMap<UInt128>()
    /// Every distinct route inserted (never shrinks: a removed one may come back).
    private var routes = DistinctRoutes()
    /// Empty until the first one-byte route, then 256 entries.
    private var eightBit: [Route?] = []

    public init() {}

    /// Number of entries over all families.
    public var count: Int { compact.count + ipv4.count + ipv6.count + eightBit.lazy.filter { $0 != nil }.count }

    /// Bytes the table takes, computed from its structures' capacities: the prefix maps, the
    /// distinct routes and their index, and the framework's one-byte routes.
    public var memoryBytes: Int {
        MemoryLayout<Self>.stride + compact.memoryBytes + ipv4.memoryBytes + ipv6.memoryBytes + routes.memoryBytes
            + eightBit.capacity * MemoryLayout<Route?>.stride
    }

    /// Whether `prefix` can hold a valid address. A prefix longer than 8 bits fixes the first
    /// byte and so the address length; `0x05/16` (first byte `05` announces a one-byte
    /// address) holds none, and would match `05` on its zero padding, so it is refused.
    public static func canRoute(_ prefix: CompactAddressPrefix) -> Bool {
        guard prefix.length > 8 else { return true }
        guard let length = CompactAddress.encodedLength(forFirstByte: UInt8(truncatingIfNeeded: prefix.bits >> 56)) else { return false }
        return prefix.length <= 8 * length
    }

    /// Stores `route` for `prefix`; returns the route it replaced. Traps on a compact prefix
    /// that `canRoute` refuses (check input with it first).
    @discardableResult
    public mutating func insert(_ route: Route, for prefix: RoutePrefix) -> Route? {
        switch prefix {
        case .compact(let p):
            precondition(Self.canRoute(p), "compact prefix \(p) holds no address")
            return compact.insert(p.bits, length: p.length, routes.index(of: route)).map(route(at:))
        case .ipv4(let p):
            return ipv4.insert(p.address.rawValue, length: p.length, routes.index(of: route)).map(route(at:))
        case .ipv6(let p):
            return ipv6.insert(Self.key(p.address), length: p.length, routes.index(of: route)).map(route(at:))
        case .eightBit(let value):
            if eightBit.isEmpty { eightBit = Array(repeating: nil, count: 256) }
            defer { eightBit[Int(value)] = route }
            return eightBit[Int(value)]
        }
    }

    /// Makes room for `additional` more prefixes of `prefix`'s family and length, so inserting
    /// them never grows the table (when the count is known, as for computed routes).
    public mutating func reserveCapacity(additional: Int, forLengthOf prefix: RoutePrefix) {
        switch prefix {
        case .compact(let p): compact.reserveCapacity(additional: additional, length: p.length)
        case .ipv4(let p): ipv4.reserveCapacity(additional: additional, length: p.length)
        case .ipv6(let p): ipv6.reserveCapacity(additional: additional, length: p.length)
        case .eightBit: break
        }
    }

    /// Removes the entry for exactly `prefix`; returns its route.
    @discardableResult
    public mutating func remove(_ prefix: RoutePrefix) -> Route? {
        switch prefix {
        case .compact(let p): return compact.remove(p.bits, length: p.length).map(route(at:))
        case .ipv4(let p): return ipv4.remove(p.address.rawValue, length: p.length).map(route(at:))
        case .ipv6(let p): return ipv6.remove(Self.key(p.address), length: p.length).map(route(at:))
        case .eightBit(let value):
            guard !eightBit.isEmpty else { return nil }
            defer { eightBit[Int(value)] = nil }
            return eightBit[Int(value)]
        }
    }

    /// The route stored for exactly `prefix` (no longest match).
    public func route(for prefix: RoutePrefix) -> Route? {
        switch prefix {
        case .compact(let p): compact.route(p.bits, length: p.length).map(route(at:))
        case .ipv4(let p): ipv4.route(p.address.rawValue, length: p.length).map(route(at:))
        case .ipv6(let p): ipv6.route(Self.key(p.address), length: p.length).map(route(at:))
        case .eightBit(let value): eightBit.isEmpty ? nil : eightBit[Int(value)]
        }
    }

    public func lookup(_ address: CompactAddress) -> Route? { compact.lookup(address.storage).map(route(at:)) }

    public func lookup(_ address: IPv4Address) -> Route? { ipv4.lookup(address.rawValue).map(route(at:)) }

    public func lookup(_ address: IPv6Address) -> Route? { ipv6.lookup(Self.key(address)).map(route(at:)) }

    /// The longest match for a framework address of any type.
    public func lookup(_ address: FrameworkAddress) -> Route? {
        switch address {
        case .compact(let a): compact.lookup(a.storage).map(route(at:))
        case .ipv4(let a): ipv4.lookup(a.rawValue).map(route(at:))
        case .ipv6(let a): ipv6.lookup(Self.key(a)).map(route(at:))
        case .eightBit(let value): eightBit.isEmpty ? nil : eightBit[Int(value)]
        }
    }

    /// Every entry, sorted by `RoutePrefix` order (for showing routes; allocates).
    public var entries: [(prefix: RoutePrefix, route: Route)] {
        var result: [(prefix: RoutePrefix, route: Route)] = []
        result.reserveCapacity(count)
        compact.forEach { bits, length, index in
            result.append((.compact(CompactAddressPrefix(bits: bits, length: length)!), route(at: index)))
        }
        for (value, route) in eightBit.enumerated() {
            if let route { result.append((.eightBit(UInt8(value)), route)) }
        }
        ipv4.forEach { bits, length, index in
            result.append((.ipv4(IPv4Prefix(address: IPv4Address(rawValue: bits), length: length)!), route(at: index)))
        }
        ipv6.forEach { bits, length, index in
            let address = IPv6Address(high: UInt64(truncatingIfNeeded: bits >> 64), low: UInt64(truncatingIfNeeded: bits))
            result.append((.ipv6(IPv6Prefix(address: address, length: length)!), route(at: index)))
        }
        return result.sorted { $0.prefix < $1.prefix }
    }

    @inline(__always)
    private func route(at index: UInt32) -> Route { routes[index] }

    private static func key(_ address: IPv6Address) -> UInt128 {
        UInt128(address.high) << 64 | UInt128(address.low)
    }
}
