import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// Everything a node behaviour is built from.
public struct NodeSetup {
    public var index: Int
    public var node: Topology.Node
    public var dialect: PacketDialect
    /// Routes to every destination, and `NextHop.local` for the node's own addresses.
    public var table: ForwardingTable
    /// One egress queue per interface, as the interface's link asks.
    public var queues: [EgressQueue]
    /// Propagation delay of each interface's link.
    public var linkDelays: [Nanoseconds]
    /// The network of each interface: New IP in the topology's dialect, or plain IPv4/IPv6.
    public var networks: [Topology.Network]

    /// Whether any interface speaks plain IP.
    public var speaksIP: Bool { networks.contains(where: \.isIP) }
}

/// The behaviours the emulator can give nodes, by kind. `standard` runs hosts and routers
/// on the data plane's `Router` (`RouterNode`, or `ManyNetsNode` when an interface speaks
/// plain IP), and gateways on `ManyNetsNode` with the data plane's `Gateway`.
public struct EmulatorComponents {
    /// Called once per node per run; may capture shared state (a gateway's mapping).
    public typealias BehaviorFactory = (NodeSetup) -> any NodeBehavior

    public var behaviors: [Topology.NodeKind: BehaviorFactory]

    public init(behaviors: [Topology.NodeKind: BehaviorFactory]) {
        self.behaviors = behaviors
    }

    public static var standard: EmulatorComponents {
        EmulatorComponents(behaviors: [
            .host: { $0.speaksIP ? ManyNetsNode($0) as any NodeBehavior : RouterNode($0) },
            .router: { $0.speaksIP ? ManyNetsNode($0) as any NodeBehavior : RouterNode($0) },
            .gateway: { ManyNetsNode($0) },
        ])
    }
}
