import Crypto
import CNewIPAES
import NewIPWire

/// What a verifier concluded about a packet's source authenticator.
public enum SourceAuthVerdict: Hashable, Sendable {
    /// The MAC is right, the timestamp fresh, the packet new (and the address matches the key
    /// it carries, when checked).
    case valid
    /// The packet carries no authenticator.
    case missing
    /// The MAC does not match: a covered byte changed, or the sender does not hold the source key.
    case badMAC
    /// The timestamp is outside the acceptance window (too old or too far ahead).
    case stale
    /// A packet with this MAC was accepted within the window.
    case replay
    /// The source address is not the self-certifying address of the key the packet carries.
    case spoofed
    /// The epoch names no secret this verifier holds, and is not a past epoch of its schedule.
    case unknownEpoch
    /// The epoch is a past one of the verifier's rotation schedule (`KeyEpochs`) whose grace is
    /// over: the sender kept a source key the domain has rotated away.
    case staleEpoch
    /// The authenticator is damaged, or the packet has no source address or is incomplete.
    case malformed(WireError)
}

/// A first-hop router's verifier: the epoch secrets, the acceptance window, the replay filter.
/// No per-sender state: each packet's source key is derived again from the secret.
public struct SourceAuthVerifier: Sendable {
    /// At most a few secrets (the current epoch, and a neighbouring one around a rotation).
    public private(set) var secrets: [FirstHopSecret] {
        didSet { (epochs, acceleratedKeys) = Self.lookup(secrets) }
    }
    /// The secrets' epochs, and their AES-NI keys when every secret has one (else empty): plain
    /// values, so that finding a packet's secret copies and reference-counts nothing.
    private var epochs: [UInt8]
    private var acceleratedKeys: [newip_cmac_key]
    /// Accepted distance between the packet's timestamp and the verifier's clock, in nanoseconds.
    public let window: UInt64
    /// Open mode: the prefix length (bits) of self-certifying source addresses; when set and a
    /// packet carries a key, its source address must be that key's address.
    public var selfCertifiedPrefixLength: Int?
    public private(set) var replayFilter: ReplayFilter
    /// The rotation schedule (`nil`: the secrets never change).
    public private(set) var rotation: KeyEpochs?
    /// When the held secrets change next (clock, Unix nanoseconds); never without a rotation.
    private var rotationDue: UInt64 = .max
    /// The current epoch's index (with a rotation): epochs behind it are stale, not unknown.
    private var currentEpoch: UInt8 = 0
    /// The epoch numbers of `secrets` (with a rotation).
    private var heldNumbers: [UInt64] = []

    /// The largest window: the 32-bit microsecond timestamp must resolve without ambiguity.
    public static let maximumWindow: UInt64 = 10 * 60 * 1_000_000_000

    /// - Parameters:
    ///   - window: accepted |now − timestamp|, at most 10 minutes (the timestamp wraps every 71.6).
    ///   - replayCapacity: tags per replay period (2 × window); see `ReplayFilter`.
    ///   - now: nanoseconds since the Unix epoch.
    public init(secrets: [FirstHopSecret], window: UInt64, replayCapacity: Int = 1 << 16,
                selfCertifiedPrefixLength: Int? = nil, now: UInt64) {
        precondition(window > 0 && window <= Self.maximumWindow, "the window must be between 1 ns and 10 minutes")
        self.secrets = secrets
        (epochs, acceleratedKeys) = Self.lookup(secrets)
        self.window = window
        self.selfCertifiedPrefixLength = selfCertifiedPrefixLength
        self.replayFilter = ReplayFilter(period: 2 * window, capacity: replayCapacity, now: now)
        rotation = nil
    }

    /// A verifier whose secrets rotate on `epochs`' schedule: it holds the epochs
    /// `KeyEpochs.held(at:)` names and moves on as packets arrive (a rotation costs one
    /// comparison per packet and a key schedule per boundary).
    public init(rotating epochs: KeyEpochs, window: UInt64, replayCapacity: Int = 1 << 16,
                selfCertifiedPrefixLength: Int? = nil, now: UInt64) {
        self.init(secrets: [], window: window, replayCapacity: replayCapacity, selfCertifiedPrefixLength: selfCertifiedPrefixLength, now: now)
        rotation = epochs
        rotate(now: now)
    }

