import Crypto
import NewIPWire

/// Self-certifying addresses (open mode), in the manner of IPv6 CGAs (RFC 3972) and HIP HITs:
/// the bits after a network prefix are a hash of the prefix and the owner's public key, so
/// anyone holding the key (carried in a packet or shown at enrolment) can check that the address
/// belongs to it, with no authority involved.
///
/// ```
/// H = SHA-256("swift-newip self-certifying address v1" ‖ 0x00 ‖ type ‖ L ‖ p ‖ prefix ‖ key ‖ modifier)
/// address = the first p bits of the prefix ‖ the first 8·L − p bits of H
/// ```
///
/// `type` is the framework address type (0 IPv4, 1 IPv6, 2 8-bit, 3 compact), `L` the address
/// length in bytes, `p` the prefix length in bits, `prefix` the L address bytes with every bit
/// past `p` zero, `key` the 32-byte Ed25519 public key, `modifier` one byte. A compact address
/// must stay a valid (canonical) encoding: `generate` tries modifiers 0, 1, … until it is. A
/// compact prefix must cover the first byte, which fixes the address length.
public enum SelfCertifyingAddress {
    public static let tag: [UInt8] = Array("swift-newip self-certifying address v1".utf8) + [0]

    /// The address under `prefix` (its first `prefixLength` bits; the rest of `prefix` is
    /// ignored) for `publicKey` and `modifier`; `nil` when the result is not a valid address
    /// (a compact encoding that is not canonical) or the prefix is unusable.
    public static func address(prefix: FrameworkAddress, prefixLength: Int, publicKey: [UInt8], modifier: UInt8) -> FrameworkAddress? {
        var bytes = [UInt8](repeating: 0, count: prefix.encodedLength)
        bytes.withUnsafeMutableBytes { prefix.encode(into: $0, at: 0) }
        return address(type: prefix.type, prefixBytes: bytes, prefixLength: prefixLength, publicKey: publicKey, modifier: modifier)
    }

