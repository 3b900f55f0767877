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
    /// gLBF's damper on an `lbf` queue: the queue's delay bound B (the longest a packet it
    /// releases waits for the link, its own serialisation included). Each packet with a
    /// deadline is held until its deadline minus B (never before its lmin), so it leaves
    /// within B of its per-hop deadline share wherever the hops before it put it: the delay
    /// end to end lands in [max − B of the last hop, max] however long the path, instead of
    /// early packets staying early. `nil`: no damper (LBF as published).
    public var damper: Nanoseconds?

    public init(discipline: Discipline = .fifo, limits: QueueLimits = QueueLimits(packets: 1000), trims: Bool = false,
                earlyDrop: Bool = true, damper: Nanoseconds? = nil) {
        self.discipline = discipline
        self.limits = limits
        self.trims = trims
        self.earlyDrop = earlyDrop
        self.damper = damper
    }
}
