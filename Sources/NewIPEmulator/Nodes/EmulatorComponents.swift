import NewIPDataPlane
import NewIPNode
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
    /// A first hop of a domain: the source check on the interfaces facing its member hosts
    /// (docs/topology.md, *Governance*); `nil` for other nodes.
    public var sourceAuthentication: SourceAuthentication? = nil
    /// A domain's border router: its policy (docs/topology.md, *Border policy*); `nil` for other nodes.
    public var borderPolicy: BorderPolicy? = nil
    /// A forwarding node when flows carry path constraints: the routes honouring each; `nil` otherwise.
    public var pathConstraints: PathConstraintRouting? = nil
    /// Neighbour discovery on the compact interfaces (the topology's `neighbours:`); `nil`: none.
    public var neighbourDiscovery: NeighbourDiscovery? = nil

    /// Whether any interface speaks plain IP.
    public var speaksIP: Bool { networks.contains(where: \.isIP) }
}

/// The behaviours the emulator can give nodes, by kind. `standard` runs every host, router
/// and gateway on `CoreNode`, the node logic real nodes run too.
public struct EmulatorComponents {
    /// Called once per node per run; may capture shared state (a gateway's mapping).
    public typealias BehaviorFactory = (NodeSetup) -> any NodeBehavior

    public var behaviors: [Topology.NodeKind: BehaviorFactory]

    public init(behaviors: [Topology.NodeKind: BehaviorFactory]) {
        self.behaviors = behaviors
    }

    public static var standard: EmulatorComponents {
        EmulatorComponents(behaviors: [.host: { CoreNode($0) }, .router: { CoreNode($0) }, .gateway: { CoreNode($0) }])
    }
}
