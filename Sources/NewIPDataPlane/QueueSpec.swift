/// How an interface queues: its discipline, limits and whether it trims.
public struct QueueSpec: Hashable, Sendable {
    public enum Discipline: String, Sendable, CaseIterable {
        /// First in, first out with tail drop (`FIFOQueue`).
        case fifo
        /// Latency-based forwarding: earliest deadline among eligible packets (`LatencyQueue`).
        case lbf
    }

    public var discipline: Discipline
    public var limits: QueueLimits
    /// Qualitative trimming before dropping, when a byte limit is hit.
    public var trims: Bool

    public init(discipline: Discipline = .fifo, limits: QueueLimits = QueueLimits(packets: 1000), trims: Bool = false) {
        self.discipline = discipline
        self.limits = limits
        self.trims = trims
    }
}
