import NewIPDataPlane

extension TopologyBuilder {
    static let linkKeys = ["endpoints", "rate", "delay", "loss", "mtu", "queue", "faults"]

    func readLinks(_ node: YAMLNode) {
        guard let items = reader.sequence(node, "`links`") else { return }
        for item in items {
            let before = reader.diagnostics.count
            let required = ["endpoints", "rate", "delay"]
            guard let fields = reader.fields(item, "link", allowed: Self.linkKeys, required: required) else { continue }
            let ends = fields["endpoints"].map(readEndpoints) ?? []
            let rate = fields["rate"].flatMap { reader.quantity($0, "rate", reader.units.bitRate) }
            let delay = fields["delay"].flatMap(readDelay)
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
            var link = Topology.Link(endpoints: (ends[0]!.id, ends[1]!.id), rate: rate, delay: delay.first, loss: loss, mtu: mtu,
                                     queue: queue, faults: faults)
            link.delayChanges = delay.changes
            link.positions = SourcePositions(reader.location(item), keys: [
                "endpoints": reader.location(fields["endpoints"]), "endpoints.0": ends[0]!.location, "endpoints.1": ends[1]!.location,
            ])
            links.append(link)
        }
    }

    /// The endpoints as written: each resolved one with its place, `nil` for one that is not an interface.
    private func readEndpoints(_ node: YAMLNode) -> [(id: Topology.InterfaceID, location: SourceLocation)?] {
        guard let items = reader.sequence(node, "`endpoints`") else { return [] }
        guard items.count == 2 else {
            reader.error(node, "a link has two endpoints, not \(items.count)", fix: "write `endpoints: [r1:eth0, r2:eth0]`")
            return []
        }
        return items.map { item in
            interfaceReference(item, "endpoint", requireInterface: true).map { ($0, reader.location(item)) }
        }
    }

    private func readFaults(_ node: YAMLNode) -> Topology.FaultSpec? {
        guard let fields = reader.fields(node, "faults", allowed: ["drop", "corrupt", "down"]) else { return nil }
        var faults = Topology.FaultSpec(drop: fields["drop"].flatMap { reader.probability($0, "fault drop") } ?? 0,
                                        corrupt: fields["corrupt"].flatMap { reader.probability($0, "fault corrupt") } ?? 0)
        faults.down = fields["down"].flatMap { readPeriods($0, "down") } ?? []
        return faults
    }

    /// `down: [2s, 3s]` (down from 2 s to 3 s) or a list of such periods, in time order; the
    /// same for a node's `crash` periods (`what` names the key).
    func readPeriods(_ node: YAMLNode, _ what: String) -> [Range<Nanoseconds>]? {
        guard let items = reader.sequence(node, "fault `\(what)`") else { return nil }
        let periods = items.allSatisfy({ if case .sequence = $0 { true } else { false } }) && !items.isEmpty ? items : [node]
        let example = "`\(what): [[2s, 3s], [5s, 6s]]`"
        var result: [Range<Nanoseconds>] = []
        for period in periods {
            guard let ends = reader.sequence(period, "a \(what) period"), ends.count == 2 else {
                reader.error(period, "a \(what) period is two times, from and to", fix: "write `\(what): [2s, 3s]` or \(example)")
                return nil
            }
            guard let from = reader.quantity(ends[0], "\(what) from", reader.units.duration),
                  let to = reader.quantity(ends[1], "\(what) to", reader.units.duration) else { return nil }
            guard from < to, result.last.map({ $0.upperBound < from }) ?? true else {
                reader.error(period, "\(what) periods must each end after they start and follow each other without overlap",
                             fix: "write the periods in time order, e.g. \(example)")
                return nil
            }
            result.append(from..<to)
        }
        return result
    }

    /// `delay: 1ms`, or a schedule from 0 s on: `delay: {0s: 1ms, 500ms: 20ms}`.
    private func readDelay(_ node: YAMLNode) -> (first: Nanoseconds, changes: [(at: Nanoseconds, delay: Nanoseconds)])? {
        guard case .mapping(let mapping) = node else { return reader.quantity(node, "delay", reader.units.duration).map { ($0, []) } }
        var schedule: [(at: Nanoseconds, delay: Nanoseconds)] = []
        for (key, value) in mapping {
            guard let at = reader.quantity(key, "delay schedule time", reader.units.duration),
                  let delay = reader.quantity(value, "delay", reader.units.duration) else { return nil }
            guard schedule.last.map({ $0.at < at }) ?? (at == 0) else {
                reader.error(key, "a delay schedule starts at 0s and its times increase",
                             fix: "write `delay: {0s: 1ms, 500ms: 20ms}`")
                return nil
            }
            schedule.append((at, delay))
        }
        guard let first = schedule.first else {
            reader.error(node, "a delay schedule needs at least its delay at 0s", fix: "write `delay: {0s: 1ms, 500ms: 20ms}`")
            return nil
        }
        return (first.delay, Array(schedule.dropFirst()))
    }
}
