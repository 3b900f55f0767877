/// A variable-length New IP address as the OpenHarmony stack encodes it: 1, 2, 3, 5, 7 or 8
/// bytes, the first byte saying how many follow.
///
/// | first byte | length | numeric range                  | extra rule                      |
/// |------------|--------|--------------------------------|---------------------------------|
/// | `00`–`DC`  | 1      | 0 … 220                        |                                 |
/// | `DD`–`F0`  | 2      | 221 … 5 119                    | after `DD` the byte is ≥ `DD`   |
/// | `F1`       | 3      | 5 120 … 65 535                 | second byte ≥ `14`              |
/// | `F2`       | 5      | 65 536 … 2³²−1                 | bytes 2–3 not both zero         |
/// | `F3`       | 7      | 2³² … 2⁴⁸−1                    | bytes 2–3 not both zero         |
/// | `FE`       | 8      | 7 free bytes                   |                                 |
/// | `FF`       | 2      | reserved public addresses      |                                 |
/// | `F4`–`FD`  | —      | invalid                        |                                 |
///
/// The extra rules forbid overlong encodings, so every value up to 2⁴⁸−1 has exactly one
/// encoding among the 1–7-byte forms. The 8-byte `FE` form has no such rule in the
/// reference: `FE00000000000001` is accepted and stands for the value 1 too, but as an
/// encoding it differs from `01` (equality and order are those of the encoded bytes), and
/// `init(value:)` only uses `FE` above 2⁴⁸−1.
/// The text form is the hex of the encoded bytes (`0xDE00`). The bytes live left-aligned in
/// one `UInt64`, so the type never allocates and compares as its encoded bytes do.
public struct CompactAddress: Hashable, Sendable {
    /// Encoded bytes, first byte in the most significant position, unused low bytes zero.
    public let storage: UInt64
    /// Number of encoded bytes (1…8).
    public let encodedLength: Int

    @usableFromInline
    init(unchecked storage: UInt64, length: Int) {
        self.storage = storage
        self.encodedLength = length
    }

    /// The encoded length announced by `firstByte`, or `nil` for the invalid range `F4`–`FD`.
    @inlinable
    public static func encodedLength(forFirstByte firstByte: UInt8) -> Int? {
        switch firstByte {
        case 0x00...0xDC: 1
        case 0xDD...0xF0: 2
        case 0xF1: 3
        case 0xF2: 5
        case 0xF3: 7
        case 0xFE: 8
        case 0xFF: 2
        default: nil
        }
    }

    /// Decodes one address at `offset`, reading only the bytes its first byte announces.
    @inlinable
    public static func decode(from buffer: UnsafeRawBufferPointer, at offset: Int) throws(WireError) -> CompactAddress {
        guard let first = buffer.byte(at: offset) else { throw .truncated(at: offset, needed: 1) }
        guard let length = encodedLength(forFirstByte: first) else {
            throw .malformed(field: "address", at: offset, reason: "first byte \(hexByte(first)) is in the invalid range F4–FD")
        }
        guard offset + length <= buffer.count else { throw .truncated(at: offset, needed: length) }
        let storage = loadStorage(buffer, at: offset, length: length)
        if !isCanonical(storage: storage, first: first) {
            throw .malformed(field: "address", at: offset, reason: overlongReason(first: first))
        }
        return CompactAddress(unchecked: storage, length: length)
    }

