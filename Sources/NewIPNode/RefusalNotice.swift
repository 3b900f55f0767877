import Crypto
import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// What a first hop sends back to a source it refused: a machine-readable reason, signed with
/// the router's Ed25519 key so the device (or anyone it shows it to) can tell which router
/// refused which packet and why. A control message (type 0x83) after a New IP header;
/// layout in docs/node.md ("Refusal notices"):
///
/// ```
/// type 0x83 (1) | version 1 (1) | identifier 0 (2) | sequence (2) | reason (2) |
/// digest of the refused packet (8) | time, Unix ns (8) | router key id (8) | Ed25519 signature (64)
/// ```
///
/// The signature covers every byte before it. The digest is the first 8 bytes of SHA-256 of
/// the refused packet as it arrived. Notices go to the packet's claimed source, which is not
/// proven (that is why it was refused): a token bucket bounds how many a router sends, so a
/// spoofer cannot turn a first hop into a reflector.
public struct RefusalNotice: Hashable, Sendable {
    public static let type: UInt8 = 0x83
    /// The ping clause's code on a notice (framework packets are control messages by their ping
    /// clause): 2, after the reference's request 0 and reply 1.
    public static let pingCode: UInt16 = 2
    public static let version: UInt8 = 1
    public static let signedLength = 32
    public static let length = signedLength + 64

    /// The reasons, with codes fixed on the wire (drop-reason codes are not).
    public enum Reason: UInt16, CaseIterable, Sendable {
        case unauthenticated = 1, badMAC, staleTimestamp, replay, spoofedSource, unknownEpoch, badAuthenticator, revoked, staleEpoch

        public init?(_ reason: DropReason) {
            guard let match = Self.allCases.first(where: { $0.dropReason == reason }) else { return nil }
            self = match
        }

        public var dropReason: DropReason {
            switch self {
            case .unauthenticated: .unauthenticated
            case .badMAC: .badMAC
            case .staleTimestamp: .staleTimestamp
            case .replay: .replay
            case .spoofedSource: .spoofedSource
            case .unknownEpoch: .unknownEpoch
            case .badAuthenticator: .badAuthenticator
            case .revoked: .revoked
            case .staleEpoch: .staleEpoch
            }
        }
    }

    public var sequence: UInt16
    public var reason: Reason
    public var digest: [UInt8]
    public var time: UInt64
    public var keyID: KeyID
    public var signature: [UInt8]

    /// A notice for `refused` (the packet's bytes), signed by `identity`.
    public init(refusing refused: UnsafeRawBufferPointer, reason: Reason, sequence: UInt16, time: UInt64, identity: DeviceIdentity) {
        self.sequence = sequence
        self.reason = reason
        digest = Array(SHA256.hash(data: refused).prefix(8))
        self.time = time
        keyID = identity.keyID
        signature = []
        signature = identity.sign(signedBytes)
    }

    /// Reads a notice; `nil` when the bytes are not one (the signature is not checked: `verify`).
    public init?(_ bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count >= Self.length, bytes[0] == Self.type, bytes[1] == Self.version,
              let reason = Reason(rawValue: UInt16(bytes[6]) << 8 | UInt16(bytes[7])),
              let keyID = KeyID(bytes: Array(bytes[24..<32])) else { return nil }
        sequence = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        self.reason = reason
        digest = Array(bytes[8..<16])
        time = bytes[16..<24].reduce(0) { $0 << 8 | UInt64($1) }
        self.keyID = keyID
        signature = Array(bytes[32..<Self.length])
    }

    public var signedBytes: [UInt8] {
        var out: [UInt8] = [Self.type, Self.version, 0, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
                            UInt8(reason.rawValue >> 8), UInt8(reason.rawValue & 0xFF)]
        out += digest
        out += (0..<8).map { UInt8(truncatingIfNeeded: time >> (56 - 8 * $0)) }
        out += keyID.bytes
        return out
    }

    public var bytes: [UInt8] { signedBytes + signature }

    /// Whether the router holding `publicKey` signed this notice.
    public func verify(publicKey: [UInt8]) -> Bool {
        KeyID(publicKey: publicKey) == keyID && verifyEd25519(signature: signature, message: signedBytes, publicKey: publicKey)
    }

    /// Whether this notice is about `packet` (its bytes as sent).
    public func refers(to packet: some Collection<UInt8>) -> Bool { Array(SHA256.hash(data: Array(packet)).prefix(8)) == digest }
}

/// A first hop's refusal notices: its signing key and a token bucket (`rate` notices a second,
/// at most `burst` at once), the time passed in.
public struct RefusalNotices: Sendable {
    public let identity: DeviceIdentity
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Nanoseconds?
    private var sequence: UInt16 = 0
    public private(set) var sent = 0
    /// Refusals that got no notice because the bucket was empty.
    public private(set) var suppressed = 0

    public init(identity: DeviceIdentity, rate: Double = 10, burst: Int = 10) {
        self.identity = identity
        self.rate = rate
        self.burst = Double(burst)
        tokens = Double(burst)
    }

    /// The notice for a refused packet, or `nil` when the bucket is empty.
    mutating func notice(refusing packet: UnsafeRawBufferPointer, reason: Reason, now: Nanoseconds, unixTime: UInt64) -> RefusalNotice? {
        if let last { tokens = min(burst, tokens + Double(max(0, now - last)) * rate / 1e9) }
        last = now
        guard tokens >= 1 else {
            suppressed += 1
            return nil
        }
        tokens -= 1
        sent += 1
        sequence &+= 1
        return RefusalNotice(refusing: packet, reason: reason, sequence: sequence, time: unixTime, identity: identity)
    }

    public typealias Reason = RefusalNotice.Reason
}
