import Foundation
import NewIPDataPlane
import NewIPWire

extension TopologyBuilder {
    static let flowKeys = ["name", "from", "to", "to-address", "pattern", "rate", "on", "off", "size", "chunks", "start", "stop", "contract", "window", "avoid", "only-through"]

    private enum PatternName: String, CaseIterable {
        case constant, poisson, onoff
    }

    private enum ContractName: String, CaseIterable {
        case lbf, mdf
    }

    /// The flows, read on `threads` threads: each is independent once nodes, interfaces and
    /// domains are known. Every chunk has its own reader and the chunks are merged in file
    /// order, so the flows, the diagnostics and their order do not depend on the threads.
    func readFlows(_ node: YAMLNode, in topology: Topology) -> [Topology.Flow] {
        guard let items = reader.sequence(node, "`flows`") else { return [] }
        // Flows from a domain's members may carry an authenticator, which chunked sizes include.
        let plans = topology.domains.isEmpty ? nil : topology.domainPlans()
        let (file, guide, nodes, nodeIndex, dialect, duration) = (reader.file, reader.guide, nodes, nodeIndex, dialect, duration)
        // A few chunks per thread, so a chunk of slow flows does not leave the others idle.
        let chunks = min(items.count, threads * 4)
        let read = ParallelMap.map(chunks, threads: threads) { chunk in
            let builder = TopologyBuilder(reader: YAMLReader(file: file, guide: guide), threads: 1)
            (builder.nodes, builder.nodeIndex, builder.dialect, builder.duration) = (nodes, nodeIndex, dialect, duration)
            let range = chunk * items.count / chunks..<(chunk + 1) * items.count / chunks
            let flows = items[range].compactMap { builder.readFlow($0, in: topology, plans: plans) }
            return (flows: flows, diagnostics: builder.reader.diagnostics)
        }
        var flows: [Topology.Flow] = []
        for chunk in read {
            reader.append(chunk.diagnostics)
            for (flow, hasProblems) in chunk.flows {
                if hasProblems { reported.insert(.flow(flows.count)) }
                flows.append(flow)
            }
        }
        return flows
    }

    /// One flow, and whether reading it reported a problem; nil when it cannot be built.
    private func readFlow(_ item: YAMLNode, in topology: Topology, plans: [Topology.DomainPlan]?) -> (flow: Topology.Flow, hasProblems: Bool)? {
        let before = reader.diagnostics.count
        let required = ["name", "from", "to", "rate"]
        guard let fields = reader.fields(item, "flow", allowed: Self.flowKeys, required: required) else { return nil }
        let name = fields["name"].flatMap { reader.name($0, "flow name") }
        let source = fields["from"].flatMap { interfaceReference($0, "`from`", requireInterface: false) }
        let destination = fields["to"].flatMap { interfaceReference($0, "`to`", requireInterface: false) }
        let pattern = readPattern(fields)
        let size = readSize(fields)
        let start = fields["start"].flatMap { reader.quantity($0, "start", reader.units.duration) } ?? 0
        let stop = fields["stop"].flatMap { reader.quantity($0, "stop", reader.units.duration) } ?? duration
        let contract = fields["contract"].flatMap(readContract)
        let window = fields["window"].flatMap(readWindow)
        let destinationAddress = fields["to-address"].flatMap { node in
            reader.quantity(node, "to-address", { (text) throws(UnitProblem) in try AddressText.address(text, dialect: dialect) })
        }
        var constraint: Topology.PathConstraint?
        switch (fields["avoid"], fields["only-through"]) {
        case (.some, .some):
            reader.error(fields.key("only-through"), "a flow gives `avoid` or `only-through`, not both",
                         fix: "keep one: `avoid` lists domains to stay out of, `only-through` the only ones allowed")
        case (let node?, nil), (nil, let node?):
            let mode: PathConstraintItem.Mode = fields["avoid"] != nil ? .avoid : .onlyThrough
            let names = reader.items(node).compactMap { reader.name($0, "domain in `\(mode.name)`") }
            constraint = Topology.PathConstraint(mode: mode, domains: names, location: reader.location(node))
        case (nil, nil): break
        }
        guard let name, let source, let destination, let pattern, let size else { return nil }
        if fields["to-address"] != nil && destinationAddress == nil { return nil }
        var flow = Topology.Flow(name: name, source: source, destination: destination, pattern: pattern,
                                 size: size.size, start: start, stop: stop, contract: contract, chunks: size.chunks,
                                 window: window, destinationAddress: destinationAddress)
        flow.pathConstraint = constraint
        var positions = SourcePositions(reader.location(item))
        for key in ["name", "from", "to", "to-address", "size", "chunks", "start", "stop", "avoid", "only-through"] {
            if let node = fields[key] { positions[key] = reader.location(node) }
        }
        flow.positions = positions
        // With chunks the packet is header + probe + chunks; a header that cannot be built
        // is `Topology.problems()`'s to report.
        let origin = plans.map { topology.flowOrigin(flow, plans: $0) }
        if !flow.chunks.isEmpty, let template = try? PacketTemplate(flow: flow, in: topology, source: origin?.claimed,
                                                                    authenticator: origin?.carriesAuthenticator == true ? .placeholder : nil) {
            flow.size = .fixed(template.minimumSize(chunks: flow.chunks))
        }
        return (flow, reader.diagnostics.count > before)
    }

