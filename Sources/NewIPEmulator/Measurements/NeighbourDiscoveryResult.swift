import NewIPDataPlane
import NewIPJSON
import NewIPNode
import NewIPTopology
import NewIPWire

/// What neighbour discovery did in a run with `neighbours:`: every neighbour state change
/// and autoconfiguration decision with its virtual time, and each node's interfaces and
/// neighbour table when the run stopped (results.json's `neighbours`, docs/topology.md).
public struct NeighbourDiscoveryResult: Sendable {
    public struct Interface: Sendable {
        public var name: String
        /// Its address at the end (`nil`: still none, autoconfiguration did not form one).
        public var address: CompactAddress?
        public var neighbours: [NeighbourTable.Neighbour]
    }

    public struct Node: Sendable {
        public var name: String
        /// The interfaces running neighbour discovery.
        public var interfaces: [Interface]
        public var counters: NeighbourDiscovery.Counters
    }

    public var events: [NeighbourEvent]
    public var nodes: [Node]
    private let nodeNames: [String]
    private let interfaceNames: [[String]]

    init(_ driver: NeighbourDiscoveryDriver, _ simulator: Simulator) {
        events = driver.events
        let topology = simulator.topology
        nodeNames = topology.nodes.map(\.name)
        interfaceNames = topology.nodes.map { $0.interfaces.map(\.name) }
        nodes = topology.nodes.indices.compactMap { index in
            guard let discovery = (simulator.behaviours[index] as? CoreNode)?.core.neighbourDiscovery else { return nil }
            let interfaces = discovery.interfaces.indices.compactMap { interface -> Interface? in
                guard let own = discovery.interfaces[interface] else { return nil }
                return Interface(name: topology.nodes[index].interfaces[interface].name, address: own.address,
                                 neighbours: discovery.table.neighbours(on: interface))
            }
            return Node(name: topology.nodes[index].name, interfaces: interfaces, counters: discovery.counters)
        }
    }

    var json: JSONValue {
        .members(["events": .array(events.map(eventJSON)), "nodes": .array(nodes.map(nodeJSON))])
    }

    private func nodeJSON(_ node: Node) -> JSONValue {
        let interfaces: [JSONValue] = node.interfaces.map { interface in
            let neighbours: [JSONValue] = interface.neighbours.map { neighbour in
                let confirmed: JSONValue = neighbour.confirmed.map { .integer($0) } ?? .null
                return .members(["address": .string(neighbour.address.description), "state": .string(neighbour.state.rawValue),
                                 "since_ns": .integer(neighbour.since), "confirmed_ns": confirmed])
            }
            let address: JSONValue = interface.address.map { .string($0.description) } ?? .null
            return .members(["name": .string(interface.name), "address": address, "neighbours": .array(neighbours)])
        }
        return .members([
            "name": .string(node.name), "addresses_configured": .int(node.counters.addressesConfigured),
            "addresses_refused": .int(node.counters.addressesRefused), "hellos_sent": .int(node.counters.hellosSent),
            "solicitations_sent": .int(node.counters.solicitationsSent), "interfaces": .array(interfaces),
        ])
    }

    private func eventJSON(_ event: NeighbourEvent) -> JSONValue {
        var members: [String: JSONValue] = [
            "time_ns": .integer(event.time), "node": .string(nodeNames[event.node]),
            "interface": .string(interfaceNames[event.node][event.interface]),
        ]
        switch event.kind {
        case .state(let neighbour, let from, let to):
            members["event"] = .string("state")
            members["neighbour"] = .string(neighbour.description)
            members["from"] = from.map { .string($0.rawValue) } ?? .null
            members["to"] = .string(to.rawValue)
        case .configured(let address, let router):
            members["event"] = .string("configured")
            members["address"] = .string(address.description)
            members["router"] = .string(router.description)
        case .refused(let address, let reason):
            members["event"] = .string("refused")
            members["address"] = address.map { .string($0.description) } ?? .null
            members["reason"] = .string(reason)
        }
        return .members(members)
    }
}
