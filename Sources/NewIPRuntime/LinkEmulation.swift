import DequeModule
import NIOCore
import NewIPDataPlane
import NewIPRandom
import NewIPTopology

/// The emulator's link (`EmulatedLink`) in a real node's UDP interface (`emulate-link: true`):
/// the node spends the link's rate, delay and loss on what it sends, so a topology on loopback
/// behaves as its emulation.
///
/// - Rate: an n-byte packet (the New IP packet, the datagram's payload: the emulator's
///   `packet.count`) keeps the link busy for `BitRate.serialisation(bytes: n)`; while busy the
///   port is not writable, so packets wait in the interface's egress queue (FIFO, LBF) as they
///   do in the emulator, and the node drains again when the link is free (`onFree`). Back-to-back
///   packets start when the previous one finished (the emulator's time line), not when the
///   loop got round to it, so a late wake-up does not lower the rate (`readyAt`).
/// - Loss: after serialisation, with the link's probability (the packet used the link's time
///   and counts as sent), from a seeded `SplitMix64`.
/// - Delay: the datagram waits in a delay line until serialisation plus propagation are over,
///   then is written; everything due by then goes out in one flush (one `sendmmsg`). The delay
///   may change while the node runs (`POST /interfaces/shape`, as `tc qdisc change … netem
///   delay`): datagrams sent after the change take the new one, those in the line keep theirs.
struct LinkEmulation {
    let rate: BitRate?
    var delay: Nanoseconds
    let loss: Double
    private var random: SplitMix64
    /// When the packet being serialised is on the wire (virtual time on the node's clock).
    private(set) var busyUntil: Nanoseconds = 0
    /// When the egress queue's head could first leave, as the last drain left it (`nil`: the
    /// queue was empty): a packet that waited for the link or its LBF window starts when the
    /// emulator's would have, at the later of that and the link's `busyUntil`, however late the
    /// node's wake-up ran on a loaded machine.
    var readyAt: Nanoseconds?
    /// Datagrams propagating, in sending order (each one's due time is at least its predecessor's).
    var line: Deque<(due: Nanoseconds, bytes: ByteBuffer)> = []

    init(rate: BitRate?, delay: Nanoseconds, loss: Double, seed: UInt64) {
        self.rate = rate
        self.delay = delay
        self.loss = loss
        random = SplitMix64(seed: seed)
    }

    /// A seed from the node's and interface's names (FNV-1a), so a node's losses repeat.
    static func seed(node: String, interface: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(node)/\(interface)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    func isFree(at now: Nanoseconds) -> Bool { busyUntil <= now }

    /// Serialises a packet of `count` bytes sent at `now`: when it reaches the far end, or
    /// `nil` when the link lost it.
    mutating func transmit(count: Int, now: Nanoseconds) -> Nanoseconds? {
        let start = max(busyUntil, min(now, readyAt ?? now))
        readyAt = nil
        let finish = start + (rate?.serialisation(bytes: count) ?? 0)
        busyUntil = finish
        if loss > 0, Double(random.next() >> 11) * 0x1p-53 < loss { return nil }
        // A shorter delay does not overtake what is still in the line: the link stays first
        // in, first out (as the emulator's link when its delay shortens), and the line sorted.
        return max(finish + delay, line.last?.due ?? 0)
    }
}
