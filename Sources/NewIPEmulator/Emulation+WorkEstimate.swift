import NewIPDataPlane
import NewIPTopology

extension Emulation {
    /// Where each flow's packets go by the forwarding tables: the hops to the destination,
    /// or where they stop. A flow into a gateway counts as delivered from there (the
    /// gateway translates it into another network).
    static func trace(_ flow: Topology.Flow, in topology: Topology, tables: [ForwardingTable])
        -> (hops: Int, capturedInterfaces: Int, stop: (node: Int, reason: String)?) {
        // The address the packets carry: in another network, the destination's name there.
        let address = (try? PacketTemplate.destination(of: flow, from: topology.network(of: flow.source), in: topology))
            ?? topology.interface(flow.destination).address
        var node = flow.source.node
        var hops = 0
        var captured = 0
        while hops <= topology.nodes.count {
            if hops > 0 && topology.isGateway(node) { return (hops, captured, nil) }
            guard let route = tables[node].lookup(address) else { return (hops, captured, (node, "no route to \(address)")) }
            if route.nextHop.isLocal {
                guard node == flow.destination.node else { return (hops, captured, (node, "it is not the destination")) }
                return (hops, captured + (topology.interface(flow.destination).capture ? 1 : 0), nil)
            }
            if hops > 0 && !topology.nodes[node].kind.forwards { return (hops, captured, (node, "a host does not forward")) }
            if topology.nodes[node].interfaces[route.nextHop.interface].capture { captured += 1 }
            let next = Int(route.nextHop.neighbour.rawValue)
            guard next >= 0 && next < topology.nodes.count else { return (hops, captured, (node, "its next hop is not a node")) }
            node = next
            hops += 1
        }
        return (hops, captured, (node, "the route loops"))
    }

    /// The flows whose route never reaches their destination (none known before a run with
    /// `routing: dynamic`: its tables fill as the protocol converges), traced on `threads`
    /// threads, in flow order.
    public func undeliverableFlows(threads: Int = ParallelMap.cores) -> [UndeliverableFlow] {
        guard topology.routing != .dynamic else { return [] }
        let (topology, tables) = (topology, tables)
        let stops = ParallelMap.map(topology.flows.count, threads: threads) { flow in
            Self.trace(topology.flows[flow], in: topology, tables: tables).stop
        }
        return zip(topology.flows, stops).compactMap { flow, stop in
            guard let stop else { return nil }
            return UndeliverableFlow(flow: flow.name, source: topology.name(of: flow.source), destination: topology.name(of: flow.destination),
                                     end: topology.nodes[stop.node].name, reason: stop.reason)
        }
    }

    /// Events, output and memory of `run`: each packet costs two events per hop, and
    /// captured interfaces write every packet crossing them (to a file as they go when
    /// streamed, otherwise into memory: `streamingCaptures`).
    public func workEstimate(streamingCaptures: Bool) -> WorkEstimate {
        var estimate = WorkEstimate(routing: topology)
        for flow in topology.flows {
            let active = Double(max(0, min(flow.stop, topology.duration) - flow.start))
            var share = 1.0
            let rate: TrafficRate
            switch flow.pattern {
            case .constant(let r), .poisson(let r): rate = r
            case .onOff(let r, let on, let off):
                rate = r
                share = Double(on) / Double(max(1, on + off))
            }
            let size = flow.size.mean
            let perSecond = switch rate {
            case .packetsPerSecond(let packets): packets
            case .bitsPerSecond(let bits): Double(bits) / 8 / max(size, 1)
            }
            let packets = perSecond * active * share / 1e9
            let path = Self.trace(flow, in: topology, tables: tables)
            estimate.events += packets * Double(eventsPerHop * path.hops + 1)
            // An Enhanced Packet Block adds 32 bytes to the packet.
            let captured = packets * Double(path.capturedInterfaces) * (size + 32)
            estimate.outputBytes += captured
            if !streamingCaptures { estimate.memoryBytes += captured }
        }
        return estimate
    }
}

/// Events per packet per hop (transmission done, arrival), plus one for the send: measured
/// on the examples.
private let eventsPerHop = 2