    /// The address of `type` whose first `prefixLength` bits are those of `prefixBytes` (which
    /// has the address's length) for `publicKey` and `modifier`.
    public static func address(type: FrameworkAddressType, prefixBytes: [UInt8], prefixLength: Int,
                               publicKey: [UInt8], modifier: UInt8) -> FrameworkAddress? {
        let length = prefixBytes.count
        guard publicKey.count == 32, length > 0, prefixLength >= 0, prefixLength <= 8 * length else { return nil }
        switch type {
        case .ipv4: guard length == 4 else { return nil }
        case .ipv6: guard length == 16 else { return nil }
        case .eightBit: guard length == 1 else { return nil }
        case .compact:
            guard prefixLength >= 8, prefixBytes[0] != 0xFF,
                  CompactAddress.encodedLength(forFirstByte: prefixBytes[0]) == length else { return nil }
        default: return nil
        }
        var bytes = prefixBytes
        for bit in prefixLength..<(8 * length) { bytes[bit / 8] &= ~(0x80 >> UInt8(bit % 8)) }
        var hasher = SHA256()
        hasher.update(data: tag)
        hasher.update(data: [type.rawValue, UInt8(length), UInt8(prefixLength)])
        hasher.update(data: bytes)
        hasher.update(data: publicKey)
        hasher.update(data: [modifier])
        let digest = Array(hasher.finalize())
        for bit in prefixLength..<(8 * length) {
            let h = bit - prefixLength
            if digest[h / 8] & (0x80 >> UInt8(h % 8)) != 0 { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        }
        switch type {
        case .ipv4: return .ipv4(IPv4Address(bytes[0], bytes[1], bytes[2], bytes[3]))
        case .ipv6: return bytes.withUnsafeBytes { IPv6Address(loading: $0, at: 0) }.map(FrameworkAddress.ipv6)
        case .eightBit: return .eightBit(bytes[0])
        default:
            guard let compact = try? CompactAddress(encoded: bytes), !compact.isReserved else { return nil }
            return .compact(compact)
        }
    }

    /// The first valid address under the prefix for `publicKey`, and its modifier.
    public static func generate(prefix: FrameworkAddress, prefixLength: Int, publicKey: [UInt8]) -> (address: FrameworkAddress, modifier: UInt8)? {
        var bytes = [UInt8](repeating: 0, count: prefix.encodedLength)
        bytes.withUnsafeMutableBytes { prefix.encode(into: $0, at: 0) }
        return generate(type: prefix.type, prefixBytes: bytes, prefixLength: prefixLength, publicKey: publicKey)
    }

    static func generate(type: FrameworkAddressType, prefixBytes: [UInt8], prefixLength: Int,
                         publicKey: [UInt8]) -> (address: FrameworkAddress, modifier: UInt8)? {
        for modifier in UInt8.min...UInt8.max {
            if let address = address(type: type, prefixBytes: prefixBytes, prefixLength: prefixLength,
                                     publicKey: publicKey, modifier: modifier) {
                return (address, modifier)
            }
        }
        return nil
    }

    /// Compact: the address under a compact prefix of at least 8 bits (the first byte fixes
    /// the address length), and its modifier.
    public static func generate(prefix: CompactAddressPrefix, publicKey: [UInt8]) -> (address: CompactAddress, modifier: UInt8)? {
        guard prefix.length >= 8,
              let length = CompactAddress.encodedLength(forFirstByte: UInt8(truncatingIfNeeded: prefix.bits >> 56)),
              prefix.length <= 8 * length else { return nil }
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: prefix.bits >> UInt64(56 - 8 * $0)) }
        guard let (address, modifier) = generate(type: .compact, prefixBytes: bytes, prefixLength: prefix.length, publicKey: publicKey),
              case .compact(let compact) = address else { return nil }
        return (compact, modifier)
    }

    /// Whether `address` is the self-certifying address of `publicKey` with `modifier` under its
    /// own first `prefixLength` bits.
    public static func verify(_ address: FrameworkAddress, prefixLength: Int, publicKey: [UInt8], modifier: UInt8) -> Bool {
        publicKey.withUnsafeBytes { verify(address, prefixLength: prefixLength, publicKey: $0, modifier: modifier) }
    }

    /// `verify` with the key where it lies (a first hop's path: the key in the packet's bytes).
    /// The hash input is assembled on the stack; the digest context is swift-crypto's one
    /// allocation. An address whose suffix is the hash's is the derived address itself, so it
    /// is a valid (canonical) one.
    public static func verify(_ address: FrameworkAddress, prefixLength: Int, publicKey key: UnsafeRawBufferPointer,
                              modifier: UInt8) -> Bool {
        let length = address.encodedLength
        guard key.count == 32, prefixLength >= 0, prefixLength <= 8 * length else { return false }
        if case .compact(let compact) = address, prefixLength < 8 || compact.isReserved { return false }
        return withUnsafeTemporaryAllocation(byteCount: 2 * 16 + 3 + 1, alignment: 8) { buffer in
            let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            address.encode(into: bytes, at: 0)
            let prefix = UnsafeMutableRawBufferPointer(rebasing: buffer[16..<(16 + length)])
            prefix.copyMemory(from: UnsafeRawBufferPointer(bytes))
            for bit in prefixLength..<(8 * length) { prefix[bit / 8] &= ~(0x80 >> UInt8(bit % 8)) }
            buffer[32] = address.type.rawValue
            buffer[33] = UInt8(length)
            buffer[34] = UInt8(prefixLength)
            buffer[35] = modifier
            var hasher = SHA256()
            tag.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[32..<35]))
            hasher.update(bufferPointer: UnsafeRawBufferPointer(prefix))
            hasher.update(bufferPointer: key)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[35..<36]))
            return hasher.finalize().withUnsafeBytes { digest in
                for bit in prefixLength..<(8 * length) {
                    let h = bit - prefixLength
                    let hashBit = digest[h / 8] & (0x80 >> UInt8(h % 8)) != 0
                    let addressBit = bytes[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0
                    if hashBit != addressBit { return false }
                }
                return true
            }
        }
    }
}
