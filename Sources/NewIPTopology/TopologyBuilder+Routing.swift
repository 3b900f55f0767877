import NewIPDataPlane

extension TopologyBuilder {
    static let routingKeys = ["protocol", "authentication"] + RoutingDamping.keys

    /// `routing: dynamic`, or a mapping naming the protocol and, for `dynamic`, its
    /// authentication and damping.
    func readRouting(_ node: YAMLNode) -> (Topology.Routing, RoutingDamping, RoutingAuthentication)? {
        guard case .mapping = node else { return reader.choice(node, "routing", Topology.Routing.self).map { ($0, RoutingDamping(), .none) } }
        guard let fields = reader.fields(node, "routing", allowed: Self.routingKeys, required: ["protocol"]),
              let routing = fields["protocol"].flatMap({ reader.choice($0, "routing protocol", Topology.Routing.self) }) else { return nil }
        let damping = reader.routingDamping(fields)
        if routing != .dynamic, !damping.isDefault, let key = Self.routingKeys.dropFirst().first(where: { fields[$0] != nil }) {
            reader.error(fields[key]!, "`\(key)` damps `routing: dynamic` only, not `\(routing.rawValue)`",
                         fix: "write `protocol: dynamic`, or remove `\(key)`")
        }
        let authentication = fields["authentication"].flatMap { reader.choice($0, "routing authentication", RoutingAuthentication.self) } ?? .none
        if routing != .dynamic, authentication != .none, let node = fields["authentication"] {
            reader.error(node, "`authentication` applies to `routing: dynamic` only, not `\(routing.rawValue)`",
                         fix: "write `protocol: dynamic`, or remove `authentication`")
        }
        return (routing, damping, authentication)
    }

    /// A node's `faults: {crash: [2s, 3s]}`: the periods it is down, inside the run.
    func readNodeFaults(_ node: YAMLNode, node name: String) -> [Range<Nanoseconds>]? {
        guard let fields = reader.fields(node, "faults of `\(name)`", allowed: ["crash"]) else { return nil }
        guard let crash = fields["crash"] else { return [] }
        guard let periods = readPeriods(crash, "crash") else { return nil }
        if duration > 0, let late = periods.first(where: { $0.upperBound > duration }) {
            reader.error(crash, "`\(name)` would be crashed from \(UnitText.duration(late.lowerBound)) to \(UnitText.duration(late.upperBound)), "
                         + "not inside the run's 0…\(UnitText.duration(duration))", fix: "end each crash by the run's end")
            return nil
        }
        return periods
    }
}