    /// The `length` bytes at `offset` (all inside `buffer`), left-aligned in the storage word:
    /// one unaligned load when 8 bytes are there to read.
    @inlinable @inline(__always)
    static func loadStorage(_ buffer: UnsafeRawBufferPointer, at offset: Int, length: Int) -> UInt64 {
        if offset &+ 8 <= buffer.count {
            return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) & ~UInt64(0) &<< (64 &- 8 &* length)
        }
        var storage: UInt64 = 0
        for i in 0..<length { storage |= UInt64(buffer[offset + i]) << (56 - 8 * i) }
        return storage
    }

    /// Whether an encoding with a valid first byte is the shortest one for its value (the
    /// reference refuses overlong forms).
    @inlinable @inline(__always)
    static func isCanonical(storage: UInt64, first: UInt8) -> Bool {
        let second = UInt8(truncatingIfNeeded: storage >> 48)
        let third = UInt8(truncatingIfNeeded: storage >> 40)
        switch first {
        case 0xDD: return second >= 0xDD
        case 0xF1: return second >= 0x14
        case 0xF2, 0xF3: return second != 0 || third != 0
        default: return true
        }
    }

    @usableFromInline
    static func overlongReason(first: UInt8) -> String {
        switch first {
        case 0xDD: "DD must be followed by a byte ≥ DD (values below 221 use one byte)"
        case 0xF1: "F1 must be followed by a byte ≥ 14 (values below 5120 are shorter)"
        case 0xF2: "F2 0000 is overlong (values below 65536 are shorter)"
        default: "F3 0000 is overlong (values below 2^32 are shorter)"
        }
    }

    /// Parses exactly one address from `bytes`; extra or missing bytes are an error.
    public init(encoded bytes: some Collection<UInt8>) throws(WireError) {
        let array = Array(bytes)
        let result: Result<CompactAddress, WireError> = array.withUnsafeBytes { raw in
            do throws(WireError) { return .success(try CompactAddress.decode(from: raw, at: 0)) } catch { return .failure(error) }
        }
        let address = try result.get()
        guard address.encodedLength == array.count else {
            throw .malformed(field: "address", at: address.encodedLength,
                             reason: "\(array.count - address.encodedLength) byte(s) after a \(address.encodedLength)-byte address")
        }
        self = address
    }

    /// The address with numeric value `value` in its one valid encoding, or `nil` when the
    /// value needs more than the 7 free bytes of the 8-byte form.
    public init?(value: UInt64) {
        switch value {
        case 0...220:
            self.init(unchecked: value << 56, length: 1)
        case 221...5119:
            let first = 0xDD + (value >> 8), second = value & 0xFF
            self.init(unchecked: first << 56 | second << 48, length: 2)
        case 5120...0xFFFF:
            self.init(unchecked: 0xF1 << 56 | value << 40, length: 3)
        case 0x1_0000...0xFFFF_FFFF:
            self.init(unchecked: 0xF2 << 56 | value << 24, length: 5)
        case 0x1_0000_0000...0xFFFF_FFFF_FFFF:
            self.init(unchecked: 0xF3 << 56 | value << 8, length: 7)
        case 0x1_0000_0000_0000...0xFF_FFFF_FFFF_FFFF:
            self.init(unchecked: 0xFE << 56 | value, length: 8)
        default:
            return nil
        }
    }

    /// One of the reserved two-byte public addresses `FFxx`.
    public static func reserved(_ low: UInt8) -> CompactAddress {
        CompactAddress(unchecked: 0xFF << 56 | UInt64(low) << 48, length: 2)
    }

    public static let loopback = reserved(0x00)
    public static let addressResolution = reserved(0x04)
    public static let any = reserved(0x09)

    /// The first encoded byte.
    @inlinable public var firstByte: UInt8 { UInt8(truncatingIfNeeded: storage >> 56) }

    /// Whether this is a reserved public address (`FFxx`).
    @inlinable public var isReserved: Bool { firstByte == 0xFF }

    /// The numeric value the encoding stands for; `nil` for reserved public addresses.
    public var value: UInt64? {
        let payloadBits = 8 * (encodedLength - 1)
        let rest = payloadBits == 0 ? 0 : (storage << 8) >> (64 - payloadBits)
        switch firstByte {
        case 0x00...0xDC: return UInt64(firstByte)
        case 0xDD...0xF0: return UInt64(firstByte - 0xDD) << 8 | rest
        case 0xFF: return nil
        default: return rest
        }
    }

    /// Byte `index` (0-based) of the encoding.
    @inlinable
    public subscript(byte index: Int) -> UInt8 {
        precondition(index >= 0 && index < encodedLength, "byte index out of range")
        return UInt8(truncatingIfNeeded: storage >> (56 - 8 * index))
    }

    /// The encoded bytes.
    public var bytes: [UInt8] { (0..<encodedLength).map { self[byte: $0] } }

    /// Writes the encoding at `offset`; the caller guarantees `encodedLength` bytes of room.
    @inlinable @inline(__always)
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + encodedLength <= buffer.count, "no room for the address")
        // Whole-word stores of the big-endian bytes: lengths are 1, 2, 3, 5, 7 or 8.
        let base = buffer.baseAddress! + offset
        switch encodedLength {
        case 1:
            base.storeBytes(of: UInt8(truncatingIfNeeded: storage >> 56), as: UInt8.self)
        case 2:
            base.storeBytes(of: UInt16(truncatingIfNeeded: storage >> 48).bigEndian, as: UInt16.self)
        case 3:
            base.storeBytes(of: UInt16(truncatingIfNeeded: storage >> 48).bigEndian, as: UInt16.self)
            (base + 2).storeBytes(of: UInt8(truncatingIfNeeded: storage >> 40), as: UInt8.self)
        case 5:
            base.storeBytes(of: UInt32(truncatingIfNeeded: storage >> 32).bigEndian, as: UInt32.self)
            (base + 4).storeBytes(of: UInt8(truncatingIfNeeded: storage >> 24), as: UInt8.self)
        case 7:
            base.storeBytes(of: UInt32(truncatingIfNeeded: storage >> 32).bigEndian, as: UInt32.self)
            (base + 4).storeBytes(of: UInt16(truncatingIfNeeded: storage >> 16).bigEndian, as: UInt16.self)
            (base + 6).storeBytes(of: UInt8(truncatingIfNeeded: storage >> 8), as: UInt8.self)
        default:
            base.storeBytes(of: storage.bigEndian, as: UInt64.self)
        }
    }

    /// Lowercase hex of the encoded bytes without prefix, as the shared vectors print it.
    public var hex: String { bytes.map(hexByteLower).joined() }
}

