import NewIPDataPlane
import NewIPWire

/// How a router honours senders' path constraints (docs/wire.md, "Path constraint";
/// docs/topology.md, *Path constraints*): for each constraint it knows, a forwarding table
/// computed over the part of the network the constraint allows (shortest delay there). A
/// packet that carries a constraint is forwarded by that table; when the router knows no
/// table for it, or the table has no route to the destination (no allowed way on exists, or
/// the router itself is in a domain the packet must not cross), the packet is dropped as
/// `path-constraint` — never forwarded as if it carried none.
public struct PathConstraintRouting: Sendable {
    /// Per constraint, routes that honour it (LBF's path knowledge included).
    public var tables: [PathConstraintItem: ForwardingTable]

    public init(tables: [PathConstraintItem: ForwardingTable] = [:]) {
        self.tables = tables
    }

    /// What a router does with a packet.
    public enum Decision {
        /// It carries no constraint: the node's own table.
        case unconstrained
        /// Forward with this table.
        case table(ForwardingTable)
        /// No way on honours the constraint (or it is damaged: `malformed`).
        case refuse(DropReason)
    }

    /// The decision for `packet`, whose destination is not the node's own.
    public func decision(for packet: NewIPPacketView) -> Decision {
        let item: PathConstraintItem?
        do throws(WireError) { item = try PathConstraintItem.find(in: packet) } catch { return .refuse(.malformed) }
        guard let item else { return .unconstrained }
        guard let table = tables[item], table.lookup(packet.destination) != nil else { return .refuse(.pathConstraint) }
        return .table(table)
    }
}
