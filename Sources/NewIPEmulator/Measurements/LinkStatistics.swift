import NewIPDataPlane
import NewIPTopology

/// What one direction of a link did: packets and bytes carried, time busy, the sender's
/// egress queue over time (time-weighted), and what the medium lost.
struct LinkStatistics {
    private(set) var packets = 0
    private(set) var bytes = 0
    private(set) var busyTime: Nanoseconds = 0
    /// Network-header bytes of the packets counted in `bytes` (ManyNets runs only).
    var headerBytes = 0
    var losses = DropCounters()
    /// Integral of queued packets over time (packet·ns), up to `lastChange`.
    private var queueArea: Double = 0
    private var queueLength = 0
    private var lastChange: Nanoseconds = 0
    private(set) var maxQueue = 0
    /// The queue's depth over time, when the run records it (`nil` otherwise: nothing is asked).
    var depth: QueueDepthSeries?

    mutating func sent(bytes: Int, busy: Nanoseconds) {
        packets += 1
        self.bytes += bytes
        busyTime += busy
    }

    /// The egress queue holds `length` packets from `now` on.
    mutating func queue(_ length: Int, now: Nanoseconds) {
        queueArea += Double(queueLength) * Double(now - lastChange)
        queueLength = length
        lastChange = now
        maxQueue = max(maxQueue, length)
    }

    /// Records the depth of `behaviour`'s queue on `interface` in `depth`, when the run records it.
    mutating func sampleDepth(_ behaviour: any NodeBehavior, interface: Int, now: Nanoseconds) {
        guard depth != nil else { return }
        let queue = behaviour.queue(on: interface)
        depth!.record(packets: queue.packets, bytes: queue.bytes, at: now)
    }

    /// Mean queued packets over `0..<end`.
    func meanQueue(until end: Nanoseconds) -> Double {
        guard end > 0 else { return 0 }
        return (queueArea + Double(queueLength) * Double(end - lastChange)) / Double(end)
    }
}
