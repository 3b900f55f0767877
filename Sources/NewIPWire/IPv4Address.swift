/// A 32-bit IPv4 address held in one `UInt32` (first octet most significant), so it never
/// allocates and orders as its wire bytes do.
///
/// Text form: dotted quad (`10.0.1.2`). Parsing is strict: exactly four decimal octets, no
/// leading zeros (`010` is refused because `inet_aton` would read it as octal), no whitespace.
public struct IPv4Address: RawRepresentable, Hashable, Comparable, Sendable {
    /// The address, first octet in the most significant byte.
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Encoded length on the wire.
    public static let encodedLength = 4
    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: .max)

    /// Octet `index` (0…3), 0 being the first on the wire.
    @inlinable
    public subscript(octet index: Int) -> UInt8 {
        precondition(index >= 0 && index < 4, "octet index out of range")
        return UInt8(truncatingIfNeeded: rawValue >> (24 - 8 * index))
    }

    /// Reads 4 bytes at `offset`; the caller has checked they are there.
    @inlinable
    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int) {
        self.init(buffer[offset], buffer[offset + 1], buffer[offset + 2], buffer[offset + 3])
    }

    /// Reads the address at `offset`, or `nil` when fewer than 4 bytes remain.
    @inlinable
    public init?(loading buffer: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, offset <= buffer.count - 4 else { return nil }
        self.init(unchecked: buffer, at: offset)
    }

    /// Writes the 4 bytes at `offset`; the caller guarantees the room.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: rawValue >> (24 - 8 * i)) }
    }

    @inlinable
    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension IPv4Address: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        "\(self[octet: 0]).\(self[octet: 1]).\(self[octet: 2]).\(self[octet: 3])"
    }

    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ IPv4Address.parse($0[...]) }) else { return nil }
        rawValue = value
    }

    /// Parses a whole dotted quad from UTF-8 bytes (shared with the IPv6 parser's IPv4 tail).
    static func parse(_ utf8: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var octet: UInt32 = 0
        var digits = 0
        var index = utf8.startIndex
        while true {
            let atEnd = index == utf8.endIndex
            let c = atEnd ? UInt8(ascii: ".") : utf8[index]
            if c == UInt8(ascii: ".") {
                guard digits > 0, octets < 4 else { return nil }
                value = value << 8 | octet
                octets += 1
                if atEnd { break }
                octet = 0
                digits = 0
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                // A leading zero is only allowed as the whole octet.
                guard digits < 3, !(digits == 1 && octet == 0) else { return nil }
                octet = octet * 10 + UInt32(c - UInt8(ascii: "0"))
                guard octet <= 255 else { return nil }
                digits += 1
            } else {
                return nil
            }
            index += 1
        }
        return octets == 4 ? value : nil
    }
}

/// An IPv4 network: an address with its host bits cleared and a prefix length (0…32).
///
/// Text form `10.0.0.0/8`. The text parser refuses host bits (`10.0.0.1/8`), which usually
/// mean a typo; the memberwise initialiser clears them.
public struct IPv4Prefix: Hashable, Comparable, Sendable {
    public let address: IPv4Address
    public let length: Int

    /// `nil` when `length` is outside 0…32; host bits of `address` are cleared.
    @inlinable
    public init?(address: IPv4Address, length: Int) {
        guard length >= 0 && length <= 32 else { return nil }
        self.length = length
        self.address = IPv4Address(rawValue: address.rawValue & IPv4Prefix.mask(length))
    }

    /// The netmask for `length` (0…32) as a host-order integer.
    @inlinable
    static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - length)
    }

    /// The netmask as an address (`255.0.0.0` for /8).
    @inlinable
    public var netmask: IPv4Address { IPv4Address(rawValue: IPv4Prefix.mask(length)) }

    @inlinable
    public func contains(_ other: IPv4Address) -> Bool {
        other.rawValue & IPv4Prefix.mask(length) == address.rawValue
    }

    /// Whether every address of `other` is in this prefix.
    @inlinable
    public func contains(_ other: IPv4Prefix) -> Bool {
        other.length >= length && contains(other.address)
    }

    @inlinable
    public static func < (lhs: IPv4Prefix, rhs: IPv4Prefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }
}

extension IPv4Prefix: CustomStringConvertible, LosslessStringConvertible {
    public var description: String { "\(address)/\(length)" }

    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let address = IPv4Address(String(text[..<slash])),
              let length = parsePrefixLength(text[text.index(after: slash)...], maximum: 32),
              let prefix = IPv4Prefix(address: address, length: length),
              prefix.address == address
        else { return nil }
        self = prefix
    }
}

/// A prefix length in decimal without sign or leading zeros, at most `maximum`.
func parsePrefixLength(_ text: Substring, maximum: Int) -> Int? {
    guard !text.isEmpty, text.count <= 3, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
          text == "0" || !text.hasPrefix("0"),
          let value = Int(text), value <= maximum
    else { return nil }
    return value
}
