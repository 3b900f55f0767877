import NewIPDataPlane
import NewIPWire

/// A `RoutePrefix` on the wire: family (1 byte), length in bits (1 byte), then the prefix's
/// leading ⌈length/8⌉ bytes, left-aligned as the forwarding table keys them.
enum PrefixEncoding {
    enum Family: UInt8 {
        case compact = 0
        case eightBit = 1
        case ipv4 = 2
        case ipv6 = 3
    }

    static func encodedLength(_ prefix: RoutePrefix) -> Int { 2 + (parts(prefix).length + 7) / 8 }

    /// Family, length and the bits left-aligned in 128 bits.
    private static func parts(_ prefix: RoutePrefix) -> (family: Family, length: Int, bits: UInt128) {
        switch prefix {
        case .compact(let p): (.compact, p.length, UInt128(p.bits) << 64)
        case .eightBit(let value): (.eightBit, 8, UInt128(value) << 120)
        case .ipv4(let p): (.ipv4, p.length, UInt128(p.address.rawValue) << 96)
        case .ipv6(let p): (.ipv6, p.length, UInt128(p.address.high) << 64 | UInt128(p.address.low))
        }
    }

    static func encode(_ prefix: RoutePrefix, into writer: inout ControlWriter) {
        let (family, length, bits) = parts(prefix)
        writer.put8(family.rawValue)
        writer.put8(UInt8(length))
        for index in 0..<((length + 7) / 8) { writer.put8(UInt8(truncatingIfNeeded: bits >> (120 - 8 * index))) }
    }

    static func decode(_ reader: inout ControlReader) throws(WireError) -> RoutePrefix {
        let start = reader.offset
        let familyByte = try reader.uint8()
        guard let family = Family(rawValue: familyByte) else {
            throw .malformed(field: "prefix family", at: start, reason: "\(familyByte) is none of 0 (compact), 1 (eight-bit), 2 (IPv4), 3 (IPv6)")
        }
        let length = Int(try reader.uint8())
        let limit = switch family {
        case .compact: 64
        case .eightBit: 8
        case .ipv4: 32
        case .ipv6: 128
        }
        guard length <= limit, family != .eightBit || length == 8 else {
            throw .malformed(field: "prefix length", at: start + 1, reason: "\(length) bits does not fit family \(familyByte) (at most \(limit))")
        }
        var bits: UInt128 = 0
        for (index, byte) in try reader.read((length + 7) / 8).enumerated() { bits |= UInt128(byte) << (120 - 8 * index) }
        let mask: UInt128 = length == 0 ? 0 : ~UInt128(0) << (128 - length)
        guard bits & ~mask == 0 else {
            throw .malformed(field: "prefix", at: start + 2, reason: "bits set past the \(length)-bit length")
        }
        switch family {
        case .compact:
            let prefix = CompactAddressPrefix(bits: UInt64(bits >> 64), length: length)!
            guard ForwardingTable.canRoute(prefix) else {
                throw .malformed(field: "prefix", at: start + 2, reason: "compact prefix \(prefix) holds no address")
            }
            return .compact(prefix)
        case .eightBit: return .eightBit(UInt8(bits >> 120))
        case .ipv4: return .ipv4(IPv4Prefix(address: IPv4Address(rawValue: UInt32(bits >> 96)), length: length)!)
        case .ipv6:
            return .ipv6(IPv6Prefix(address: IPv6Address(high: UInt64(bits >> 64), low: UInt64(truncatingIfNeeded: bits)), length: length)!)
        }
    }
}
