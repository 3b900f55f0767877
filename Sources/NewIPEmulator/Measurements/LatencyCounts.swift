import Histogram

/// One flow's latency counts in HdrHistogram's bucket layout (1 ns resolution, three
/// significant digits), stored only from the lowest bucket used to the highest: a flow whose
/// delays span 3.0–3.2 ms holds a hundred counts, not the 18,000 a histogram from 0 to 80 ms
/// holds, so a million flows fit in memory. `histogram` rebuilds the library's histogram
/// with the same counts, smallest and largest values, so every percentile and CDF step is
/// the one it would have given.
struct LatencyCounts {
    /// `counts[i]` is the count of bucket index `first + i`.
    private(set) var counts: [UInt32] = []
    private var first = 0
    private var smallestNonZero: UInt64 = .max
    private var largest: UInt64 = 0

    /// HdrHistogram's index for three digits from 1 ns: 2,048 sub-buckets, the upper 1,024
    /// of each further bucket, every bucket twice as wide as the one before.
    static func index(of value: UInt64) -> Int {
        let bucket = 53 - (value | 2047).leadingZeroBitCount
        return (bucket + 1) << 10 + Int(truncatingIfNeeded: value >> UInt64(bucket)) - 1024
    }

    /// The lowest value of bucket index `index`.
    static func lowestValue(at index: Int) -> UInt64 {
        var bucket = (index >> 10) - 1
        var subBucket = (index & 1023) + 1024
        if bucket < 0 {
            subBucket -= 1024
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    mutating func record(_ value: UInt64) {
        let index = Self.index(of: value)
        if counts.isEmpty {
            first = index
            counts = [0]
        } else if index < first || index >= first + counts.count {
            grow(toHold: index)
        }
        counts[index - first] += 1
        if value > 0 { smallestNonZero = min(smallestNonZero, value) }
        largest = max(largest, value)
    }

    /// Widens the range to `index` and a quarter of the new span beyond it (at least 16), so
    /// a drifting flow reallocates a logarithmic number of times.
    private mutating func grow(toHold index: Int) {
        let low = min(first, index), high = max(first + counts.count, index + 1)
        let margin = max(16, (high - low) / 4)
        let newFirst = index < first ? max(0, low - margin) : first
        let newEnd = index < first ? high : high + margin
        var wider = Array(repeating: UInt32(0), count: newEnd - newFirst)
        wider.replaceSubrange((first - newFirst)..<(first - newFirst + counts.count), with: counts)
        counts = wider
        first = newFirst
    }

    /// The library's histogram holding these counts (raw smallest and largest values in their
    /// buckets, as recording them one by one would leave it).
    var histogram: Histogram<UInt32> {
        var histogram = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: max(largest, 2),
                                          numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        for (offset, count) in counts.enumerated() where count > 0 {
            let index = first + offset
            var remaining = count
            // The extremes go in as themselves, so the histogram's min and max are exact.
            for extreme in [smallestNonZero, largest] where remaining > 0 && extreme != .max && Self.index(of: extreme) == index {
                histogram.record(extreme, count: 1)
                remaining -= 1
            }
            if remaining > 0 { histogram.record(Self.lowestValue(at: index), count: remaining) }
        }
        return histogram
    }

    /// Heap bytes of the counts.
    var memoryBytes: Int { counts.capacity * MemoryLayout<UInt32>.stride }
}
