import Crypto

/// A first-hop secret that rotates on a schedule (docs/wire.md, "Key epochs"): epoch *n* covers
/// the clock's `[n · period, (n + 1) · period)` (nanoseconds since the Unix epoch) and has its
/// own secret, derived from the domain's master secret, so the first hops, the border and the
/// key server agree on every epoch without talking to each other:
///
/// `secret(n) = AES-CMAC(master, 0x02 ‖ n as 8 bytes, big-endian)`, carried as epoch index n mod 256.
///
/// A verifier holds the current epoch's secret, the previous one for `grace` after the
/// boundary (packets sealed just before it, still on their way) and the next one for `grace`
/// before it (a sender whose clock runs ahead). Refusing anything older is what makes a
/// rotation revoke the old source keys.
public struct KeyEpochs: Sendable {
    public let master: SymmetricKey
    /// Epoch length in nanoseconds.
    public let period: UInt64
    /// How long a neighbouring epoch is accepted on each side of a boundary, in nanoseconds.
    public let grace: UInt64
    private let prf: BlockCMAC

    /// Purpose byte of the epoch derivation (`FirstHopSecret.sourceKeyPurpose` is 0x01).
    public static let epochPurpose: UInt8 = 0x02

    /// `master`: 128 bits; `grace` at most half the period (so at most two epochs are held).
    public init(master: SymmetricKey, period: UInt64, grace: UInt64) {
        precondition(master.bitCount == 128, "a master secret is an AES-128 key")
        precondition(period > 0 && grace <= period / 2, "the grace must be at most half the epoch period")
        self.master = master
        self.period = period
        self.grace = grace
        prf = BlockCMAC(key: master)
    }

    /// The number of the epoch `clock` (Unix nanoseconds) falls in.
    public func number(at clock: UInt64) -> UInt64 { clock / period }

    /// The carried index of epoch `number`.
    public static func index(of number: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: number) }

    /// The first-hop secret of epoch `number`.
    public func secret(number: UInt64, allowAESNI: Bool = true) -> FirstHopSecret {
        var input = [UInt8](repeating: Self.epochPurpose, count: 9)
        for i in 0..<8 { input[1 + i] = UInt8(truncatingIfNeeded: number >> (56 - 8 * i)) }
        let tag = input.withUnsafeBytes { prf.tag($0) }
        var key = (tag.0.bigEndian, tag.1.bigEndian)
        return FirstHopSecret(epoch: Self.index(of: number), key: withUnsafeBytes(of: &key) { SymmetricKey(data: $0) },
                              allowAESNI: allowAESNI)
    }

    /// The epochs a verifier holds at `clock`, current first, and the next instant that changes.
    public func held(at clock: UInt64) -> (numbers: [UInt64], until: UInt64) {
        let current = number(at: clock)
        let start = current * period
        let end = start &+ period
        var numbers = [current]
        var until = end
        if current > 0, clock < start &+ grace {
            numbers.append(current - 1)
            until = start &+ grace
        } else if grace > 0, clock >= end &- grace {
            numbers.append(current + 1)
        } else if grace > 0 {
            until = end &- grace
        }
        return (numbers, until)
    }
}
