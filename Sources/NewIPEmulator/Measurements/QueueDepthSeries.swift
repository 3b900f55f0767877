import NewIPDataPlane

/// An egress queue's depth over virtual time, exactly: a step function kept as the instants
/// it changed and the depth (packets and bytes) it held from each on, until the next. Depth is
/// zero before the first sample. Recorded only when a run asks (`Emulation.recordsQueueDepth`).
///
/// The emulator samples after it serviced the queue, which it does whenever a packet joins
/// or leaves it, so no change is missed; several changes at one instant leave the last depth
/// of that instant (a packet queued and sent at the same nanosecond held the queue for no
/// time, and `LinkResult.maxQueue` alone counts it).
public struct QueueDepthSeries: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        public var time: Nanoseconds
        public var packets: Int
        public var bytes: Int

        public init(time: Nanoseconds, packets: Int, bytes: Int) {
            self.time = time
            self.packets = packets
            self.bytes = bytes
        }
    }

    public private(set) var samples: [Sample] = []

    public init() {}

    /// The queue holds `packets` and `bytes` from `time` on (times never decrease).
    mutating func record(packets: Int, bytes: Int, at time: Nanoseconds) {
        if let last = samples.last, last.time == time {
            samples.removeLast()
        }
        let before = samples.last.map { ($0.packets, $0.bytes) } ?? (0, 0)
        guard before != (packets, bytes) else { return }
        samples.append(Sample(time: time, packets: packets, bytes: bytes))
    }

    /// The depth at `time` (the last sample at or before it).
    public func depth(at time: Nanoseconds) -> (packets: Int, bytes: Int) {
        var low = 0, high = samples.count
        while low < high {
            let middle = (low + high) / 2
            if samples[middle].time <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? (0, 0) : (samples[low - 1].packets, samples[low - 1].bytes)
    }

    /// Time-weighted mean queued packets over each bin of `width` from 0 until `end`.
    public func meanPackets(perBinOf width: Nanoseconds, until end: Nanoseconds) -> [Double] {
        guard width > 0, end > 0 else { return [] }
        let bins = Int((end + width - 1) / width)
        var area = [Double](repeating: 0, count: bins)
        // Each step [start, stop) at `packets` adds its overlap with every bin it covers.
        for (index, sample) in samples.enumerated() where sample.packets > 0 && sample.time < end {
            let stop = index + 1 < samples.count ? min(samples[index + 1].time, end) : end
            var start = sample.time
            while start < stop {
                let bin = Int(start / width)
                let binEnd = min(Nanoseconds(bin + 1) * width, stop)
                area[bin] += Double(sample.packets) * Double(binEnd - start)
                start = binEnd
            }
        }
        return area.enumerated().map { bin, area in
            let binEnd = min(Nanoseconds(bin + 1) * width, end)
            return area / Double(binEnd - Nanoseconds(bin) * width)
        }
    }
}
