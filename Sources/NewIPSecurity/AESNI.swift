import CNewIPAES
import Crypto

/// AES-CMAC with AES-128 keys on AES-NI (the C target CNewIPAES), for the per-packet path.
///
/// swift-crypto offers AES only per call (`AES.permute` expands the key for every block, and
/// `AES.CMAC` allocates a context and a `Data` per MAC): about 3 µs per verification, against a
/// budget of 200 ns. CNewIPAES is the project's one hand-written primitive; it is checked
/// against FIPS-197, RFC 4493 and swift-crypto's `AES.CMAC` (AESNITests). On a CPU without
/// AES-NI (or another architecture) `available` is false and everything goes through
/// `BlockCMAC` (swift-crypto) instead, with the same results.
@usableFromInline
enum AESNI {
    /// Whether this CPU has AES-NI (CPUID, checked once).
    @usableFromInline static let available: Bool = newip_aes_ni_available() != 0

    /// The round keys and CMAC subkeys of a 16-byte key. Only when `available`.
    @usableFromInline
    static func key(_ bytes: UnsafeRawBufferPointer) -> newip_cmac_key {
        precondition(bytes.count == 16, "an AES-128 key is 16 bytes")
        var key = newip_cmac_key()
        newip_cmac_key_init(&key, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        return key
    }

    @usableFromInline
    static func key(_ key: SymmetricKey) -> newip_cmac_key {
        key.withUnsafeBytes { Self.key($0) }
    }

    /// The full 16-byte tag, as two big-endian halves (as `BlockCMAC.tag`).
    @usableFromInline
    static func tag(_ key: borrowing newip_cmac_key, _ message: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var tag: (UInt64, UInt64) = (0, 0)
        withUnsafePointer(to: key) { key in
            withUnsafeMutableBytes(of: &tag) { out in
                newip_cmac(key, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                           out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return (UInt64(bigEndian: tag.0), UInt64(bigEndian: tag.1))
    }

    /// One AES-128 block (the FIPS-197 check).
    static func encrypt(_ key: borrowing newip_cmac_key, _ block: [UInt8]) -> [UInt8] {
        precondition(block.count == 16)
        var out = [UInt8](repeating: 0, count: 16)
        withUnsafePointer(to: key) { key in newip_aes128_encrypt(key, block, &out) }
        return out
    }

    /// The first 8 bytes, big-endian, of AES-CMAC(AES-CMAC(`prf`, `derivation`), `message`):
    /// a source key derived and used in one call, never leaving the stack.
    @usableFromInline
    static func derivedMAC(_ prf: UnsafePointer<newip_cmac_key>, derivation: UnsafeRawBufferPointer,
                           message: UnsafeRawBufferPointer) -> UInt64 {
        newip_cmac_derived(prf, derivation.baseAddress!.assumingMemoryBound(to: UInt8.self), derivation.count,
                           message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
    }
}
