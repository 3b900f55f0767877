import NewIPDataPlane
import NewIPWire

/// Addresses and route prefixes as a topology writes them, checked against the dialect:
/// in the compact dialect a compact address is a New IP interface and an IPv4 or IPv6
/// address a plain-IP one (ManyNets); the framework dialect carries any family in its header.
package enum AddressText {
    /// `0xDE00` or a decimal value (compact), `10.0.0.1`, `2001:db8::1`, or in the framework
    /// dialect a bare number 0–255 for its one-byte addresses.
    package static func address(_ text: String, dialect: PacketDialect) throws(UnitProblem) -> FrameworkAddress {
        switch dialect {
        case .compact:
            if let address = CompactAddress(text) { return .compact(address) }
            if let other = FrameworkAddress(text), other.type == .ipv4 || other.type == .ipv6 { return other }
            throw UnitProblem(problem: "`\(text)` is not a compact address",
                              fix: "write the encoded bytes in hex (0xDE00) or a decimal value (256), or an IPv4 or IPv6 address")
        case .framework:
            if let address = FrameworkAddress(text) { return address }
            throw UnitProblem(problem: "`\(text)` is not an address",
                              fix: "write a compact address (0xDE00), IPv4 (10.0.0.1), IPv6 (2001:db8::1) or a one-byte number (7)")
        }
    }

    /// `0xDE/8`, `10.0.0.0/8`, `2001:db8::/32`, an address (its exact prefix), or `default`
    /// (every family the dialect carries; on a plain-IP interface of a compact topology, pass
    /// its `network`: the default of that family).
    package static func prefixes(_ text: String, dialect: PacketDialect, network: Topology.Network = .newIP) throws(UnitProblem) -> [RoutePrefix] {
        if text == "default" {
            let all = RoutePrefix.compact(.all)
            switch network {
            case .ipv4: return [.ipv4(IPv4Prefix(address: .any, length: 0)!)]
            case .ipv6: return [.ipv6(IPv6Prefix(address: .unspecified, length: 0)!)]
            case .newIP: break
            }
            guard dialect == .framework else { return [all] }
            return [all, .ipv4(IPv4Prefix(address: .any, length: 0)!), .ipv6(IPv6Prefix(address: .unspecified, length: 0)!)]
        }
        guard text.contains("/") else { return [RoutePrefix(exactly: try address(text, dialect: dialect))] }
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let prefix = CompactAddressPrefix(text), ForwardingTable.canRoute(prefix) else {
                throw UnitProblem(problem: "`\(text)` is not a compact prefix that holds addresses",
                                  fix: "write hex bytes and a bit length such as 0xDE/8")
            }
            return [.compact(prefix)]
        }
        let other: RoutePrefix? = text.contains(":") ? IPv6Prefix(text).map(RoutePrefix.ipv6) : IPv4Prefix(text).map(RoutePrefix.ipv4)
        guard let other else {
            throw UnitProblem(problem: "`\(text)` is not a prefix", fix: "write e.g. 0xDE/8, 10.0.0.0/8 or 2001:db8::/32")
        }
        return [other]
    }

    /// A prefix as `prefixes` reads it back: a one-byte address is its number.
    package static func text(_ prefix: RoutePrefix) -> String {
        if case .eightBit(let value) = prefix { return String(value) }
        return prefix.description
    }
}

/// Route prefixes as written in node files and control requests.
public enum RouteText {
    /// `0x03` (exact), `0xDE/8`, `10.0.0.0/8`, `2001:db8::/32`, `7` (framework one-byte), as in
    /// topologies, and `default`: the compact `/0` (no IP family is ever implied).
    public static func prefix(_ text: String, dialect: PacketDialect) -> RoutePrefix? {
        if text == "default" { return .compact(.all) }
        return (try? AddressText.prefixes(text, dialect: dialect))?.first
    }

    /// The prefix as `prefix(_:dialect:)` reads it back.
    public static func text(_ prefix: RoutePrefix) -> String {
        if case .compact(let p) = prefix, p.length == 0 { return "default" }
        return AddressText.text(prefix)
    }
}