extension CompactAddress: Comparable {
    /// Orders as the encoded byte strings compare (a proper prefix sorts first).
    public static func < (lhs: CompactAddress, rhs: CompactAddress) -> Bool {
        (lhs.storage, lhs.encodedLength) < (rhs.storage, rhs.encodedLength)
    }
}

extension CompactAddress: CustomStringConvertible, LosslessStringConvertible {
    /// `0x` and the uppercase hex of the encoded bytes, e.g. `0xDE00`.
    public var description: String { "0x" + bytes.map(hexByte).joined() }

    /// Parses `0xDE00` / `de00` (hex of the encoded bytes) or a decimal numeric value (`256`).
    public init?(_ text: String) {
        if let hexBytes = parseHexBytes(text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text),
           text.hasPrefix("0x") || text.hasPrefix("0X") || !text.allSatisfy(\.isNumber) {
            guard let address = try? CompactAddress(encoded: hexBytes) else { return nil }
            self = address
        } else if let number = UInt64(text), let address = CompactAddress(value: number) {
            self = address
        } else {
            return nil
        }
    }
}

@usableFromInline
func hexByte(_ byte: UInt8) -> String {
    let digits: [Character] = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

func hexByteLower(_ byte: UInt8) -> String { hexByte(byte).lowercased() }

/// Bytes from a string of hex digit pairs, or `nil` if it is not one.
public func parseHexBytes(_ text: some StringProtocol) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
        guard let high = hexNibble(utf8[i]), let low = hexNibble(utf8[i + 1]) else { return nil }
        out.append(high << 4 | low)
        i += 2
    }
    return out
}

/// The value of one hex digit (either case).
@inline(__always)
func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}
