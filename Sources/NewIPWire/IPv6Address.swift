/// A 128-bit IPv6 address held in two `UInt64` halves (first byte most significant), so it
/// never allocates and orders as its wire bytes do.
///
/// Parsing accepts the full form, `::` compression and an embedded IPv4 tail
/// (`::ffff:10.0.0.1`); it refuses zone identifiers, more than 4 hex digits per group and
/// a `::` standing for nothing. Printing follows RFC 5952: lowercase, no leading zeros, the
/// longest run of two or more zero groups as `::` (the first on a tie), and an IPv4-mapped
/// address with a dotted tail (`::ffff:10.0.0.1`).
public struct IPv6Address: Hashable, Comparable, Sendable {
    /// Bytes 0–7.
    public var high: UInt64
    /// Bytes 8–15.
    public var low: UInt64

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From the eight 16-bit groups as written (`IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)`).
    @inlinable
    public init(_ g0: UInt16, _ g1: UInt16, _ g2: UInt16, _ g3: UInt16,
                _ g4: UInt16, _ g5: UInt16, _ g6: UInt16, _ g7: UInt16) {
        high = UInt64(g0) << 48 | UInt64(g1) << 32 | UInt64(g2) << 16 | UInt64(g3)
        low = UInt64(g4) << 48 | UInt64(g5) << 32 | UInt64(g6) << 16 | UInt64(g7)
    }

    /// Encoded length on the wire.
    public static let encodedLength = 16
    public static let unspecified = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    /// The IPv4-mapped address `::ffff:a.b.c.d`.
    @inlinable
    public init(ipv4Mapped address: IPv4Address) {
        self.init(high: 0, low: 0xFFFF << 32 | UInt64(address.rawValue))
    }

    /// The embedded address when this is IPv4-mapped (`::ffff:0:0/96`).
    @inlinable
    public var ipv4Mapped: IPv4Address? {
        high == 0 && low >> 32 == 0xFFFF ? IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)) : nil
    }

    /// Group `index` (0…7), 0 being the first on the wire.
    @inlinable
    public subscript(group index: Int) -> UInt16 {
        precondition(index >= 0 && index < 8, "group index out of range")
        let half = index < 4 ? high : low
        return UInt16(truncatingIfNeeded: half >> (48 - 16 * (index & 3)))
    }

    /// Byte `index` (0…15).
    @inlinable
    public subscript(byte index: Int) -> UInt8 {
        precondition(index >= 0 && index < 16, "byte index out of range")
        let half = index < 8 ? high : low
        return UInt8(truncatingIfNeeded: half >> (56 - 8 * (index & 7)))
    }

    /// Reads 16 bytes at `offset`; the caller has checked they are there.
    @inlinable
    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int) {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 {
            high = high << 8 | UInt64(buffer[offset + i])
            low = low << 8 | UInt64(buffer[offset + 8 + i])
        }
        self.init(high: high, low: low)
    }

    /// Reads the address at `offset`, or `nil` when fewer than 16 bytes remain.
    @inlinable
    public init?(loading buffer: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, offset <= buffer.count - 16 else { return nil }
        self.init(unchecked: buffer, at: offset)
    }

    /// Writes the 16 bytes at `offset`; the caller guarantees the room.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeUInt64BE(high, at: offset)
        buffer.storeUInt64BE(low, at: offset + 8)
    }

    @inlinable
    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension IPv6Address: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        if let v4 = ipv4Mapped { return "::ffff:\(v4)" }
        // Longest run of at least two zero groups; `>` keeps the first on a tie.
        var bestStart = -1, bestLength = 1
        var runStart = -1
        for i in 0...8 {
            if i < 8 && self[group: i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if i > 0 && i != bestStart + bestLength { text += ":" }
            text += String(self[group: i], radix: 16)
            i += 1
        }
        return text
    }

    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ IPv6Address.parse($0) }) else { return nil }
        self = value
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> IPv6Address? {
        let colon = UInt8(ascii: ":")
        let end = utf8.count
        guard end >= 2 else { return nil }
        // Groups before and after `::`, accumulated as 128-bit values.
        var head: UInt128 = 0, headCount = 0
        var tail: UInt128 = 0, tailCount = 0
        var compressed = false
        var i = 0
        if utf8[0] == colon {
            guard utf8[1] == colon else { return nil }
            compressed = true
            i = 2
        }
        while i < end {
            let groupStart = i
            var group: UInt16 = 0
            var digits = 0
            while i < end, let nibble = hexNibble(utf8[i]) {
                guard digits < 4 else { return nil }
                group = group << 4 | UInt16(nibble)
                digits += 1
                i += 1
            }
            var value: UInt128 = UInt128(group)
            var width = 1
            if i < end && utf8[i] == UInt8(ascii: ".") {
                // An IPv4 tail ends the address and stands for two groups.
                guard let v4 = IPv4Address.parse(utf8[groupStart..<end]) else { return nil }
                value = UInt128(v4)
                width = 2
                i = end
            } else if digits == 0 {
                return nil
            }
            if compressed {
                tail = tail << (16 * width) | value
                tailCount += width
            } else {
                head = head << (16 * width) | value
                headCount += width
            }
            guard headCount + tailCount <= 8 else { return nil }
            if i == end { break }
            guard utf8[i] == colon, i + 1 < end else { return nil }
            i += 1
            if utf8[i] == colon {
                guard !compressed else { return nil }
                compressed = true
                i += 1
            }
        }
        let total = headCount + tailCount
        guard compressed ? total <= 7 : total == 8 else { return nil }
        let value = headCount == 0 ? tail : head << (16 * (8 - headCount)) | tail
        return IPv6Address(high: UInt64(truncatingIfNeeded: value >> 64), low: UInt64(truncatingIfNeeded: value))
    }
}

/// An IPv6 network: an address with its host bits cleared and a prefix length (0…128).
///
/// Text form `2001:db8::/32`. The text parser refuses host bits; the memberwise initialiser
/// clears them.
public struct IPv6Prefix: Hashable, Comparable, Sendable {
    public let address: IPv6Address
    public let length: Int

    /// `nil` when `length` is outside 0…128; host bits of `address` are cleared.
    @inlinable
    public init?(address: IPv6Address, length: Int) {
        guard length >= 0 && length <= 128 else { return nil }
        self.length = length
        self.address = IPv6Prefix.masked(address, length)
    }

    @inlinable
    static func masked(_ address: IPv6Address, _ length: Int) -> IPv6Address {
        let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : .max << (64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : .max << (128 - length))
        return IPv6Address(high: address.high & highMask, low: address.low & lowMask)
    }

    @inlinable
    public func contains(_ other: IPv6Address) -> Bool {
        IPv6Prefix.masked(other, length) == address
    }

    /// Whether every address of `other` is in this prefix.
    @inlinable
    public func contains(_ other: IPv6Prefix) -> Bool {
        other.length >= length && contains(other.address)
    }

    @inlinable
    public static func < (lhs: IPv6Prefix, rhs: IPv6Prefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }
}

extension IPv6Prefix: CustomStringConvertible, LosslessStringConvertible {
    public var description: String { "\(address)/\(length)" }

    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let address = IPv6Address(String(text[..<slash])),
              let length = parsePrefixLength(text[text.index(after: slash)...], maximum: 128),
              let prefix = IPv6Prefix(address: address, length: length),
              prefix.address == address
        else { return nil }
        self = prefix
    }
}
