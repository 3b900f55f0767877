import NewIPDataPlane
import Yams

extension TopologyBuilder {
    static let linkKeys = ["endpoints", "rate", "delay", "loss", "mtu", "queue", "faults"]

    func readLinks(_ node: Node) {
        guard let items = reader.sequence(node, "`links`") else { return }
        for item in items {
            let required = ["endpoints", "rate", "delay"]
            guard let fields = reader.fields(item, "link", allowed: Self.linkKeys, required: required) else { continue }
            let endpoints = fields["endpoints"].flatMap { readEndpoints($0, link: links.count) }
            let rate = fields["rate"].flatMap { reader.quantity($0, "rate", Units.bitRate) }
            let delay = fields["delay"].flatMap { reader.quantity($0, "delay", Units.duration) }
            let loss = fields["loss"].flatMap { reader.probability($0, "loss") } ?? 0
            let mtu = fields["mtu"].flatMap { reader.integer($0, "mtu", in: 64...65535) } ?? 1500
            let queue = fields["queue"].flatMap(reader.queue) ?? QueueSpec()
            let faults = fields["faults"].flatMap(readFaults) ?? Topology.FaultSpec()
            guard let endpoints, let rate, let delay, checkNetworks(of: endpoints, at: fields["endpoints"]!) else { continue }
            links.append(Topology.Link(endpoints: endpoints, rate: rate, delay: delay, loss: loss, mtu: mtu,
                                       queue: queue, faults: faults))
        }
    }

    private func readEndpoints(_ node: Node, link: Int) -> (Topology.InterfaceID, Topology.InterfaceID)? {
        guard let items = reader.sequence(node, "`endpoints`") else { return nil }
        guard items.count == 2 else {
            reader.error(node, "a link has two endpoints, not \(items.count)", fix: "write `endpoints: [r1:eth0, r2:eth0]`")
            return nil
        }
        var ends: [Topology.InterfaceID] = []
        for item in items {
            guard let end = interfaceReference(item, "endpoint", requireInterface: true) else { continue }
            if let previous = attachments[end] {
                reader.error(item, "interface `\(name(of: end))` is already on the link at line \(previous.location.line)",
                             fix: "an interface joins one link; add another interface to the node")
                continue
            }
            ends.append(end)
        }
        // Ends that resolved count as attached even if the link fails, so they raise no more errors.
        for end in ends { attachments[end] = (link, reader.location(node)) }
        guard ends.count == 2 else { return nil }
        guard ends[0].node != ends[1].node else {
            reader.error(node, "both endpoints are on node `\(nodes[ends[0].node].name)`", fix: "connect two different nodes")
            return nil
        }
        return (ends[0], ends[1])
    }

    private func name(of id: Topology.InterfaceID) -> String {
        "\(nodes[id.node].name):\(nodes[id.node].interfaces[id.interface].name)"
    }

    private func readFaults(_ node: Node) -> Topology.FaultSpec? {
        guard let fields = reader.fields(node, "faults", allowed: ["drop", "corrupt"]) else { return nil }
        return Topology.FaultSpec(drop: fields["drop"].flatMap { reader.probability($0, "fault drop") } ?? 0,
                                  corrupt: fields["corrupt"].flatMap { reader.probability($0, "fault corrupt") } ?? 0)
    }
}
