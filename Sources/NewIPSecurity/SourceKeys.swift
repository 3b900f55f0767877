import FoundationEssentials
import Crypto
import _CryptoExtras
import NewIPWire

/// A first-hop router's secret for one epoch (AES-128), from which every source key of its
/// hosts is derived (DRKey-style: the router keeps no per-source state).
///
/// `K_src = AES-CMAC(secret, 0x01 ‖ address type ‖ address length ‖ address bytes)`, 16 bytes.
public struct FirstHopSecret: Sendable {
    /// The epoch index carried in authenticators made with keys derived from this secret.
    public let epoch: UInt8
    public let key: SymmetricKey
    /// AES-CMAC under the secret, its subkeys computed once.
    @usableFromInline let prf: BlockCMAC

    /// `key` must be 128 bits.
    public init(epoch: UInt8, key: SymmetricKey) {
        precondition(key.bitCount == 128, "a first-hop secret is an AES-128 key")
        self.epoch = epoch
        self.key = key
        self.prf = BlockCMAC(key: key)
    }

    /// A fresh random secret.
    public static func random(epoch: UInt8) -> FirstHopSecret {
        FirstHopSecret(epoch: epoch, key: SymmetricKey(size: .bits128))
    }

    /// Purpose byte of the derivation input (domain separation from other uses of the secret).
    public static let sourceKeyPurpose: UInt8 = 0x01

    /// The per-source key of `address` in this epoch: what the first hop hands its host at
    /// enrolment, and recomputes for every packet it verifies.
    @inlinable
    public func sourceKey(for address: FrameworkAddress) -> SourceKey {
        let tag = withUnsafeTemporaryAllocation(byteCount: 19, alignment: 8) { input in
            input[0] = Self.sourceKeyPurpose
            input[1] = address.type.rawValue
            input[2] = UInt8(address.encodedLength)
            address.encode(into: input, at: 3)
            return prf.tag(UnsafeRawBufferPointer(rebasing: input[0..<(3 + address.encodedLength)]))
        }
        var bytes = (tag.0.bigEndian, tag.1.bigEndian)
        return SourceKey(epoch: epoch, key: withUnsafeBytes(of: &bytes) { SymmetricKey(data: $0) })
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
