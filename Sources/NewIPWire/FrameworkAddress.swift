/// The address-type byte of the framework shipping spec; it decides the address's length.
///
/// An open number space so that the value can always be named, but only the four listed
/// types can be decoded: an unknown type has an unknown length, so the rest of the header
/// cannot be found and the decoder refuses it.
public struct FrameworkAddressType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// IPv4, 4 bytes.
    public static let ipv4 = FrameworkAddressType(rawValue: 0)
    /// IPv6, 16 bytes.
    public static let ipv6 = FrameworkAddressType(rawValue: 1)
    /// One byte, for small non-IP islands.
    public static let eightBit = FrameworkAddressType(rawValue: 2)
    /// This project's extension: an OpenHarmony variable-length address (1–8 bytes,
    /// self-delimiting, see `CompactAddress`), so compact islands need no translation of
    /// their addresses when they cross a framework domain.
    public static let compact = FrameworkAddressType(rawValue: 3)

    /// Whether the decoder knows this type's layout.
    @inlinable
    public var isKnown: Bool { rawValue <= 3 }

    /// The name used in the shared vectors: `ipv4`, `ipv6`, `8bit`, `compact`; `type(N)` otherwise.
    public var name: String {
        switch rawValue {
        case 0: "ipv4"
        case 1: "ipv6"
        case 2: "8bit"
        case 3: "compact"
        default: "type(\(rawValue))"
        }
    }

    /// The type with `name` as printed by `name`, for the known types.
    public init?(name: String) {
        switch name {
        case "ipv4": self = .ipv4
        case "ipv6": self = .ipv6
        case "8bit": self = .eightBit
        case "compact": self = .compact
        default: return nil
        }
    }
}

extension FrameworkAddressType: CustomStringConvertible {
    public var description: String { name }
}

/// The cast byte of the framework shipping spec: how the destination is to be read.
///
/// Open: the cast does not change the layout, so an unknown value is decoded, kept, and
/// re-encoded unchanged; acting on it is the forwarding plane's decision.
public struct AddressCast: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unicast = AddressCast(rawValue: 0)
    public static let coordcast = AddressCast(rawValue: 1)
    public static let multicast = AddressCast(rawValue: 2)
    public static let broadcast = AddressCast(rawValue: 3)
    public static let groupcast = AddressCast(rawValue: 4)

    /// Whether the value is one of the five defined casts.
    @inlinable
    public var isKnown: Bool { rawValue <= 4 }

    /// `unicast`, `coordcast`, `multicast`, `broadcast`, `groupcast`; `cast(N)` otherwise.
    public var name: String {
        switch rawValue {
        case 0: "unicast"
        case 1: "coordcast"
        case 2: "multicast"
        case 3: "broadcast"
        case 4: "groupcast"
        default: "cast(\(rawValue))"
        }
    }

    public init?(name: String) {
        switch name {
        case "unicast": self = .unicast
        case "coordcast": self = .coordcast
        case "multicast": self = .multicast
        case "broadcast": self = .broadcast
        case "groupcast": self = .groupcast
        default: return nil
        }
    }
}

extension AddressCast: CustomStringConvertible {
    public var description: String { name }
}

/// One address of a framework shipping spec, tagged with its type.
public enum FrameworkAddress: Hashable, Sendable {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case eightBit(UInt8)
    case compact(CompactAddress)

    @inlinable
    public var type: FrameworkAddressType {
        switch self {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .eightBit: .eightBit
        case .compact: .compact
        }
    }

    /// Bytes on the wire (no length prefix: the type or the compact encoding delimits it).
    @inlinable
    public var encodedLength: Int {
        switch self {
        case .ipv4: 4
        case .ipv6: 16
        case .eightBit: 1
        case .compact(let address): address.encodedLength
        }
    }

    /// Writes the address at `offset`; the caller guarantees `encodedLength` bytes of room.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        switch self {
        case .ipv4(let address): address.encode(into: buffer, at: offset)
        case .ipv6(let address): address.encode(into: buffer, at: offset)
        case .eightBit(let value): buffer[offset] = value
        case .compact(let address): address.encode(into: buffer, at: offset)
        }
    }

    /// The length of an address of `type` at `offset` without building it, checking that its
    /// bytes are in `buffer` (and, for compact, that its encoding is valid). `field` names it
    /// in errors.
    @inlinable
    public static func length(of type: FrameworkAddressType, in buffer: UnsafeRawBufferPointer,
                              at offset: Int, field: StaticString) throws(WireError) -> Int {
        let length: Int
        switch type {
        case .ipv4: length = 4
        case .ipv6: length = 16
        case .eightBit: length = 1
        case .compact:
            do throws(WireError) {
                length = try CompactAddress.decode(from: buffer, at: offset).encodedLength
            } catch {
                throw renamed(error, field: field)
            }
        default:
            throw .malformed(field: "\(field)", at: offset, reason: "address type \(type.rawValue) is unknown, so is its length")
        }
        guard offset + length <= buffer.count else { throw .truncated(at: offset, needed: length) }
        return length
    }

    /// Reads an address of a known `type` whose bytes were checked by `length(of:in:at:field:)`.
    @inlinable
    public init(unchecked type: FrameworkAddressType, in buffer: UnsafeRawBufferPointer, at offset: Int) {
        switch type {
        case .ipv4: self = .ipv4(IPv4Address(unchecked: buffer, at: offset))
        case .ipv6: self = .ipv6(IPv6Address(unchecked: buffer, at: offset))
        case .eightBit: self = .eightBit(buffer[offset])
        default:
            let length = CompactAddress.encodedLength(forFirstByte: buffer[offset]) ?? 1
            self = .compact(CompactAddress(unchecked: CompactAddress.loadStorage(buffer, at: offset, length: length), length: length))
        }
    }

    @usableFromInline
    static func renamed(_ error: WireError, field: StaticString) -> WireError {
        if case .malformed(_, let at, let reason) = error { return .malformed(field: "\(field)", at: at, reason: reason) }
        return error
    }
}

extension FrameworkAddress: CustomStringConvertible, LosslessStringConvertible {
    /// Dotted IPv4, RFC 5952 IPv6, a decimal integer for 8-bit, `0x…` for compact.
    public var description: String {
        switch self {
        case .ipv4(let address): address.description
        case .ipv6(let address): address.description
        case .eightBit(let value): String(value)
        case .compact(let address): address.description
        }
    }

    /// Parses the text `description` prints; the form tells the type apart.
    public init?(_ text: String) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let address = CompactAddress(text) else { return nil }
            self = .compact(address)
        } else if text.contains(":") {
            guard let address = IPv6Address(text) else { return nil }
            self = .ipv6(address)
        } else if text.contains(".") {
            guard let address = IPv4Address(text) else { return nil }
            self = .ipv4(address)
        } else if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text == "0" || !text.hasPrefix("0"),
                  let value = UInt8(text) {
            self = .eightBit(value)
        } else {
            return nil
        }
    }

    /// Parses `text` as an address of a given type (`5` as 8-bit or as compact value 5).
    public init?(_ text: String, type: FrameworkAddressType) {
        switch type {
        case .ipv4: guard let a = IPv4Address(text) else { return nil }; self = .ipv4(a)
        case .ipv6: guard let a = IPv6Address(text) else { return nil }; self = .ipv6(a)
        case .eightBit: guard let v = UInt8(text) else { return nil }; self = .eightBit(v)
        case .compact: guard let a = CompactAddress(text) else { return nil }; self = .compact(a)
        default: return nil
        }
    }
}
