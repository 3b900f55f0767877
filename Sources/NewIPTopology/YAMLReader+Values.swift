import NewIPDataPlane
import NewIPWire

// Values a topology file and a node file write alike, so both are checked by the same code.
extension YAMLReader {
    /// `fifo`, `lbf`, `priority`, or `{discipline, limit, bytes, trim, early-drop, bound}` (`glbf` needs `bound`).
    func queue(_ node: YAMLNode) -> QueueSpec? {
        if case .scalar = node {
            let discipline = choice(node, "queue discipline", QueueSpec.Discipline.self)
            if discipline == .glbf { missingBound(node) }
            return discipline.map { QueueSpec(discipline: $0) }
        }
        guard let fields = fields(node, "queue", allowed: ["discipline", "limit", "bytes", "trim", "early-drop", "bound"]) else { return nil }
        let discipline = fields["discipline"].flatMap {
            choice($0, "queue discipline", QueueSpec.Discipline.self)
        } ?? .fifo
        let packets = fields["limit"].flatMap { integer($0, "queue limit (packets)", in: 1...1_000_000) }
        let bytes = fields["bytes"].flatMap { quantity($0, "queue limit (bytes)", units.bytes) }
        let trims = fields["trim"].flatMap { bool($0, "trim") } ?? false
        let earlyDrop = fields["early-drop"].flatMap { bool($0, "early-drop") } ?? true
        let bound = fields["bound"].flatMap { quantity($0, "bound (the gLBF hop's latency bound)", units.duration) }
        if bound != nil && discipline != .glbf, let key = fields.key("bound") {
            error(key, "a latency bound is what a glbf queue's damper restores packets to, and this queue is \(discipline.rawValue)",
                  fix: "use `discipline: glbf` or remove `bound`")
        }
        if discipline == .glbf && fields["bound"] == nil { missingBound(fields.key("discipline") ?? node) }
        if trims && bytes == nil, let key = fields.key("trim") {
            error(key, "trimming makes room under a byte limit, and this queue has none", fix: "add e.g. `bytes: 64kB`")
        }
        let limits = packets == nil && bytes == nil ? QueueLimits(packets: 1000) : QueueLimits(packets: packets, bytes: bytes)
        return QueueSpec(discipline: discipline, limits: limits, trims: trims, earlyDrop: earlyDrop, bound: bound)
    }

    private func missingBound(_ node: YAMLNode) {
        error(node, "a glbf queue needs its latency bound",
              fix: "write `{discipline: glbf, bound: 1500us}` (the longest a packet waits there plus its serialisation)")
    }

    /// A gateway's `map`: compact addresses to IPv4 or IPv6 ones, each IP address bound once.
    func gatewayBindings(_ node: YAMLNode, _ context: String) -> [Topology.GatewaySpec.Binding] {
        guard let mapping = mapping(node, context) else { return [] }
        var bindings: [Topology.GatewaySpec.Binding] = []
        var bound: [FrameworkAddress: YAMLNode] = [:]
        for (key, value) in mapping {
            let compact = quantity(key, "`map` key", { (text) throws(UnitProblem) -> CompactAddress in
                guard let address = CompactAddress(text) else {
                    throw UnitProblem(problem: "`\(text)` is not a compact address",
                                      fix: "map a compact address to an IP one: `\"0xF11400\": \"2001:db8::10\"`")
                }
                return address
            })
            let ip = quantity(value, "`map` value", { (text) throws(UnitProblem) -> FrameworkAddress in
                guard let address = FrameworkAddress(text), address.type == .ipv4 || address.type == .ipv6 else {
                    throw UnitProblem(problem: "`\(text)` is not an IPv4 or IPv6 address",
                                      fix: "map a compact address to an IP one: `\"0xF11400\": \"2001:db8::10\"`")
                }
                return address
            })
            guard let compact, let ip else { continue }
            if let first = bound[ip] {
                error(value, "\(ip) is bound twice (first at line \(location(first).line))",
                      fix: "bind each IP address to one compact address")
                continue
            }
            bound[ip] = value
            bindings.append(Topology.GatewaySpec.Binding(compact: compact, ip: ip))
        }
        return bindings
    }

    /// A gateway's `ipv6-prefix`: compact addresses embedded in its low 64 bits.
    func ipv6Prefix(_ node: YAMLNode) -> IPv6Prefix? {
        quantity(node, "ipv6-prefix", { (text) throws(UnitProblem) -> IPv6Prefix in
            guard let prefix = IPv6Prefix(text), prefix.length <= 64 else {
                throw UnitProblem(problem: "`\(text)` is not an IPv6 prefix of at most 64 bits",
                                  fix: "write e.g. 2001:db8:f::/64 (a compact address fills the low 64 bits)")
            }
            return prefix
        })
    }
}
