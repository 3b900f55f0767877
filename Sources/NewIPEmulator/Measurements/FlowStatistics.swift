import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// What happened to one flow's packets: counts, one-way delays (HdrHistogram, three
/// significant digits; minimum, maximum and mean exact), RFC 3550-style jitter, and
/// deliveries judged against the flow's window (its contract's, or `window:`). Package-wide:
/// `nip run` fills it from real nodes' deliveries, so both worlds' results are computed alike.
package struct FlowStatistics {
    let window: DelayWindow?
    private(set) var sent = 0
    private(set) var sentBytes = 0
    private(set) var delivered = 0
    private(set) var deliveredBytes = 0
    /// Network-header bytes of the packets sent and delivered (New IP, IPv4 or IPv6 header;
    /// UDP not included): they differ when a gateway swapped the header on the way.
    private(set) var sentHeaderBytes = 0
    private(set) var deliveredHeaderBytes = 0
    private(set) var early = 0
    private(set) var onTime = 0
    private(set) var late = 0
    /// Delivered no later than the window's max (early or on time): judged by the deadline
    /// alone, as a receiver with a playout buffer would judge it.
    private(set) var byDeadline = 0
    private(set) var trimmed = 0
    /// On a link (serialising or propagating) when the run stopped.
    var inFlight = 0
    private(set) var drops = DropCounters()
    /// 32-bit counts, kept only over the range of latencies seen (a million-flow run keeps one
    /// per flow); a flow would need 4 billion deliveries in one bucket to overflow it.
    private(set) var latency = LatencyCounts()
    private(set) var minLatency: Nanoseconds = .max
    private(set) var maxLatency: Nanoseconds = 0
    private var latencySum: Double = 0
    private var previousLatency: Nanoseconds?
    private var jitterSum: Double = 0
    private var jitterSamples = 0

    package init(window: DelayWindow?) { self.window = window }

    package mutating func sent(bytes: Int, header: Int = 0) {
        sent += 1
        sentBytes += bytes
        sentHeaderBytes += header
    }

    package mutating func dropped(_ reason: DropReason, count: Int = 1) { drops.record(reason, count: count) }

    /// Payload bytes delivered per significance level (index = level), from the chunk tables of
    /// delivered packets (a trimmed chunk has length 0).
    private(set) var significanceBytes: [Int] = []

    /// Adds the chunk lengths of a delivered packet's payload-spec body.
    mutating func deliveredChunks(_ body: UnsafeRawBufferPointer) {
        guard body.count > PayloadSpec.Field.chunkCount else { return }
        let count = Int(body[PayloadSpec.Field.chunkCount])
        guard body.count >= PayloadSpec.bodyLength(chunkCount: count) else { return }
        for chunk in 0..<count {
            let at = PayloadSpec.Field.firstChunk + PayloadSpec.Field.chunkLength * chunk
            let level = Int(body[at])
            if significanceBytes.count <= level { significanceBytes += Array(repeating: 0, count: level + 1 - significanceBytes.count) }
            significanceBytes[level] += Int(body[at + 1]) << 8 | Int(body[at + 2])
        }
    }

    /// Bytes delivered over virtual time (filled when deliveries say when they happened).
    private(set) var timeline = DeliveryTimeline()

    /// A packet arrived `latency` after it was sent, `bytes` long, trimmed on the way or not;
    /// at virtual time `time`, when the caller has one (for the timeline).
    package mutating func delivered(latency: Nanoseconds, bytes: Int, header: Int = 0, trimmed wasTrimmed: Bool,
                                    at time: Nanoseconds? = nil) {
        delivered += 1
        deliveredBytes += bytes
        if let time { timeline.record(bytes: bytes, at: time) }
        deliveredHeaderBytes += header
        if wasTrimmed { trimmed += 1 }
        if let window {
            if latency > window.max { late += 1 } else if latency < window.min { early += 1 } else { onTime += 1 }
            if latency <= window.max { byDeadline += 1 }
        }
        self.latency.record(UInt64(max(0, latency)))
        minLatency = min(minLatency, latency)
        maxLatency = max(maxLatency, latency)
        latencySum += Double(latency)
        // RFC 3550 smooths |D(i-1, i)| with gain 1/16; the plain mean is reported instead,
        // so the value does not depend on where the run starts.
        if let previousLatency {
            jitterSum += Double(abs(latency - previousLatency))
            jitterSamples += 1
        }
        previousLatency = latency
    }

    /// Adds what another partition saw of the flow: sends and drops add up; deliveries are
    /// recorded at the destination alone (their jitter and timeline depend on their order), so
    /// at most one side has them and the merged flow keeps that side's.
    mutating func merge(_ other: FlowStatistics) {
        precondition(delivered == 0 || other.delivered == 0, "a flow's deliveries were recorded in two partitions")
        let (sent, sentBytes, sentHeaderBytes) = (self.sent + other.sent, self.sentBytes + other.sentBytes,
                                                  self.sentHeaderBytes + other.sentHeaderBytes)
        var drops = self.drops
        drops += other.drops
        let inFlight = self.inFlight + other.inFlight
        if other.delivered > 0 { self = other }
        self.sent = sent
        self.sentBytes = sentBytes
        self.sentHeaderBytes = sentHeaderBytes
        self.drops = drops
        self.inFlight = inFlight
    }

    /// Bytes this flow's statistics take, from their structures' capacities: the value itself,
    /// the latency counts, the delivery timeline and the per-significance byte counts.
    var memoryBytes: Int {
        MemoryLayout<Self>.stride + latency.memoryBytes + timeline.bytes.capacity * MemoryLayout<Int>.stride
            + significanceBytes.capacity * MemoryLayout<Int>.stride
    }

    var meanLatency: Double { delivered == 0 ? 0 : latencySum / Double(delivered) }
    var jitter: Double { jitterSamples == 0 ? 0 : jitterSum / Double(jitterSamples) }

    /// Latency at `percentile` (0–100), within the histogram's precision but never outside
    /// the exact minimum and maximum.
    func latency(atPercentile percentile: Double) -> Nanoseconds {
        guard delivered > 0 else { return 0 }
        return min(max(Nanoseconds(latency.value(atPercentile: percentile)), minLatency), maxLatency)
    }

    /// Points of the latency CDF: (latency, deliveries at or below it).
    var cdf: [(latency: Nanoseconds, delivered: Int)] {
        guard delivered > 0 else { return [] }
        return latency.steps.map { step in
            (min(max(Nanoseconds(step.value), minLatency), maxLatency), Int(step.countToHere))
        }
    }

    /// Sent packets neither delivered, dropped where the emulator saw it, nor on a link at
    /// the end: still in a queue, or dropped with a probe too damaged to tell its flow.
    var unaccounted: Int { sent - delivered - drops.total - inFlight }
}
