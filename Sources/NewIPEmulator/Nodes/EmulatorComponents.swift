import NewIPDataPlane

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
}

/// The behaviours the emulator can give nodes, by kind. `standard` runs hosts and routers
/// on the data plane's `Router`; a gateway behaviour is registered here when one exists.
public struct EmulatorComponents {
    /// Called once per node per run; may capture shared state (a gateway's mapping).
    public typealias BehaviorFactory = (NodeSetup) -> any NodeBehavior

    public var behaviors: [Topology.NodeKind: BehaviorFactory]

    public init(behaviors: [Topology.NodeKind: BehaviorFactory]) {
        self.behaviors = behaviors
    }

    public static var standard: EmulatorComponents {
        EmulatorComponents(behaviors: [.host: { RouterNode($0) }, .router: { RouterNode($0) }])
    }
}