    private func readPattern(_ fields: YAMLReader.Fields) -> TrafficPattern? {
        let name = fields["pattern"].flatMap { reader.choice($0, "pattern", PatternName.self) } ?? .constant
        let rate = fields["rate"].flatMap { reader.quantity($0, "rate", reader.units.trafficRate) }
        var on: Nanoseconds?, off: Nanoseconds?
        for key in ["on", "off"] {
            guard let node = fields[key] else {
                if name == .onoff { reader.error(fields.node, "an onoff flow is missing `\(key)`", fix: "add e.g. `\(key): 100ms`") }
                continue
            }
            guard name == .onoff else {
                reader.error(fields.key(key), "`\(key)` applies only to `pattern: onoff`", fix: "remove it, or set `pattern: onoff`")
                continue
            }
            let value = reader.quantity(node, "`\(key)`", reader.units.duration)
            if key == "on" { on = value } else { off = value }
        }
        if name == .onoff, on == 0, let node = fields["on"] {
            reader.error(node, "the on period is zero, so the flow never sends", fix: "give a positive duration")
        }
        guard let rate else { return nil }
        switch name {
        case .constant: return .constant(rate)
        case .poisson: return .poisson(rate)
        case .onoff:
            guard let on, let off, on > 0 else { return nil }
            return .onOff(rate, on: on, off: off)
        }
    }

    /// `size` (bytes or `min..max`) or `chunks`, exactly one.
    private func readSize(_ fields: YAMLReader.Fields) -> (size: PacketSize, chunks: [PayloadSpec.Chunk])? {
        switch (fields["size"], fields["chunks"]) {
        case (nil, nil):
            reader.error(fields.node, "flow is missing `size` (or `chunks`)", fix: "add e.g. `size: 1000` (bytes on the wire)")
            return nil
        case (.some, .some):
            reader.error(fields.key("chunks"), "a flow gives `size` or `chunks`, not both",
                         fix: "drop `size`: with chunks the packet is header + probe + chunks")
            return nil
        case (let node?, nil):
            guard let text = reader.text(node, "size") else { return nil }
            // Not Foundation's `components(separatedBy:)`, which bridged every flow's size.
            let bounds = text.split(separator: "..", omittingEmptySubsequences: false)
            do throws(UnitProblem) {
                if bounds.count == 2 {
                    let low = try reader.units.bytes(bounds[0].trimmingSpaces), high = try reader.units.bytes(bounds[1].trimmingSpaces)
                    guard low <= high else {
                        throw UnitProblem(problem: "size range \(text) runs backwards", fix: "write min..max")
                    }
                    return (.uniform(low...high), [])
                }
                return (.fixed(try reader.units.bytes(text)), [])
            } catch {
                reader.error(node, "size: \(error.problem)", fix: error.fix)
                return nil
            }
        case (nil, let node?):
            guard let items = reader.sequence(node, "`chunks`") else { return nil }
            var chunks: [PayloadSpec.Chunk] = []
            for item in items {
                guard let chunk = reader.fields(item, "chunk", allowed: ["significance", "bytes"], required: ["significance", "bytes"]),
                      let significance = chunk["significance"].flatMap({ reader.integer($0, "significance", in: 0...255) }),
                      let bytes = chunk["bytes"].flatMap({ reader.integer($0, "chunk bytes", in: 1...65535) }) else { continue }
                chunks.append(PayloadSpec.Chunk(significance: UInt8(significance), length: UInt16(bytes)))
            }
            guard chunks.count == items.count else { return nil }
            guard !chunks.isEmpty else {
                reader.error(node, "`chunks` is empty", fix: "list at least one chunk, or give `size` instead")
                return nil
            }
            return (.fixed(0), chunks)
        }
    }

    /// `{min, max}`: the window a flow without contract is judged against.
    private func readWindow(_ node: YAMLNode) -> DelayWindow? {
        guard let fields = reader.fields(node, "window", allowed: ["min", "max"], required: ["max"]) else { return nil }
        let max = fields["max"].flatMap { reader.quantity($0, "max", reader.units.duration) }
        let min = fields["min"].flatMap { reader.quantity($0, "min", reader.units.duration) } ?? 0
        guard let max else { return nil }
        if min > max, let node = fields["min"] {
            reader.error(node, "min \(UnitText.duration(min)) is above max \(UnitText.duration(max))", fix: "make min ≤ max")
            return nil
        }
        return DelayWindow(min: min, max: max)
    }

    /// `none`, `{type: lbf, min, max}` or `{type: mdf, max}`.
    private func readContract(_ node: YAMLNode) -> FlowContract? {
        if case .scalar(let scalar) = node, scalar.string == "none" { return nil }
        guard let fields = reader.fields(node, "contract", allowed: ["type", "min", "max"], required: ["type", "max"]) else { return nil }
        let type = fields["type"].flatMap { reader.choice($0, "contract type", ContractName.self) }
        let max = fields["max"].flatMap { reader.quantity($0, "max", reader.units.duration) }
        let min = fields["min"].flatMap { reader.quantity($0, "min", reader.units.duration) }
        var wireReady = true
        for (key, value) in [("min", min), ("max", max)] {
            guard let value, let node = fields[key] else { continue }
            do throws(UnitProblem) { _ = try PacketTemplate.milliseconds(value) } catch {
                reader.error(node, error.problem, fix: error.fix)
                wireReady = false
            }
        }
        guard let type, let max, wireReady else { return nil }
        switch type {
        case .lbf:
            if let min, min > max, let node = fields["min"] {
                reader.error(node, "min \(UnitText.duration(min)) is above max \(UnitText.duration(max))", fix: "make min ≤ max")
                return nil
            }
            return .latencyBased(min: min ?? 0, max: max)
        case .mdf:
            if let key = fields.key("min") {
                reader.error(key, "`min` applies only to `type: lbf`", fix: "remove it; max-delay forwarding has only `max`")
            }
            return .maxDelay(max)
        }
    }
}
