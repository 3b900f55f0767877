/// How an interface queues: its discipline, limits, whether it trims, and whether packets
/// that cannot make their LBF deadline are dropped early.
public struct QueueSpec: Hashable, Sendable {
    public enum Discipline: String, Sendable, CaseIterable {
        /// First in, first out with tail drop (`FIFOQueue`).
        case fifo
        /// Latency-based forwarding: earliest deadline among eligible packets (`LatencyQueue`).
        case lbf
        /// Strict priority (`PriorityQueue`): packets carrying a contract (an LBF or MDF
        /// clause) before all others, first in, first out within each class, tail drop at the
        /// shared limits. The DiffServ EF-like baseline: it knows which packets are urgent but
        /// not their windows.
        case priority
        /// Guaranteed LBF (`GLBFQueue`): a damper that holds each packet for the slack the
        /// previous hop recorded, then first in, first out; needs `bound`.
        case glbf
    }

    public var discipline: Discipline
    public var limits: QueueLimits
    /// Qualitative trimming before dropping, when a byte limit is hit.
    public var trims: Bool
    /// LBF's early drop for packets that leave by this queue: a packet whose end-to-end
    /// deadline is out of reach on arrival is dropped by the router (`cannot-make-deadline`),
    /// and an LBF queue drops a packet still queued past its local deadline (`late`). With
    /// `false` such packets are forwarded and delivered late instead (an LBF queue still
    /// orders them by their deadline, which has passed, so they go first). The ablation of
    /// that one mechanism; `true` is what every queue did before the option existed.
    public var earlyDrop: Bool
    /// A `glbf` queue's latency bound B: the longest a packet waits here plus its own
    /// serialisation. Each packet leaving records B minus what it actually spent, and the next
    /// hop holds it for that, so it spends exactly B (plus the link delay) from this queue to
    /// the next; `nil` for the other disciplines.
    public var bound: Nanoseconds?

    public init(discipline: Discipline = .fifo, limits: QueueLimits = QueueLimits(packets: 1000), trims: Bool = false,
                earlyDrop: Bool = true, bound: Nanoseconds? = nil) {
        self.discipline = discipline
        self.limits = limits
        self.trims = trims
        self.earlyDrop = earlyDrop
        self.bound = bound
    }
}
