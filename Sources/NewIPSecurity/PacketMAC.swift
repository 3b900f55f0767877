import Crypto
import _CryptoExtras
import NewIPWire

/// The MAC of a packet's invariant bytes: what the source authenticator proves.
///
/// Input to AES-CMAC under `K_src`: one domain byte (`0x10` compact, `0x11` framework), the
/// header with its mutable fields zeroed, then the payload up to the packet's end (a compact
/// total length cuts link padding). Zeroed, because routers rewrite them: the compact TTL, the
/// max-delay `delay_exp`, the latency-based `experienced_delay`, `fib_todelay` and `fib_tohops`,
/// the ping `hops`, and the authenticator's own MAC. Everything else is covered: addresses,
/// bitmaps, next header, lengths, every other clause field and extension item (payload spec
/// included), the authenticator's epoch, modifier, timestamp and key, and the payload.
public enum PacketMAC {
    public static let compactDomain: UInt8 = 0x10
    public static let frameworkDomain: UInt8 = 0x11

    /// The 8-byte MAC of `packet`, whose authenticator body is at `authenticator` (a range
    /// from `SourceAuthenticatorItem.locate`). Throws when the packet is incomplete.
    @inlinable
    public static func compute(_ packet: NewIPPacketView, authenticator: Range<Int>, key: SymmetricKey) throws(WireError) -> UInt64 {
        try withCoveredBytes(packet, authenticator: authenticator) { input in
            if AESNI.available {
                AESNI.tag(AESNI.key(key), input).0
            } else {
                BlockCMAC(key: key).tag(input).0
            }
        }
    }

    /// The MAC `packet` must carry when it comes from `source` under `secret`: K_src is
    /// derived and used without leaving the stack (no allocation on AES-NI).
    @inlinable
    public static func compute(_ packet: NewIPPacketView, authenticator: Range<Int>, secret: FirstHopSecret,
                               source: FrameworkAddress) throws(WireError) -> UInt64 {
        try withCoveredBytes(packet, authenticator: authenticator) { secret.mac(of: $0, source: source) }
    }

    /// Calls `body` with the covered bytes of `packet` (the CMAC input), assembled on the stack.
    @inlinable
    static func withCoveredBytes<R>(_ packet: NewIPPacketView, authenticator: Range<Int>,
                                    _ body: (UnsafeRawBufferPointer) -> R) throws(WireError) -> R {
        let end = try packet.packetEnd()
        let headerLength = packet.headerLength
        let bytes = packet.bytes
        guard headerLength <= 255, headerLength <= end else {
            throw .malformed(field: "header length", at: 0, reason: "\(headerLength) bytes leave no room for the payload of a \(end)-byte packet")
        }
        let payloadLength = end - headerLength
        return try withUnsafeTemporaryAllocation(byteCount: 1 + headerLength + payloadLength, alignment: 8) {
            (input) throws(WireError) -> R in
            input[0] = packet.dialect == .compact ? compactDomain : frameworkDomain
            let header = UnsafeMutableRawBufferPointer(rebasing: input[1..<(1 + headerLength)])
            header.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<headerLength]))
            try zeroMutableFields(packet, in: header)
            for i in 0..<SourceAuthenticatorItem.Field.macLength {
                header[authenticator.lowerBound + SourceAuthenticatorItem.Field.mac + i] = 0
            }
            UnsafeMutableRawBufferPointer(rebasing: input[(1 + headerLength)...])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[headerLength..<end]))
            return body(UnsafeRawBufferPointer(input))
        }
    }

    /// Zeroes, in `header` (a copy of the packet's header at the same offsets), every field a
    /// router may rewrite.
    @inlinable
    static func zeroMutableFields(_ packet: NewIPPacketView, in header: UnsafeMutableRawBufferPointer) throws(WireError) {
        if let ttl = packet.ttlOffset { header[ttl] = 0 }
        try packet.forEachContractItem { (item) throws(WireError) in
            guard case .clause(let type, let range) = item else { return }
            @inline(__always) func zero16(_ field: Int) {
                header[range.lowerBound + field] = 0
                header[range.lowerBound + field + 1] = 0
            }
            switch type {
            case .maxDelay:
                zero16(MaxDelayContract.Field.delayExp)
            case .latencyBased:
                zero16(LatencyBasedContract.Field.experiencedDelay)
                zero16(LatencyBasedContract.Field.fibToDelay)
                zero16(LatencyBasedContract.Field.fibToHops)
            case .ping:
                zero16(PingContract.Field.hops)
            default:
                break
            }
        }
    }

    /// Writes `mac` into the authenticator body at `authenticator` of `bytes`.
    @inlinable
    public static func store(_ mac: UInt64, into bytes: UnsafeMutableRawBufferPointer, authenticator: Range<Int>) {
        for i in 0..<8 {
            bytes[authenticator.lowerBound + SourceAuthenticatorItem.Field.mac + i] = UInt8(truncatingIfNeeded: mac >> (56 - 8 * i))
        }
    }

    /// The MAC the authenticator at `authenticator` carries.
    @inlinable
    public static func carried(in bytes: UnsafeRawBufferPointer, authenticator: Range<Int>) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[authenticator.lowerBound + SourceAuthenticatorItem.Field.mac + i]) }
        return value
    }

    /// The timestamp the authenticator at `authenticator` carries.
    @inlinable
    public static func timestamp(in bytes: UnsafeRawBufferPointer, authenticator: Range<Int>) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[authenticator.lowerBound + SourceAuthenticatorItem.Field.timestamp + i]) }
        return value
    }
}
