import NewIPDataPlane

/// A link's one-way delay, smoothed over RTT samples as RFC 9616 §3.4 does: an exponential
/// average (weight `retain` per mille on the old value, 836 by default), with each step
/// bounded by `maxStep` so a single outlier cannot swing the routes.
///
/// Integer arithmetic, so two runs agree to the nanosecond; a step never rounds to zero while
/// the sample differs, so a constant delay is reached exactly.
public struct SmoothedDelay: Hashable, Sendable {
    public private(set) var value: Nanoseconds
    public private(set) var samples = 1

    /// The first sample is taken as it is.
    public init(first sample: Nanoseconds) { value = sample }

    public mutating func add(_ sample: Nanoseconds, retain: Int64, maxStep: Nanoseconds) {
        samples += 1
        let difference = sample - value
        guard difference != 0 else { return }
        var step = difference * (1000 - retain) / 1000
        if step == 0 { step = difference > 0 ? 1 : -1 }
        value += min(max(step, -maxStep), maxStep)
    }
}
