import NewIPWire

/// How a gateway names compact hosts on the IPv4 and IPv6 side, and back.
///
/// - Static bindings: a compact address ↔ an IPv4 or IPv6 address, all ports unchanged; or
///   a compact address and port ↔ an IP address and port, so several compact hosts can
///   share one IP address (each behind its own port). A port binding wins over an address
///   binding of the same address.
/// - Algorithmic IPv6 (as NAT64 embeds IPv4 in a /96): a compact address is at most 8
///   bytes, so it is embedded left-aligned in the low 64 bits of `ipv6Prefix` (a /64 or
///   shorter, the bits between the prefix and the last 64 clear): `2001:db8:1::/64` maps
///   `0xF2000100FF` to `2001:db8:1:0:f200:100:ff00:0`. Back, the low 64 bits must hold one
///   valid encoding followed by zero bytes. Ports are unchanged. Static bindings win.
public struct GatewayMapping: Hashable, Sendable {
    private var toIPv4 = Bindings<CompactAddress, IPv4Address>()
    private var fromIPv4 = Bindings<IPv4Address, CompactAddress>()
    private var toIPv6 = Bindings<CompactAddress, IPv6Address>()
    private var fromIPv6 = Bindings<IPv6Address, CompactAddress>()
    /// The algorithmic IPv6 prefix, at most 64 bits long.
    public var ipv6Prefix: IPv6Prefix? {
        didSet { precondition(ipv6Prefix.map { $0.length <= 64 } ?? true, "an embedding prefix is at most /64") }
    }

    /// One direction's bindings: whole addresses, and address-and-port pairs. Kept apart so a
    /// lookup hashes once when there are no port bindings (the usual case): a gateway looks up
    /// both endpoints of every packet.
    private struct Bindings<From: Hashable & Sendable, To: Hashable & Sendable>: Hashable, Sendable {
        struct Endpoint: Hashable, Sendable {
            var address: From
            var port: UInt16
        }
        var byAddress: [From: To] = [:]
        var byPort: [Endpoint: (To, UInt16)] = [:]

        static func == (a: Self, b: Self) -> Bool {
            a.byAddress == b.byAddress && a.byPort.count == b.byPort.count
                && a.byPort.allSatisfy { key, value in b.byPort[key].map { $0 == value } ?? false }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(byAddress)
            hasher.combine(byPort.count)
        }

        /// The port binding of (`address`, `port`), else the address binding with the port unchanged.
        func resolve(_ address: From, _ port: UInt16) -> (address: To, port: UInt16)? {
            if !byPort.isEmpty, let bound = byPort[Endpoint(address: address, port: port)] { return bound }
            return byAddress[address].map { ($0, port) }
        }

        mutating func bind(_ from: From, port fromPort: UInt16?, to: To, port toPort: UInt16?) {
            if let fromPort, let toPort { byPort[Endpoint(address: from, port: fromPort)] = (to, toPort) } else { byAddress[from] = to }
        }
    }

    public init(ipv6Prefix: IPv6Prefix? = nil) {
        precondition(ipv6Prefix.map { $0.length <= 64 } ?? true, "an embedding prefix is at most /64")
        self.ipv6Prefix = ipv6Prefix
    }

    /// Binds `compact` (port `compactPort`, or every port) to `ipv4` (port `ipv4Port`);
    /// give both ports or neither.
    public mutating func bind(_ compact: CompactAddress, port compactPort: UInt16? = nil,
                              to ipv4: IPv4Address, port ipv4Port: UInt16? = nil) {
        precondition((compactPort == nil) == (ipv4Port == nil), "give both ports or neither")
        toIPv4.bind(compact, port: compactPort, to: ipv4, port: ipv4Port)
        fromIPv4.bind(ipv4, port: ipv4Port, to: compact, port: compactPort)
    }

    /// Binds `compact` (port `compactPort`, or every port) to `ipv6` (port `ipv6Port`);
    /// give both ports or neither.
    public mutating func bind(_ compact: CompactAddress, port compactPort: UInt16? = nil,
                              to ipv6: IPv6Address, port ipv6Port: UInt16? = nil) {
        precondition((compactPort == nil) == (ipv6Port == nil), "give both ports or neither")
        toIPv6.bind(compact, port: compactPort, to: ipv6, port: ipv6Port)
        fromIPv6.bind(ipv6, port: ipv6Port, to: compact, port: compactPort)
    }

    /// The bindings of whole addresses (every port): IPv4 ones, then IPv6, each in compact
    /// address order (how configuration files write them back).
    public var addressBindings: [(compact: CompactAddress, ip: FrameworkAddress)] {
        let v4 = toIPv4.byAddress.map { ($0.key, FrameworkAddress.ipv4($0.value)) }
        let v6 = toIPv6.byAddress.map { ($0.key, FrameworkAddress.ipv6($0.value)) }
        return v4.sorted { $0.0 < $1.0 } + v6.sorted { $0.0 < $1.0 }
    }

    public func ipv4(for compact: CompactAddress, port: UInt16) -> (address: IPv4Address, port: UInt16)? {
        toIPv4.resolve(compact, port)
    }

    public func compact(for ipv4: IPv4Address, port: UInt16) -> (address: CompactAddress, port: UInt16)? {
        fromIPv4.resolve(ipv4, port)
    }

    public func ipv6(for compact: CompactAddress, port: UInt16) -> (address: IPv6Address, port: UInt16)? {
        if let bound = toIPv6.resolve(compact, port) { return bound }
        guard let prefix = ipv6Prefix else { return nil }
        return (IPv6Address(high: prefix.address.high, low: compact.storage), port)
    }

    public func compact(for ipv6: IPv6Address, port: UInt16) -> (address: CompactAddress, port: UInt16)? {
        if let bound = fromIPv6.resolve(ipv6, port) { return bound }
        guard let prefix = ipv6Prefix, ipv6.high == prefix.address.high, let address = Self.embedded(ipv6.low) else { return nil }
        return (address, port)
    }

    /// The compact address left-aligned in `bits`, when the bytes after it are zero.
    private static func embedded(_ bits: UInt64) -> CompactAddress? {
        withUnsafeBytes(of: bits.bigEndian) { raw in
            guard let address = try? CompactAddress.decode(from: raw, at: 0),
                  bits << (8 * address.encodedLength) == 0  // `<<` past 63 bits gives 0
            else { return nil }
            return address
        }
    }
}
