/// A routing prefix over compact addresses: the first `length` bits of the encoded bytes.
///
/// Because the first byte of an encoding fixes its length, prefixes of different lengths
/// naturally describe different address sizes: `0xDE/8` holds the 256 two-byte addresses
/// `DE00`…`DEFF`, `0x05/8` is the single one-byte address `05`, and `0xF2/8` every five-byte
/// address. The empty prefix (`/0`) holds everything. Text form: `0xDE/8`, `0xF20001/24`.
public struct CompactAddressPrefix: Hashable, Sendable {
    /// Prefix bits, left-aligned like `CompactAddress.storage`; bits past `length` are zero.
    public let bits: UInt64
    /// Number of significant bits (0…64).
    public let length: Int

    /// The prefix of `address` with `length` bits (at most the address's encoded bits).
    public init?(_ address: CompactAddress, length: Int) {
        guard length >= 0, length <= 8 * address.encodedLength else { return nil }
        self.bits = address.storage & Self.mask(length)
        self.length = length
    }

    /// The prefix holding exactly `address`.
    public init(exactly address: CompactAddress) {
        self.bits = address.storage
        self.length = 8 * address.encodedLength
    }

    /// The prefix that holds every address.
    public static let all = CompactAddressPrefix(uncheckedBits: 0, length: 0)

    init(uncheckedBits bits: UInt64, length: Int) {
        self.bits = bits
        self.length = length
    }

    /// The prefix of `length` bits (0…64) held left-aligned in `bits`; `nil` when `bits` has a
    /// bit set past the length.
    public init?(bits: UInt64, length: Int) {
        guard (0...64).contains(length), bits & ~Self.mask(length) == 0 else { return nil }
        self.init(uncheckedBits: bits, length: length)
    }

    @inlinable
    public static func mask(_ length: Int) -> UInt64 {
        length == 0 ? 0 : ~UInt64(0) << (64 - length)
    }

    /// Whether `address` starts with this prefix (and is at least as long).
    @inlinable
    public func contains(_ address: CompactAddress) -> Bool {
        length <= 8 * address.encodedLength && address.storage & Self.mask(length) == bits
    }

    /// Whether every address in `other` is also in this prefix.
    @inlinable
    public func contains(_ other: CompactAddressPrefix) -> Bool {
        length <= other.length && other.bits & Self.mask(length) == bits
    }
}

extension CompactAddressPrefix: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        let byteCount = (length + 7) / 8
        let hex = (0..<byteCount).map { hexByte(UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0))) }.joined()
        return "0x\(hex)/\(length)"
    }

    /// Parses `0xDE/8` (hex bytes, then the bit length) or a bare address (a full-length prefix).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 1 {
            guard let address = CompactAddress(text) else { return nil }
            self.init(exactly: address)
            return
        }
        guard parts.count == 2, let length = Int(parts[1]), (0...64).contains(length) else { return nil }
        var hex = parts[0]
        if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex = hex.dropFirst(2) }
        guard let bytes = parseHexBytes(hex), bytes.count <= 8, bytes.count == (length + 7) / 8 else { return nil }
        var bits: UInt64 = 0
        for (i, byte) in bytes.enumerated() { bits |= UInt64(byte) << (56 - 8 * i) }
        self.init(bits: bits, length: length)
    }
}
