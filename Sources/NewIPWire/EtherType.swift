/// The 16-bit protocol number of an Ethernet II frame. Open: unknown values survive.
public struct EtherType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    /// The OpenHarmony compact header.
    public static let compactNewIP = EtherType(rawValue: 0xEADD)
    /// The Network 2030 framework header (shipping / contract / payload).
    public static let frameworkNewIP = EtherType(rawValue: 0x88B6)
}

extension EtherType: CustomStringConvertible {
    /// `0x` and four lowercase hex digits, as the shared vectors print it (`0x88b6`).
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

/// A 48-bit Ethernet MAC address, held in the low bits of a `UInt64` (no heap).
public struct EthernetAddress: RawRepresentable, Hashable, Comparable, Sendable {
    /// The six bytes, first one in bits 47…40; the top 16 bits are zero.
    public let rawValue: UInt64

    /// `nil` when `rawValue` has bits above the 48th set.
    @inlinable
    public init?(rawValue: UInt64) {
        guard rawValue >> 48 == 0 else { return nil }
        self.rawValue = rawValue
    }

    @inlinable
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        rawValue = UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24
            | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5)
    }

    public static let broadcast = EthernetAddress(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)

    /// Reads 6 bytes at `offset`; the caller has checked they are there.
    @inlinable
    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int) {
        self.init(buffer[offset], buffer[offset + 1], buffer[offset + 2],
                  buffer[offset + 3], buffer[offset + 4], buffer[offset + 5])
    }

    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        for i in 0..<6 { buffer[offset + i] = UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * i)) }
    }

    @inlinable
    public static func < (lhs: EthernetAddress, rhs: EthernetAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension EthernetAddress: CustomStringConvertible, LosslessStringConvertible {
    /// Lowercase, colon-separated: `d2:68:8b:e4:46:f1`.
    public var description: String {
        (0..<6).map { hexByteLower(UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * $0))) }.joined(separator: ":")
    }

    /// Parses six colon-separated two-digit hex bytes.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, let byte = parseHexBytes(part)?.first else { return nil }
            value = value << 8 | UInt64(byte)
        }
        rawValue = value
    }
}

/// The 14-byte Ethernet II header (no VLAN tag): destination, source, EtherType.
public struct EthernetFrame: Hashable, Sendable {
    public var destination: EthernetAddress
    public var source: EthernetAddress
    public var etherType: EtherType

    @inlinable
    public init(destination: EthernetAddress, source: EthernetAddress, etherType: EtherType) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }

    public static let headerLength = 14
    /// Where the network-layer header starts.
    public static let payloadOffset = 14

    /// Byte offsets of the fields.
    public enum Field {
        public static let destination = 0
        public static let source = 6
        public static let etherType = 12
    }

    /// Reads the header at the start of `bytes`; the payload is `bytes[14...]`.
    @inlinable
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= EthernetFrame.headerLength else { throw .truncated(at: 0, needed: EthernetFrame.headerLength) }
        destination = EthernetAddress(unchecked: bytes, at: Field.destination)
        source = EthernetAddress(unchecked: bytes, at: Field.source)
        etherType = EtherType(rawValue: UInt16(bytes[Field.etherType]) << 8 | UInt16(bytes[Field.etherType + 1]))
    }

    /// Writes the 14 bytes at `offset`; the caller guarantees the room.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        destination.encode(into: buffer, at: offset + Field.destination)
        source.encode(into: buffer, at: offset + Field.source)
        buffer.storeUInt16BE(etherType.rawValue, at: offset + Field.etherType)
    }
}