    /// Holds the secrets of the epochs in force at `now`.
    private mutating func rotate(now: UInt64) {
        guard let rotation else { return }
        let (numbers, until) = rotation.held(at: now)
        let allowAESNI = secrets.first?.usesAESNI ?? true
        // A secret held already is kept (its key schedule is computed once per epoch).
        secrets = numbers.map { number in
            heldNumbers.firstIndex(of: number).map { secrets[$0] } ?? rotation.secret(number: number, allowAESNI: allowAESNI)
        }
        heldNumbers = numbers
        currentEpoch = KeyEpochs.index(of: numbers[0])
        rotationDue = until
    }

    /// Why an epoch the verifier holds no secret for is refused: one of the last 127 of its
    /// schedule is stale, anything else unknown.
    private func missingEpoch(_ epoch: UInt8) -> SourceAuthVerdict {
        guard rotation != nil else { return .unknownEpoch }
        let behind = currentEpoch &- epoch
        return behind >= 1 && behind <= 127 ? .staleEpoch : .unknownEpoch
    }

    /// Verifies `packet` at `now` (nanoseconds since the Unix epoch). Checks, in order: an
    /// authenticator is present and well formed, its epoch is known, its timestamp is within the
    /// window, the MAC, the address–key binding (when a key is carried and the prefix length is
    /// set), and last the replay filter (only packets that passed everything else are remembered).
    public mutating func verify(_ packet: NewIPPacketView, now: UInt64) -> SourceAuthVerdict {
        if now >= rotationDue { rotate(now: now) }
        let location: Range<Int>
        do throws(WireError) {
            guard let found = try SourceAuthenticatorItem.locate(in: packet) else { return .missing }
            location = found
        } catch {
            return .malformed(error)
        }
        guard let source = packet.source else {
            return .malformed(.malformed(field: "source address", at: 0, reason: "an authenticated packet must name its source"))
        }
        let bytes = packet.bytes
        let epoch = bytes[location.lowerBound + SourceAuthenticatorItem.Field.epoch]
        guard let secretIndex = epochs.firstIndex(of: epoch) else { return missingEpoch(epoch) }
        let timestamp = PacketMAC.timestamp(in: bytes, authenticator: location)
        guard SourceTime.isFresh(timestamp, now: now, window: window) else { return .stale }
        // Open mode: the key a packet carries must own its source address. Checked before the
        // MAC, so a host that seals its own packets but claims another's address is told so.
        if let prefixLength = selfCertifiedPrefixLength, location.count == SourceAuthenticatorItem.bodyLengthWithKey {
            let key = UnsafeRawBufferPointer(rebasing: bytes[(location.lowerBound + SourceAuthenticatorItem.Field.publicKey)..<location.upperBound])
            let modifier = bytes[location.lowerBound + SourceAuthenticatorItem.Field.modifier]
            guard SelfCertifyingAddress.verify(source, prefixLength: prefixLength, publicKey: key, modifier: modifier) else {
                return .spoofed
            }
        }
        let computed: Result<UInt64, WireError>
        if acceleratedKeys.isEmpty {
            do throws(WireError) {
                computed = .success(try PacketMAC.compute(packet, authenticator: location, secret: secrets[secretIndex], source: source))
            } catch { computed = .failure(error) }
        } else {
            // AES-NI: the secret's precomputed key is used where it lies.
            computed = acceleratedKeys.withUnsafeBufferPointer { keys in
                do throws(WireError) {
                    return .success(try PacketMAC.withCoveredBytes(packet, authenticator: location) {
                        FirstHopSecret.mac(of: $0, source: source, prf: keys.baseAddress! + secretIndex)
                    })
                } catch { return .failure(error) }
            }
        }
        let expected: UInt64
        switch computed {
        case .success(let mac): expected = mac
        case .failure(let error): return .malformed(error)
        }
        let carried = PacketMAC.carried(in: bytes, authenticator: location)
        guard expected ^ carried == 0 else { return .badMAC }
        return replayFilter.insert(carried, now: now) ? .valid : .replay
    }

    private static func lookup(_ secrets: [FirstHopSecret]) -> (epochs: [UInt8], acceleratedKeys: [newip_cmac_key]) {
        let keys = secrets.compactMap(\.acceleratedPRF)
        return (secrets.map(\.epoch), keys.count == secrets.count ? keys : [])
    }

