import NewIPWire

/// The destination side of a forwarding-table entry, in any of the address families a New IP
/// router forwards on.
public enum RoutePrefix: Hashable, Sendable {
    case compact(CompactAddressPrefix)
    case ipv4(IPv4Prefix)
    case ipv6(IPv6Prefix)
    /// The framework's one-byte addresses: exact match, there are only 256.
    case eightBit(UInt8)
}

extension RoutePrefix {
    /// The prefix holding exactly `address`.
    public init(exactly address: FrameworkAddress) {
        switch address {
        case .compact(let a): self = .compact(CompactAddressPrefix(exactly: a))
        case .ipv4(let a): self = .ipv4(IPv4Prefix(address: a, length: 32)!)
        case .ipv6(let a): self = .ipv6(IPv6Prefix(address: a, length: 128)!)
        case .eightBit(let value): self = .eightBit(value)
        }
    }

    /// Whether this is an IPv4 or IPv6 prefix.
    public var isIP: Bool {
        switch self {
        case .ipv4, .ipv6: true
        case .compact, .eightBit: false
        }
    }
}

extension RoutePrefix: CustomStringConvertible {
    public var description: String {
        switch self {
        case .compact(let prefix): prefix.description
        case .ipv4(let prefix): prefix.description
        case .ipv6(let prefix): prefix.description
        case .eightBit(let value): "8bit \(value)"
        }
    }
}

extension RoutePrefix: Comparable {
    /// Compact, then eight-bit, IPv4, IPv6; within a family by bits, then shorter first.
    public static func < (lhs: RoutePrefix, rhs: RoutePrefix) -> Bool {
        switch (lhs, rhs) {
        case (.compact(let l), .compact(let r)): (l.bits, l.length) < (r.bits, r.length)
        case (.eightBit(let l), .eightBit(let r)): l < r
        case (.ipv4(let l), .ipv4(let r)): l < r
        case (.ipv6(let l), .ipv6(let r)): l < r
        default: lhs.familyOrder < rhs.familyOrder
        }
    }

    private var familyOrder: Int {
        switch self {
        case .compact: 0
        case .eightBit: 1
        case .ipv4: 2
        case .ipv6: 3
        }
    }
}
