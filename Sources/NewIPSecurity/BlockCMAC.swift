import Crypto
import _CryptoExtras

/// AES-CMAC (RFC 4493) assembled from swift-crypto's single-block `AES.permute`: the
/// per-packet path on a CPU without AES-NI (with AES-NI, `AESNI` and CNewIPAES do the work).
///
/// swift-crypto's `AES.CMAC` gives the same values (the tests check both against the RFC 4493
/// vectors and against each other) but costs about 1.4 µs and 6–10 heap allocations per MAC on
/// this project's machines (a BoringSSL context, a key schedule object and a `Data` per call).
/// `AES.permute` allocates nothing but expands the key again for every block (about 2.5 µs for
/// a 100-byte packet). The subkeys K1 and K2 are computed once per key.
public struct BlockCMAC: Sendable {
    public let key: SymmetricKey
    @usableFromInline let k1: (UInt64, UInt64)
    @usableFromInline let k2: (UInt64, UInt64)

    /// `key`: 128, 192 or 256 bits.
    public init(key: SymmetricKey) {
        self.key = key
        var l: (UInt64, UInt64) = (0, 0)
        Self.encrypt(&l, key)
        k1 = Self.double(l)
        k2 = Self.double(k1)
    }

    /// The full 16-byte tag of `message`, as two big-endian halves.
    @inlinable
    public func tag(_ message: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { block in
            let raw = UnsafeMutableRawBufferPointer(block)
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            let count = message.count
            let blocks = count == 0 ? 1 : (count + 15) / 16
            var offset = 0
            // Every block but the last: state ^= block, state = AES(state).
            for _ in 0..<(blocks - 1) {
                Self.xor(raw, Self.load(message, offset), Self.load(message, offset + 8))
                Self.encrypt(block, key)
                offset += 16
            }
            // The last block: whole and XOR K1, or padded with 10…0 and XOR K2.
            let rest = count - offset
            if rest == 16 {
                Self.xor(raw, Self.load(message, offset) ^ k1.0, Self.load(message, offset + 8) ^ k1.1)
            } else {
                var high: UInt64 = 0, low: UInt64 = 0
                for i in 0..<rest {
                    let byte = UInt64(message[offset + i])
                    if i < 8 { high |= byte << (56 - 8 * i) } else { low |= byte << (120 - 8 * i) }
                }
                if rest < 8 { high |= 0x80 << (56 - 8 * rest) } else { low |= 0x80 << (120 - 8 * rest) }
                Self.xor(raw, high ^ k2.0, low ^ k2.1)
            }
            Self.encrypt(block, key)
            return (Self.load(UnsafeRawBufferPointer(raw), 0), Self.load(UnsafeRawBufferPointer(raw), 8))
        }
    }

    @inlinable @inline(__always)
    static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    static func xor(_ state: UnsafeMutableRawBufferPointer, _ high: UInt64, _ low: UInt64) {
        state.storeBytes(of: (load(UnsafeRawBufferPointer(state), 0) ^ high).bigEndian, toByteOffset: 0, as: UInt64.self)
        state.storeBytes(of: (load(UnsafeRawBufferPointer(state), 8) ^ low).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// One AES block in place.
    @inlinable @inline(__always)
    static func encrypt(_ block: UnsafeMutableBufferPointer<UInt8>, _ key: SymmetricKey) {
        var block = block
        try! AES.permute(&block, key: key)
    }

    /// One AES block on big-endian halves (subkey generation).
    @usableFromInline
    static func encrypt(_ value: inout (UInt64, UInt64), _ key: SymmetricKey) {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: value.0 >> (56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: value.1 >> (56 - 8 * i))
        }
        try! AES.permute(&bytes, key: key)
        value = (bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// Doubling in GF(2^128) (RFC 4493 section 2.3).
    @usableFromInline
    static func double(_ value: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let carry = value.0 >> 63
        return (value.0 << 1 | value.1 >> 63, value.1 << 1 ^ (carry * 0x87))
    }
}
