import NewIPDataPlane

/// When a flow sends.
public enum TrafficPattern: Sendable, Equatable {
    /// Evenly spaced packets.
    case constant(TrafficRate)
    /// Exponential gaps with the rate as mean.
    case poisson(TrafficRate)
    /// Constant rate during `on`, silence during `off`, repeating from the flow's start.
    case onOff(TrafficRate, on: Nanoseconds, off: Nanoseconds)
}

public enum TrafficRate: Sendable, Equatable {
    case packetsPerSecond(Double)
    /// Counting whole packets (header included), as the link does.
    case bitsPerSecond(Int64)
}

/// Size of a flow's packets on the wire, New IP header included (links carry bare New IP
/// packets, so this is what serialisation costs).
public enum PacketSize: Sendable, Equatable {
    case fixed(Int)
    /// Uniform over the range, drawn per packet.
    case uniform(ClosedRange<Int>)

    public var largest: Int {
        switch self {
        case .fixed(let size): size
        case .uniform(let range): range.upperBound
        }
    }

    public var smallest: Int {
        switch self {
        case .fixed(let size): size
        case .uniform(let range): range.lowerBound
        }
    }

    public var mean: Double { Double(smallest + largest) / 2 }
}

/// The contract a flow's packets carry; the receiver judges delays against it.
/// The end-to-end delay range a delivery is judged against: early below `min`, late above `max`.
public struct DelayWindow: Sendable, Equatable {
    public var min: Nanoseconds
    public var max: Nanoseconds
    public init(min: Nanoseconds = 0, max: Nanoseconds) {
        self.min = min
        self.max = max
    }
}

public enum FlowContract: Sendable, Equatable {
    /// LBF window: no earlier than `min`, no later than `max` end to end.
    case latencyBased(min: Nanoseconds, max: Nanoseconds)
    /// MDF: drop once the delay exceeds `max`.
    case maxDelay(Nanoseconds)

    /// The delay beyond which a delivery counts as late.
    public var maxDelay: Nanoseconds {
        switch self {
        case .latencyBased(_, let max), .maxDelay(let max): max
        }
    }

    /// The window deliveries are judged against.
    public var window: DelayWindow { DelayWindow(min: minDelay, max: maxDelay) }

    /// The delay below which a delivery counts as early (LBF only).
    public var minDelay: Nanoseconds {
        switch self {
        case .latencyBased(let min, _): min
        case .maxDelay: 0
        }
    }
}
