import DequeModule
import NewIPDataPlane
import NewIPRandom
import NewIPTopology

/// One direction of a link: it serialises one packet at a time at its rate, then the packet
/// propagates for the delay; random loss strikes after serialisation (the packet used the
/// link's time). Packets arrive in the order they were sent, so a ring holds those on the way:
/// when a `delay` schedule shortens the delay, a packet sent after the change waits behind the
/// ones already on the wire (a link is FIFO, as a fibre or a tunnel's path is).
///
/// The sending half (serialisation, loss, `statistics`) belongs to the sender's partition; the
/// receiving half (`propagating`, the departures, `receiveLosses`) to the receiver's. On a link
/// cut between two partitions a packet off the wire waits in `crossing` until the barrier hands
/// it over (`handOver(to:)`).
final class EmulatedLink {
    let index: Int
    let from: Topology.InterfaceID
    let to: Topology.InterfaceID
    let rate: BitRate
    /// Follows the `delay` schedule; packets on the way keep the delay they left with.
    var delay: Nanoseconds
    /// The `delay` schedule, in time order; a change applies to packets off the wire from its
    /// time on, so the sender's partition applies it alone, with no event of its own.
    private let delayChanges: [(at: Nanoseconds, delay: Nanoseconds)]
    private var nextDelayChange = 0
    /// When the last packet put on the wire arrives: none arrives before it.
    private var lastArrival: Nanoseconds = .min
    let loss: Double
    let mtu: Int
    private let events: EventQueue
    private var random: RandomStream
    /// The packet being serialised, in a raw slot that holds one while `isBusy`: an optional
    /// property destroyed its old `nil` (an outlined destroy of an optional buffer) at every
    /// `start`.
    private let serialising = UnsafeMutablePointer<PacketBuffer>.allocate(capacity: 1)
    private(set) var isBusy = false
    private(set) var propagating = PacketRing()
    /// What the medium lost on the receiving side (down periods, faults on receive), counted by
    /// the receiver's partition; `statistics` is the sender's.
    var receiveLosses = DropCounters()
    /// Packets off the wire since the last barrier with their departures and the keys of their
    /// arrivals, on a link between partitions (`nil` on any other).
    private var crossing: [(packet: PacketBuffer, departure: Nanoseconds, key: EventKey)]?
    /// When each propagating packet went on the wire, oldest first (a down period since then loses it).
    private var departures = Deque<Nanoseconds>()
    var statistics = LinkStatistics()
    /// When the packet being serialised started (a crash of the sender cuts it).
    private(set) var busySince: Nanoseconds = 0
    /// Measures each packet's network header, when the run counts header bytes.
    var headerLength: ((PacketBuffer) -> Int)?

    init(index: Int, from: Topology.InterfaceID, to: Topology.InterfaceID, spec: Topology.Link,
         random: RandomStream, events: EventQueue, crossesPartitions: Bool = false) {
        self.index = index
        self.from = from
        self.to = to
        rate = spec.rate
        delay = spec.delay
        delayChanges = spec.delayChanges.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        loss = spec.loss
        mtu = spec.mtu
        self.random = random
        self.events = events
        crossing = crossesPartitions ? [] : nil
    }

    deinit {
        if isBusy { serialising.deinitialize(count: 1) }
        serialising.deallocate()
    }

    /// The packet being serialised (a copy, for reports at the end of a run).
    var transmitting: PacketBuffer? { isBusy ? serialising.pointee : nil }

    /// Starts serialising `packet`; the link must be idle.
    func start(_ packet: consuming PacketBuffer, now: Nanoseconds) {
        precondition(!isBusy, "a link sends one packet at a time")
        let end = now + rate.serialisation(bytes: packet.count)
        serialising.initialize(to: consume packet)
        isBusy = true
        busySince = now
        events.schedule(.transmitted(link: index), at: end)
    }

    /// The packet is on the wire: it propagates, or comes back when the link lost it or the
    /// sender crashed before its end (`cut`).
    func finishTransmission(now: Nanoseconds, cut: Bool = false) -> PacketBuffer? {
        guard isBusy else { return nil }
        isBusy = false
        let packet = serialising.move()
        statistics.sent(bytes: packet.count, busy: now - busySince)
        if let headerLength { statistics.headerBytes += headerLength(packet) }
        if cut || random.chance(loss) { return packet }
        // A change at this instant applies to this packet: the file's change precedes the traffic.
        while nextDelayChange < delayChanges.count, delayChanges[nextDelayChange].at <= now {
            delay = delayChanges[nextDelayChange].delay
            nextDelayChange += 1
        }
        lastArrival = max(now + delay, lastArrival)
        if crossing != nil {
            crossing!.append((packet, now, events.nextKey(at: lastArrival)))
            return nil
        }
        propagating.append(consume packet)
        departures.append(now)
        events.schedule(.arrived(link: index), at: lastArrival)
        return nil
    }

    /// At a barrier: the packets that left since the last one propagate on the receiver's side,
    /// their arrivals scheduled on its queue with the keys the sender gave them, in the order
    /// they left (the same events a single queue would run, in the same order).
    func handOver(to receiver: EventQueue) {
        guard let packets = crossing, !packets.isEmpty else { return }
        crossing = []
        for (packet, departure, key) in packets {
            propagating.append(packet)
            departures.append(departure)
            receiver.insert(.arrived(link: index), key: key)
        }
    }

    /// When the oldest propagating packet went on the wire.
    var oldestDeparture: Nanoseconds { departures.first! }

    /// The oldest propagating packet, now at the far end.
    func arrive() -> PacketBuffer {
        departures.removeFirst()
        return propagating.popFirst()!
    }

    /// Busy time up to `end` for a packet still being serialised when the run stops.
    func busyTime(until end: Nanoseconds) -> Nanoseconds {
        statistics.busyTime + (isBusy ? end - busySince : 0)
    }
}
