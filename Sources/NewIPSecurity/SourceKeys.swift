import FoundationEssentials
import Crypto
import _CryptoExtras
import NewIPWire
import CNewIPAES

/// A first-hop router's secret for one epoch (AES-128), from which every source key of its
/// hosts is derived (DRKey-style: the router keeps no per-source state).
///
/// `K_src = AES-CMAC(secret, 0x01 ‖ address type ‖ address length ‖ address bytes)`, 16 bytes.
public struct FirstHopSecret: Sendable {
    /// The epoch index carried in authenticators made with keys derived from this secret.
    public let epoch: UInt8
    public let key: SymmetricKey
    /// AES-CMAC under the secret through swift-crypto, its subkeys computed once: the path when
    /// the CPU lacks AES-NI (or `allowAESNI` was false).
    @usableFromInline let prf: BlockCMAC
    /// The secret's AES-NI key schedule and CMAC subkeys, computed once per epoch; nil when
    /// the CPU lacks AES-NI (or `allowAESNI` was false).
    @usableFromInline let acceleratedPRF: newip_cmac_key?

    /// `key` must be 128 bits. `allowAESNI: false` keeps every computation under this secret on
    /// swift-crypto (the path of a CPU without AES-NI: tests and the benchmarks' baseline); the
    /// results are the same.
    public init(epoch: UInt8, key: SymmetricKey, allowAESNI: Bool = true) {
        precondition(key.bitCount == 128, "a first-hop secret is an AES-128 key")
        self.epoch = epoch
        self.key = key
        self.prf = BlockCMAC(key: key)
        self.acceleratedPRF = allowAESNI && AESNI.available ? AESNI.key(key) : nil
    }

    /// Whether this secret's computations run on AES-NI.
    public var usesAESNI: Bool { acceleratedPRF != nil }

    /// A fresh random secret.
    public static func random(epoch: UInt8) -> FirstHopSecret {
        FirstHopSecret(epoch: epoch, key: SymmetricKey(size: .bits128))
    }

    /// Purpose byte of the derivation input (domain separation from other uses of the secret).
    public static let sourceKeyPurpose: UInt8 = 0x01

    /// The per-source key of `address` in this epoch: what the first hop hands its host at
    /// enrolment, and recomputes for every packet it verifies.
    public func sourceKey(for address: FrameworkAddress) -> SourceKey {
        let tag = Self.withDerivationInput(for: address) { input in
            if let acceleratedPRF { AESNI.tag(acceleratedPRF, input) } else { prf.tag(input) }
        }
        var bytes = (tag.0.bigEndian, tag.1.bigEndian)
        return SourceKey(epoch: epoch, key: withUnsafeBytes(of: &bytes) { SymmetricKey(data: $0) })
    }

    /// The first 8 bytes of AES-CMAC(K_src, `message`) for the source key of `address`, without
    /// materialising the key: on AES-NI one call with no allocation (K_src's schedule is
    /// expanded once, on the stack); otherwise through `sourceKey(for:)` and `BlockCMAC`.
    @usableFromInline
    func mac(of message: UnsafeRawBufferPointer, source address: FrameworkAddress) -> UInt64 {
        if let acceleratedPRF {
            return withUnsafePointer(to: acceleratedPRF) { Self.mac(of: message, source: address, prf: $0) }
        }
        return BlockCMAC(key: sourceKey(for: address).key).tag(message).0
    }

    /// `mac(of:source:)` on AES-NI, given the secret's precomputed key (`acceleratedPRF`) where it
    /// lies: the verifier's path, which neither copies the 208-byte key nor touches the secret's
    /// reference-counted `SymmetricKey`s.
    @usableFromInline
    static func mac(of message: UnsafeRawBufferPointer, source address: FrameworkAddress, prf: UnsafePointer<newip_cmac_key>) -> UInt64 {
        withDerivationInput(for: address) { AESNI.derivedMAC(prf, derivation: $0, message: message) }
    }

    /// `0x01 ‖ address type ‖ address length ‖ address bytes`, on the stack.
    @inline(__always)
    static func withDerivationInput<R>(for address: FrameworkAddress, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 19, alignment: 8) { input in
            let length = address.encodedLength
            input[0] = Self.sourceKeyPurpose
            input[1] = address.type.rawValue
            input[2] = UInt8(length)
            address.encode(into: input, at: 3)
            return body(UnsafeRawBufferPointer(rebasing: input[0..<(3 + length)]))
        }
    }
}

/// A source's key for one epoch, `K_src`: the host holds it (given by its first hop), the first
/// hop derives it again from its secret. AES-128.
public struct SourceKey: Sendable {
    public let epoch: UInt8
    public let key: SymmetricKey

    public init(epoch: UInt8, key: SymmetricKey) {
        precondition(key.bitCount == 128, "a source key is an AES-128 key")
        self.epoch = epoch
        self.key = key
    }

    /// The key's bytes (for tests and enrolment messages).
    public var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }
}
