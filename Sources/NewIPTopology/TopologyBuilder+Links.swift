import NewIPDataPlane
import Yams

extension TopologyBuilder {
    static let linkKeys = ["endpoints", "rate", "delay", "loss", "mtu", "queue", "faults"]

    func readLinks(_ node: Node) {
        guard let items = reader.sequence(node, "`links`") else { return }
        for item in items {
            let before = reader.diagnostics.count
            let required = ["endpoints", "rate", "delay"]
            guard let fields = reader.fields(item, "link", allowed: Self.linkKeys, required: required) else { continue }
            let ends = fields["endpoints"].map(readEndpoints) ?? []
            let rate = fields["rate"].flatMap { reader.quantity($0, "rate", Units.bitRate) }
            let delay = fields["delay"].flatMap { reader.quantity($0, "delay", Units.duration) }
            let loss = fields["loss"].flatMap { reader.probability($0, "loss") } ?? 0
            let mtu = fields["mtu"].flatMap { reader.integer($0, "mtu", in: 64...65535) } ?? 1500
            let queue = fields["queue"].flatMap(reader.queue) ?? QueueSpec()
            let faults = fields["faults"].flatMap(readFaults) ?? Topology.FaultSpec()
            guard ends.count == 2, ends.allSatisfy({ $0 != nil }), let rate, let delay else {
                // Ends that resolved count as attached, so they raise no more problems.
                for case let end? in ends { reported.insert(.interface(end.id)) }
                continue
            }
            if reader.diagnostics.count > before { reported.insert(.link(links.count)) }
            var link = Topology.Link(endpoints: (ends[0]!.id, ends[1]!.id), rate: rate, delay: delay, loss: loss, mtu: mtu,
                                     queue: queue, faults: faults)
            link.positions = SourcePositions(reader.location(item), keys: [
                "endpoints": reader.location(fields["endpoints"]), "endpoints.0": ends[0]!.location, "endpoints.1": ends[1]!.location,
            ])
            links.append(link)
        }
    }

    /// The endpoints as written: each resolved one with its place, `nil` for one that is not an interface.
    private func readEndpoints(_ node: Node) -> [(id: Topology.InterfaceID, location: SourceLocation)?] {
        guard let items = reader.sequence(node, "`endpoints`") else { return [] }
        guard items.count == 2 else {
            reader.error(node, "a link has two endpoints, not \(items.count)", fix: "write `endpoints: [r1:eth0, r2:eth0]`")
            return []
        }
        return items.map { item in
            interfaceReference(item, "endpoint", requireInterface: true).map { ($0, reader.location(item)) }
        }
    }

    private func readFaults(_ node: Node) -> Topology.FaultSpec? {
        guard let fields = reader.fields(node, "faults", allowed: ["drop", "corrupt"]) else { return nil }
        return Topology.FaultSpec(drop: fields["drop"].flatMap { reader.probability($0, "fault drop") } ?? 0,
                                  corrupt: fields["corrupt"].flatMap { reader.probability($0, "fault corrupt") } ?? 0)
    }
}