    func secret(for epoch: UInt8) -> FirstHopSecret? {
        for secret in secrets where secret.epoch == epoch { return secret }
        return nil
    }
}

/// The authenticator's clock: microseconds since the Unix epoch, modulo 2^32.
public enum SourceTime {
    /// The timestamp for `now` (nanoseconds since the Unix epoch).
    @inlinable
    public static func timestamp(now: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: now / 1000) }

    /// How far `timestamp` lies before `now`, in nanoseconds (negative: ahead of the clock),
    /// resolved to the nearest instant (the field wraps every 2^32 µs).
    @inlinable
    public static func age(of timestamp: UInt32, now: UInt64) -> Int64 {
        let delta = Int32(bitPattern: UInt32(truncatingIfNeeded: now / 1000) &- timestamp)
        return Int64(delta) * 1000 + Int64(now % 1000)
    }

    @inlinable
    public static func isFresh(_ timestamp: UInt32, now: UInt64, window: UInt64) -> Bool {
        age(of: timestamp, now: now).magnitude <= window
    }
}

/// The sending host's side: its source key (from its first hop) and a clock that never
/// repeats a timestamp, so two identical packets never carry the same MAC.
public struct SourceAuthSender: Sendable {
    /// The key it seals with: its first hop's, for the epoch in force.
    public private(set) var key: SourceKey
    public private(set) var lastTimestamp: UInt32?

    public init(key: SourceKey) { self.key = key }

    /// Seals with `key` from now on (the next epoch's, fetched as the first was).
    public mutating func use(_ key: SourceKey) { self.key = key }

    /// The placeholder item to build into a packet (compact `extensionItem`, framework
    /// `clause`); `seal` fills its timestamp and MAC.
    public func placeholder(keyProof: SourceAuthenticatorItem.KeyProof? = nil) -> SourceAuthenticatorItem {
        SourceAuthenticatorItem(epoch: key.epoch, timestamp: 0, mac: 0, keyProof: keyProof)
    }

    /// The timestamp for `now`, at least one more than the last one given (a sender faster
    /// than one packet per microsecond runs ahead of its clock, within the verifier's window).
    public mutating func nextTimestamp(now: UInt64) -> UInt32 {
        var timestamp = SourceTime.timestamp(now: now)
        if let last = lastTimestamp, Int32(bitPattern: timestamp &- last) <= 0 { timestamp = last &+ 1 }
        lastTimestamp = timestamp
        return timestamp
    }

    /// Fills in the authenticator of the packet in `bytes` (built with `placeholder`): epoch,
    /// a fresh timestamp and the MAC. Throws when the packet does not parse or has none.
    public mutating func seal(_ bytes: UnsafeMutableRawBufferPointer, dialect: PacketDialect, now: UInt64) throws(NewIPPacketError) {
        try Self.seal(bytes, dialect: dialect, key: key, timestamp: nextTimestamp(now: now))
    }

    /// `seal` with an explicit timestamp (tests, replays of a recorded run).
    public static func seal(_ bytes: UnsafeMutableRawBufferPointer, dialect: PacketDialect, key: SourceKey,
                            timestamp: UInt32) throws(NewIPPacketError) {
        let found: Range<Int>?
        let unsealed = try NewIPPacketView(UnsafeRawBufferPointer(bytes), dialect: dialect)
        do throws(WireError) {
            found = try SourceAuthenticatorItem.locate(in: unsealed)
        } catch {
            throw .wire(error)
        }
        guard let location = found else {
            throw .wire(.malformed(field: "source authenticator", at: 0, reason: "the packet carries none to seal"))
        }
        bytes[location.lowerBound + SourceAuthenticatorItem.Field.epoch] = key.epoch
        for i in 0..<4 {
            bytes[location.lowerBound + SourceAuthenticatorItem.Field.timestamp + i] = UInt8(truncatingIfNeeded: timestamp >> (24 - 8 * i))
        }
        let view = try NewIPPacketView(UnsafeRawBufferPointer(bytes), dialect: dialect)
        let mac: UInt64
        do throws(WireError) { mac = try PacketMAC.compute(view, authenticator: location, key: key.key) } catch { throw .wire(error) }
        PacketMAC.store(mac, into: bytes, authenticator: location)
    }
}
