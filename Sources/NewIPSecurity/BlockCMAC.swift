import Crypto
import _CryptoExtras

/// AES-CMAC (RFC 4493) assembled from swift-crypto's single-block `AES.permute`, for the
/// per-packet path only.
///
/// swift-crypto's `AES.CMAC` gives the same values (the tests check both against the RFC 4493
/// vectors and against each other) but costs about 1.4 µs and 6–10 heap allocations per MAC on
/// this project's machines (a BoringSSL context, a key schedule object and a `Data` per call),
/// against a budget of 200 ns for a whole verification. `AES.permute` allocates nothing. The
/// subkeys K1 and K2 are computed once per key.
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
        var state: (UInt64, UInt64) = (0, 0)
        let count = message.count
        let blocks = count == 0 ? 1 : (count + 15) / 16
        var offset = 0
        // Every block but the last.
        for _ in 0..<(blocks - 1) {
            state.0 ^= Self.load(message, offset)
            state.1 ^= Self.load(message, offset + 8)
            Self.encrypt(&state, key)
            offset += 16
        }
        // The last block: whole and XOR K1, or padded with 10…0 and XOR K2.
        let rest = count - offset
        var last: (UInt64, UInt64)
        if rest == 16 {
            last = (Self.load(message, offset) ^ k1.0, Self.load(message, offset + 8) ^ k1.1)
        } else {
            var bytes: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &bytes) { raw in
                for i in 0..<rest { raw[i] = message[offset + i] }
                raw[rest] = 0x80
            }
            last = (UInt64(bigEndian: bytes.0) ^ k2.0, UInt64(bigEndian: bytes.1) ^ k2.1)
        }
        state.0 ^= last.0
        state.1 ^= last.1
        Self.encrypt(&state, key)
        return state
    }

    @inlinable @inline(__always)
    static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// One AES block on the big-endian halves, in place.
    @inlinable
    static func encrypt(_ block: inout (UInt64, UInt64), _ key: SymmetricKey) {
        var bytes = (block.0.bigEndian, block.1.bigEndian)
        withUnsafeMutableBytes(of: &bytes) { raw in
            var buffer = raw.bindMemory(to: UInt8.self)
            try! AES.permute(&buffer, key: key)
        }
        block = (UInt64(bigEndian: bytes.0), UInt64(bigEndian: bytes.1))
    }

    /// Doubling in GF(2^128) (RFC 4493 section 2.3).
    @usableFromInline
    static func double(_ value: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let carry = value.0 >> 63
        return (value.0 << 1 | value.1 >> 63, value.1 << 1 ^ (carry * 0x87))
    }
}
