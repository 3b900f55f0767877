import Crypto
import NewIPWire

/// A link's HMAC-SHA256 key: routing packets on the link carry a trailer computed with it
/// over their header and messages, and packets whose trailer is absent or wrong are refused.
public struct LinkKey: Sendable {
    let key: SymmetricKey

    /// `bytes`: the key from the configuration (at least 16 bytes make sense; any length works).
    public init(_ bytes: [UInt8]) { key = SymmetricKey(data: bytes) }

    /// `packet`'s bytes with the trailer computed for this key (any trailer it had is replaced).
    public func seal(_ packet: RoutingPacket) -> [UInt8] {
        var unsealed = packet
        unsealed.mac = nil
        unsealed.signature = nil
        var bytes = unsealed.encoded
        bytes.append(contentsOf: HMAC<SHA256>.authenticationCode(for: bytes, using: key))
        return bytes
    }

    /// Whether `view`'s trailer is this key's for its header and messages.
    public func verifies(_ view: RoutingPacketView) -> Bool {
        guard let mac = view.macRange else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(UnsafeRawBufferPointer(rebasing: view.bytes[mac]),
                                                      authenticating: UnsafeRawBufferPointer(rebasing: view.bytes[view.authenticatedRange]),
                                                      using: key)
    }
}
